// The docpipe executable: subcommands register themselves (see command.h).
#include <cstdio>
#include <vector>

#include "command.h"
#include "core/heap_policy.h"
#include "store/sqlite_process_policy.h"

namespace docpipe::cli {
namespace {

std::vector<CommandRegistrar>& Registrars() {
  static std::vector<CommandRegistrar> registrars;
  return registrars;
}

int exit_code = kExitOk;

}  // namespace

bool RegisterCommand(CommandRegistrar registrar) {
  Registrars().push_back(registrar);
  return true;
}

void SetExitCode(int code) { exit_code = code; }

void FailCommand(std::string_view command, const Status& status, bool not_found_is_usage) {
  std::fprintf(stderr, "docpipe %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               status.ToString().c_str());
  const bool usage = status.code() == StatusCode::kInvalidArgument ||
                     (not_found_is_usage && status.code() == StatusCode::kNotFound);
  SetExitCode(usage ? kExitUsage : kExitError);
}

}  // namespace docpipe::cli

int main(int argc, char** argv) {
  docpipe::KeepFreedMemoryForReuse();
  docpipe::store::SkipSqliteMemoryStatistics();
  CLI::App app{"docpipe: documents in; structured text, chunks, tags, embeddings and a searchable index out"};
  app.set_version_flag("--version", "docpipe 0.1.0");
  app.require_subcommand(1);
  for (auto registrar : docpipe::cli::Registrars()) registrar(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : docpipe::cli::kExitUsage;
  }
  return docpipe::cli::exit_code;
}
