// `docpipe runs`: the ingest runs a store recorded, newest first, with their
// shard, host, state, counts and failures, so an operator sees a job array's
// tasks at a glance.
//
// A run's state comes from what the store holds and, for a run without an end,
// from its process: finished, interrupted (Ctrl-C or SIGTERM), failed (stopped
// on an error, which is shown), running, or killed (no end recorded and its
// process is gone). A process on another host cannot be looked at from here:
// such a run is "running?" until it records its end.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "command.h"
#include "docpipe/store.h"

namespace docpipe::cli {
namespace {

using nlohmann::json;

struct RunsFlags {
  std::string db = "docpipe.sqlite";
  int64_t limit = 20;
  bool json_output = false;
};

json ParseOr(const std::string& text) {
  json parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json::object() : parsed;
}

std::string ThisHost() {
  char host[256] = {};
  return gethostname(host, sizeof host - 1) == 0 ? std::string(host) : std::string();
}

// Whether `pid` on this host is a docpipe process (not another that reused the number).
bool DocpipeProcessAlive(int64_t pid) {
  if (pid <= 0) return false;
  std::ifstream cmdline(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
  if (!cmdline) return false;
  const std::string command((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  return command.find("docpipe") != std::string::npos;
}

std::string RunState(const RunRecord& run, const json& config, const json& metrics, const std::string& this_host) {
  if (!run.finished_at.empty()) {
    if (metrics.contains("error")) return "failed";
    return metrics.value("cancelled", false) ? "interrupted" : "finished";
  }
  const std::string host = config.value("host", std::string());
  if (host.empty() || host != this_host) return "running?";
  return DocpipeProcessAlive(config.value("pid", int64_t{0})) ? "running" : "killed";
}

json RunJson(const RunRecord& run, const std::string& this_host) {
  const json config = ParseOr(run.config_json);
  const json metrics = ParseOr(run.metrics_json);
  json out = {{"id", run.id},
              {"state", RunState(run, config, metrics, this_host)},
              {"started_at", run.started_at},
              {"finished_at", run.finished_at.empty() ? json(nullptr) : json(run.finished_at)},
              {"shard", config.value("shard", std::string("all"))},
              {"host", config.value("host", std::string())},
              {"pid", config.value("pid", int64_t{0})},
              {"workers", config.value("workers", 0)}};
  if (config.contains("slurm")) out["slurm"] = config["slurm"];
  if (metrics.contains("documents")) out["documents"] = metrics["documents"];
  if (metrics.contains("chunks")) out["chunks"] = metrics["chunks"];
  if (metrics.contains("wall_seconds")) out["wall_seconds"] = metrics["wall_seconds"];
  if (metrics.contains("error")) out["error"] = metrics["error"];
  out["failures"] = metrics.value("failures", json::array());
  return out;
}

void PrintTable(const json& runs) {
  std::printf("%-6s %-12s %-24s %-9s %-8s %-16s %7s %7s %7s %8s\n", "RUN", "STATE", "STARTED", "SECONDS", "SHARD",
              "HOST", "OK", "SKIPPED", "FAILED", "CHUNKS");
  for (const json& run : runs) {
    const json documents = run.value("documents", json::object());
    auto count = [&](const char* key) {
      return documents.contains(key) ? std::to_string(documents[key].get<int64_t>()) : std::string("-");
    };
    const std::string seconds =
        run.contains("wall_seconds") ? fmt::format("{:.1f}", run["wall_seconds"].get<double>()) : std::string("-");
    std::printf("%-6lld %-12s %-24s %-9s %-8s %-16s %7s %7s %7s %8s\n", static_cast<long long>(run["id"].get<int64_t>()),
                run["state"].get<std::string>().c_str(), run["started_at"].get<std::string>().c_str(), seconds.c_str(),
                run["shard"].get<std::string>().c_str(), run["host"].get<std::string>().c_str(),
                count("ok").c_str(), count("skipped").c_str(), count("failed").c_str(),
                run.contains("chunks") ? std::to_string(run["chunks"].get<int64_t>()).c_str() : "-");
    if (run.contains("error")) std::printf("       error: %s\n", run["error"].get<std::string>().c_str());
    for (const json& failure : run["failures"]) {
      std::printf("       failed: %s: %s\n", failure.value("path", std::string()).c_str(),
                  failure.value("reason", std::string()).c_str());
    }
  }
}

void RunRuns(const RunsFlags& flags) {
  if (flags.limit < 1) return FailCommand("runs", Status::InvalidArgument("--limit must be at least 1"));
  StoreOptions store_options;
  store_options.create_if_missing = false;
  store_options.read_only = true;
  Result<std::unique_ptr<Store>> store = Store::Open(flags.db, store_options);
  if (!store.ok()) return FailCommand("runs", store.status().WithContext("opening the store " + Store::DisplayLocation(flags.db)), true);
  Result<std::vector<RunRecord>> runs = (*store)->Runs(flags.limit);
  if (!runs.ok()) return FailCommand("runs", runs.status());
  const std::string this_host = ThisHost();
  json out = json::array();
  for (const RunRecord& run : *runs) out.push_back(RunJson(run, this_host));
  if (flags.json_output) {
    std::printf("%s\n", out.dump(2, ' ', false, json::error_handler_t::replace).c_str());
  } else {
    PrintTable(out);
  }
  SetExitCode(kExitOk);
}

void RegisterRuns(CLI::App& app) {
  auto flags = std::make_shared<RunsFlags>();
  CLI::App* cmd = app.add_subcommand("runs", "List the ingest runs of a store: state, shard, host, counts, failures");
  cmd->add_option("--db", flags->db, "Store location: a SQLite file or a postgresql:// URL")->capture_default_str();
  cmd->add_option("-n,--limit", flags->limit, "How many runs, newest first")->capture_default_str();
  cmd->add_flag("--json", flags->json_output, "One JSON array instead of a table");
  cmd->callback([flags] { RunRuns(*flags); });
}

DOCPIPE_REGISTER_COMMAND(RegisterRuns);

}  // namespace
}  // namespace docpipe::cli
