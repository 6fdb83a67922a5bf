// `docpipe ingest`: files and directories into a store.
#include <cstdio>
#include <memory>

#include "command.h"
#include "docpipe/ingest.h"
#include "docpipe/store.h"
#include "progress_bar.h"

namespace docpipe::cli {
namespace {

struct IngestFlags {
  IngestOptions options;
  std::string db = "docpipe.sqlite";
  bool json = false;
};

void RunIngest(const IngestFlags& flags) {
  Result<std::unique_ptr<Store>> store = Store::Open(flags.db);
  if (!store.ok()) {
    std::fprintf(stderr, "docpipe ingest: cannot open store %s: %s\n", flags.db.c_str(),
                 store.status().ToString().c_str());
    SetExitCode(kExitError);
    return;
  }
  ProgressBar bar;
  IngestProgressCallback progress;
  if (bar.enabled()) {
    progress = [&bar](const IngestProgress& p) {
      bar.Update(p.files_done, p.files_total, p.pages_done, p.elapsed_seconds);
    };
  }
  Result<IngestReport> report = Ingest(**store, flags.options, progress);
  bar.Clear();
  if (!report.ok()) {
    std::fprintf(stderr, "docpipe ingest: %s\n", report.status().ToString().c_str());
    SetExitCode(report.status().code() == StatusCode::kNotFound ||
                        report.status().code() == StatusCode::kInvalidArgument
                    ? kExitUsage
                    : kExitError);
    return;
  }
  if (flags.json) {
    std::printf("%s\n", report->ToJson().c_str());
  } else {
    std::fputs(report->ToText().c_str(), stderr);
  }
  SetExitCode(report->any_failed() ? kExitInputFailed : kExitOk);
}

void RegisterIngest(CLI::App& app) {
  auto flags = std::make_shared<IngestFlags>();
  IngestOptions& o = flags->options;
  CLI::App* cmd = app.add_subcommand("ingest", "Convert, chunk and store documents (PDF, text, Markdown)");
  cmd->footer(
      "Idempotent: documents already stored with the same content are skipped; a changed file\n"
      "replaces its old chunks; a killed run can simply be run again.\n"
      "Exit status: 0 all inputs ok, 1 some inputs failed (listed), 2 usage error, 3 store error.");
  cmd->add_option("inputs", o.inputs, "Files and directories (recursive); - reads paths from stdin");
  cmd->add_option("--db", flags->db, "Store location: a SQLite file")->capture_default_str();
  cmd->add_option("--workers,-j", o.workers, "Worker threads (0 = all cores)")->capture_default_str();
  cmd->add_option("--list", o.list_files, "File with one input path per line (repeatable)");
  cmd->add_option("--include", o.include_globs, "Glob for files to take from directories (repeatable)");
  cmd->add_option("--exclude", o.exclude_globs, "Glob for files to skip in directories (repeatable)");
  cmd->add_option("--password", o.pdf.password, "Password for encrypted PDFs");
  cmd->add_option("--page-timeout", o.pdf.page_timeout_seconds, "Seconds allowed per page before it fails alone")
      ->capture_default_str();
  cmd->add_option("--max-tokens", o.chunk.max_tokens, "Largest chunk, in tokens")->capture_default_str();
  cmd->add_option("--target-tokens", o.chunk.target_tokens, "Preferred chunk size, in tokens")->capture_default_str();
  cmd->add_option("--overlap-tokens", o.chunk.overlap_tokens, "Tokens repeated between neighbouring chunks")
      ->capture_default_str();
  cmd->add_option("--batch", o.store_batch_documents, "Documents per store transaction")->capture_default_str();
  cmd->add_flag("--json", flags->json, "Print the run report as JSON on stdout");
  cmd->callback([flags] {
    if (flags->options.inputs.empty() && flags->options.list_files.empty()) {
      std::fprintf(stderr, "docpipe ingest: give at least one input (file, directory, --list FILE or -)\n");
      SetExitCode(kExitUsage);
      return;
    }
    RunIngest(*flags);
  });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterIngest);

}  // namespace docpipe::cli
