// The server's jobs on both store backends: a document job and an extraction
// job cut off by a shutdown are in the store after a restart, the extraction
// job runs again to the end, each kind is found only under its own route, and
// /health names the backend the store really is; an earlier server's job file
// beside a PostgreSQL store is taken over.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sqlite3.h>

#include "../../store/earlier_server_jobs.h"
#include "../../store/pg/pg_test_database.h"
#include "../server_test_support.h"
#include "fake_llm_server.h"

namespace docpipe::testing {
namespace {

using nlohmann::json;

// Polls GET `path` until `done(job)` holds; 60 s at most.
template <typename Predicate>
json WaitFor(int port, const std::string& path, Predicate done) {
  json job;
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       std::chrono::steady_clock::now() < end;) {
    job = GetPath(port, path).json;
    if (done(job)) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << path << " did not get there in 60 s: " << job.dump();
  return job;
}

bool Ended(const json& job) {
  const std::string state = job.value("state", "");
  return state == "done" || state == "failed" || state == "cancelled";
}

class ServerJobsBackends : public ::testing::TestWithParam<std::string> {
 protected:
  ServerConfig Config() {
    ServerConfig config = TestConfig(dir_);
    if (GetParam() == "postgresql") {
      if (!database_) database_ = std::make_unique<PgTestDatabase>();
      config.db = database_->url();
    }
    return config;
  }
  ScratchDir dir_;
  std::unique_ptr<PgTestDatabase> database_;
};

TEST_P(ServerJobsBackends, JobsOutliveARestart) {
  std::string document_job;
  {
    TestServer server(Config());
    ASSERT_TRUE(server.ok());
    json health = server.Get("/health").json;
    EXPECT_EQ(health["components"]["store"]["engine"].get<std::string>().rfind(GetParam() + " ", 0), 0u)
        << health.dump();
    httplib::Client client("127.0.0.1", server.port());
    auto upload = client.Post("/documents", httplib::MultipartFormDataItems{
                                                {"file", "title: Field notes\n\nThe axolotl regrows limbs.\n",
                                                 "notes.md", "text/markdown"}});
    ASSERT_TRUE(upload);
    ASSERT_EQ(upload->status, 202) << upload->body;
    document_job = json::parse(upload->body)["job_id"];
    EXPECT_EQ(WaitFor(server.port(), "/jobs/" + document_job, Ended)["state"], "done");
  }

  FakeLlmServer llm({.hang_first = 1000000});
  ServerConfig config = Config();
  config.enrich.llm_url = llm.url();
  config.enrich.llm_model = "fake-model";
  config.enrich.llm_retries = 0;
  std::string extract_job;
  {
    TestServer server(config);
    ASSERT_TRUE(server.ok());
    HttpReply submitted = server.Post("/extract", json{{"schema", {{"type", "object"},
                                                                   {"properties", {{"title", {{"type", "string"}}}}},
                                                                   {"required", {"title"}}}},
                                                       {"all", true}}
                                                      .dump());
    ASSERT_EQ(submitted.status, 202) << submitted.body;
    extract_job = submitted.json["id"];
    WaitFor(server.port(), "/extract/" + extract_job,
            [](const json& job) { return job.value("state", "") == "running"; });
    server.server().Shutdown();  // the LLM never answered: the job is cut off
  }

  llm.set_behavior({});
  TestServer again(config);
  ASSERT_TRUE(again.ok());
  json job = WaitFor(again.port(), "/extract/" + extract_job, Ended);
  EXPECT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["counts"]["ok"], 1) << job.dump();
  EXPECT_EQ(job["progress"]["documents_total"], 1);
  EXPECT_EQ(again.Get("/health").json["components"]["jobs"]["extract_resumed_at_start"], 1);
  EXPECT_EQ(again.Get("/jobs/" + document_job).json["state"], "done");
  EXPECT_EQ(again.Get("/jobs/" + document_job).json["source"], "upload");
  // Ids are shared, kinds are not: each job is found only under its own route.
  EXPECT_EQ(again.Get("/extract/" + document_job).status, 404);
  EXPECT_EQ(again.Get("/jobs/" + extract_job).status, 404);
}

// Servers before the jobs table kept a PostgreSQL-backed server's document
// jobs in <upload-dir>/jobs.sqlite. A server on a PostgreSQL store takes them
// over with their ids (a queued one runs) and renames the file; a SQLite
// store's own migration covers its jobs, so there the file is not touched.
TEST_P(ServerJobsBackends, JobsOfAnEarlierServersJobFileMoveIntoTheStore) {
  ServerConfig config = Config();
  config.upload_dir = dir_ / "uploads";
  config.allowed_paths = {dir_.path()};
  std::filesystem::create_directories(config.upload_dir);
  const std::string notes = dir_ / "notes.md";
  {
    std::ofstream out(notes);
    out << "# Field notes\n\nThe axolotl regrows limbs.\n";
  }
  const std::string job_file = config.upload_dir + "/jobs.sqlite";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(job_file.c_str(), &db), SQLITE_OK);
    const std::string sql = std::string(kEarlierServerJobsTable) + R"sql(
      INSERT INTO server_jobs(id, state, source, path, report, created_at)
        VALUES (7, 'done', 'upload', '/up/earlier.pdf', '{"documents": {"ok": 1}}', '2026-11-20T08:30:00.000Z');
      INSERT INTO server_jobs(id, state, source, path) VALUES (9, 'queued', 'path', ')sql" +
                            notes + "');";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  TestServer server(config);
  ASSERT_TRUE(server.ok());
  if (GetParam() == "sqlite") {
    EXPECT_EQ(server.Get("/jobs/7").status, 404);
    EXPECT_TRUE(std::filesystem::exists(job_file));
    return;
  }
  EXPECT_FALSE(std::filesystem::exists(job_file));
  EXPECT_TRUE(std::filesystem::exists(job_file + ".imported"));
  json earlier = server.Get("/jobs/7").json;
  EXPECT_EQ(earlier["state"], "done") << earlier.dump();
  EXPECT_EQ(earlier["source"], "upload");
  EXPECT_EQ(earlier["path"], "/up/earlier.pdf");
  EXPECT_EQ(earlier["report"]["documents"]["ok"], 1) << earlier.dump();
  EXPECT_EQ(earlier["created_at"], "2026-11-20T08:30:00.000Z");
  // The job queued before the upgrade runs now.
  json queued = WaitFor(server.port(), "/jobs/9", Ended);
  EXPECT_EQ(queued["state"], "done") << queued.dump();
  EXPECT_EQ(server.Get("/health").json["components"]["jobs"]["resumed_at_start"], 1);
  // New jobs are numbered after the imported ones.
  HttpReply next = server.Post("/documents", json{{"path", notes}}.dump());
  ASSERT_EQ(next.status, 202) << next.body;
  EXPECT_GT(std::stoll(next.json["job_id"].get<std::string>()), 9);
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerJobsBackends, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace docpipe::testing
