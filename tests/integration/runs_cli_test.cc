// `docpipe runs`: every run of a store with its state (running, finished,
// interrupted, killed), shard, host, counts and failures, read back from a
// real store while real ingest processes run, stop and are killed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_runner.h"

namespace docpipe::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json Runs(const std::string& db) {
  CliResult result = RunDocpipe({"runs", "--db", db, "--json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  json runs = json::parse(result.out, nullptr, false);
  return runs.is_array() ? runs : json::array();
}

// Copies of the 1,000-page fixture, each a different document: minutes of work.
void MakeLongDocuments(const ScratchDir& dir, const std::string& folder, int copies) {
  MakeCorpus(dir / "corpus", {"long"});
  fs::create_directories(dir / folder);
  for (int i = 0; i < copies; ++i) {
    const std::string path = dir / (folder + "/long" + std::to_string(i) + ".pdf");
    fs::copy_file(dir / "corpus/long.pdf", path);
    std::ofstream(path, std::ios::app) << "\n% copy " << i << "\n";
  }
}

// Waits until the newest run of `db` is `state`; false after 2 minutes.
bool WaitForNewestRun(const std::string& db, int64_t id, const std::string& state) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(db)) {
      CliResult result = RunDocpipe({"runs", "--db", db, "--json", "-n", "1"});
      json runs = json::parse(result.out, nullptr, false);
      if (runs.is_array() && !runs.empty() && runs[0]["id"] == id && runs[0]["state"] == state) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(RunsCliTest, FinishedRunsShowTheirShardCountsAndFailures) {
  ScratchDir dir;
  fs::create_directories(dir / "docs");
  WriteFile(dir / "docs/a.md", "# Alpha\n\nThe first note of the run.\n");
  WriteFile(dir / "docs/b.md", "# Beta\n\nThe second note of the run.\n");
  WriteFile(dir / "docs/broken.pdf", "%PDF-1.7\nthis is not a PDF body\n");
  const std::string db = dir / "kb.sqlite";
  CliResult first = RunDocpipe({"ingest", dir / "docs", "--db", db, "--json"});
  EXPECT_EQ(first.exit_code, 1) << first.err;  // one input failed
  CliResult second = RunDocpipe({"ingest", dir / "docs", "--db", db, "--json", "--shard", "0/1"});
  EXPECT_EQ(second.exit_code, 1) << second.err;

  json runs = Runs(db);
  ASSERT_EQ(runs.size(), 2u) << runs;
  EXPECT_EQ(runs[0]["id"], 2);  // newest first
  for (const json& run : runs) {
    EXPECT_EQ(run["state"], "finished") << run;
    EXPECT_FALSE(run["finished_at"].is_null());
    EXPECT_EQ(run["pid"].get<int64_t>() > 0, true);
    EXPECT_FALSE(run["host"].get<std::string>().empty());
    ASSERT_EQ(run["failures"].size(), 1u) << run;
    EXPECT_EQ(run["failures"][0]["path"], dir / "docs/broken.pdf");
    EXPECT_EQ(run["documents"]["failed"], 1);
  }
  EXPECT_EQ(runs[1]["documents"]["ok"], 2);
  EXPECT_EQ(runs[0]["documents"]["skipped"], 2);
  EXPECT_EQ(runs[0]["shard"], "0/1");

  // The table a person reads: one line per run, the failure under it.
  CliResult table = RunDocpipe({"runs", "--db", db});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("STATE"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("finished"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("failed: " + dir / "docs/broken.pdf"), std::string::npos) << table.out;

  CliResult missing = RunDocpipe({"runs", "--db", dir / "none.sqlite"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

TEST(RunsCliTest, RunningInterruptedAndKilledRunsAreToldApart) {
  ScratchDir dir;
  MakeLongDocuments(dir, "many", 6);
  const std::string db = dir / "kb.sqlite";
  const std::vector<std::string> ingest = {"ingest", dir / "many", "--db", db, "--workers", "1", "--batch", "1"};

  // kill -9 leaves a run without an end, and no process: killed.
  pid_t killed = StartDocpipe(ingest, dir / "out1.txt", dir / "err1.txt");
  ASSERT_GT(killed, 0);
  ASSERT_TRUE(WaitForNewestRun(db, 1, "running")) << Runs(db);
  ASSERT_EQ(kill(killed, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(killed, &status, 0), killed);
  json runs = Runs(db);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["state"], "killed") << runs;
  EXPECT_TRUE(runs[0]["finished_at"].is_null());

  // SIGTERM (as kill, systemd and SLURM send it) stops the run like Ctrl-C,
  // which records its end: interrupted.
  pid_t interrupted = StartDocpipe(ingest, dir / "out2.txt", dir / "err2.txt");
  ASSERT_GT(interrupted, 0);
  ASSERT_TRUE(WaitForNewestRun(db, 2, "running")) << Runs(db);
  ASSERT_EQ(kill(interrupted, SIGTERM), 0);
  ASSERT_EQ(waitpid(interrupted, &status, 0), interrupted);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 143) << ReadFile(dir / "err2.txt");
  runs = Runs(db);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["state"], "interrupted") << runs;
  EXPECT_FALSE(runs[0]["finished_at"].is_null());
  EXPECT_EQ(runs[1]["state"], "killed") << runs;
}

}  // namespace
}  // namespace docpipe::testing
