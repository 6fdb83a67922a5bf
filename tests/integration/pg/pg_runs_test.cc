// `docpipe runs` on PostgreSQL: a run that stops on a store error records
// its end as failed, with the error; the shard of each task is shown.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_runner.h"
#include "pg_test_database.h"

namespace docpipe::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json NewestRun(const std::string& url) {
  CliResult result = RunDocpipe({"runs", "--db", url, "--json", "-n", "1"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  json runs = json::parse(result.out, nullptr, false);
  return runs.is_array() && !runs.empty() ? runs[0] : json::object();
}

TEST(PgRunsTest, ARunStoppedByAStoreErrorIsFailedWithTheError) {
  PgTestDatabase db;
  ScratchDir dir;
  MakeCorpus(dir / "corpus", {"long"});
  fs::create_directories(dir / "many");
  for (int i = 0; i < 6; ++i) {
    const std::string path = dir / ("many/long" + std::to_string(i) + ".pdf");
    fs::copy_file(dir / "corpus/long.pdf", path);
    std::ofstream(path, std::ios::app) << "\n% copy " << i << "\n";
  }
  pid_t child = StartDocpipe({"ingest", dir / "many", "--db", db.url(), "--workers", "1", "--batch", "1",
                              "--shard", "0/1"},
                             dir / "out.txt", dir / "err.txt");
  ASSERT_GT(child, 0);
  // Once the run is going, the chunks table goes away under it: the next write fails.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  bool running = false;
  while (!running && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    running = PgQuery(db.url(), "SELECT to_regclass('runs') IS NOT NULL") == "t" &&
              PgQuery(db.url(), "SELECT count(*) FROM runs") == "1" && NewestRun(db.url())["state"] == "running";
  }
  ASSERT_TRUE(running) << NewestRun(db.url());
  EXPECT_EQ(NewestRun(db.url())["shard"], "0/1");
  PgExec(db.url(), "ALTER TABLE chunks RENAME TO chunks_moved_away");
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3) << ReadFile(dir / "err.txt");

  const json run = NewestRun(db.url());
  EXPECT_EQ(run["state"], "failed") << run;
  EXPECT_FALSE(run["finished_at"].is_null());
  EXPECT_NE(run["error"].get<std::string>().find("chunks"), std::string::npos) << run;
}

}  // namespace
}  // namespace docpipe::testing
