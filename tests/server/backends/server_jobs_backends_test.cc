// The server's jobs on both store backends: a document job and an extraction
// job cut off by a shutdown are in the store after a restart, the extraction
// job runs again to the end, each kind is found only under its own route, and
// /health names the backend the store really is.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

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

INSTANTIATE_TEST_SUITE_P(Backends, ServerJobsBackends, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace docpipe::testing
