// `docpipe serve`: the HTTP service. Settings come from defaults, then
// --config FILE (JSON), then DOCPIPE_* environment variables, then flags; the
// result is printed (secrets masked) before the port is bound. SIGTERM and
// SIGINT shut down gracefully: stop accepting, answer the requests in
// progress, store every accepted chunk, then exit 0.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <thread>

#include "command.h"
#include "docpipe/server.h"
#include "docpipe/server_config.h"

namespace docpipe::cli {
namespace {

struct ServeFlags {
  std::string config_file;
  std::map<std::string, std::string> values;  // setting name -> flag text, for the flags given
  std::map<std::string, CLI::Option*> options;
};

Result<ServerConfig> BuildConfig(const ServeFlags& flags) {
  ServerConfig config;
  if (!flags.config_file.empty()) DOCPIPE_RETURN_IF_ERROR(ApplyConfigFile(flags.config_file, config));
  DOCPIPE_RETURN_IF_ERROR(ApplyEnvironment(config, [](const std::string& name) { return std::getenv(name.c_str()); }));
  std::map<std::string, std::string> given;
  for (const auto& [name, option] : flags.options) {
    if (option->count() > 0) given[name] = flags.values.at(name);
  }
  DOCPIPE_RETURN_IF_ERROR(ApplySettings(given, config));
  DOCPIPE_RETURN_IF_ERROR(FinishConfig(config));
  return config;
}

void RunServe(const ServeFlags& flags) {
  Result<ServerConfig> config = BuildConfig(flags);
  if (!config.ok()) {
    std::fprintf(stderr, "docpipe serve: %s\n", config.status().ToString().c_str());
    SetExitCode(kExitUsage);
    return;
  }
  std::fprintf(stderr, "docpipe serve: configuration\n%s", DescribeConfig(*config).c_str());
  if (config->api_key.empty() && config->host != "127.0.0.1" && config->host != "localhost") {
    std::fprintf(stderr, "docpipe serve: warning: listening on %s without --api-key\n", config->host.c_str());
  }
  // Block the shutdown signals in every thread the server starts; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Result<std::unique_ptr<Server>> server = Server::Make(*config);
  if (!server.ok()) {
    std::fprintf(stderr, "docpipe serve: %s\n", server.status().ToString().c_str());
    SetExitCode(server.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError);
    return;
  }
  Status started = (*server)->Start();
  if (!started.ok()) {
    std::fprintf(stderr, "docpipe serve: %s\n", started.ToString().c_str());
    SetExitCode(kExitError);
    return;
  }
  // Tests and scripts read the port from this line when they asked for port 0.
  std::fprintf(stderr, "docpipe serve: listening on http://%s:%d\n", config->host.c_str(), (*server)->port());
  std::fflush(stderr);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  std::fprintf(stderr, "docpipe serve: signal %d: finishing accepted work\n", signal_number);
  (*server)->Shutdown();
  std::fprintf(stderr, "docpipe serve: stopped\n");
  SetExitCode(kExitOk);
}

void RegisterServe(CLI::App& app) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand("serve", "HTTP service: ingest chunks and documents, search, embeddings");
  cmd->footer(
      "Every setting can also come from a JSON config file (--config) or a DOCPIPE_<NAME> environment\n"
      "variable (DOCPIPE_PORT, DOCPIPE_API_KEY, DOCPIPE_LLM, ...); flags win over the environment, which wins\n"
      "over the file. Without --api-key the server listens on 127.0.0.1 only. Endpoints: docs/server.md.\n"
      "Exit status: 0 after a clean shutdown (SIGTERM, SIGINT), 2 bad settings, 3 cannot start.");
  cmd->add_option("--config", flags->config_file, "JSON file of settings")->check(CLI::ExistingFile);
  for (const ConfigSetting& setting : ServerSettings()) {
    std::string& value = flags->values[setting.name];
    flags->options[setting.name] = cmd->add_option("--" + setting.name, value, setting.help);
  }
  cmd->callback([flags] { RunServe(*flags); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterServe);

}  // namespace docpipe::cli
