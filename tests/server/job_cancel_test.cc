// DELETE /documents/{job}: a running job stops at its next page and leaves
// only complete documents; a queued job never runs; a finished job is left as
// it is; shutdown stops a running job, which runs again at the next start; a
// job table made before cancelling existed gains the new state.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "docpipe/store.h"
#include "server_test_support.h"

namespace docpipe::testing {
namespace {

// Polls GET /jobs/{id} until `done(state)` holds (or 60 s pass).
template <typename Done>
nlohmann::json WaitForJobState(int port, const std::string& id, Done done) {
  nlohmann::json job;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    job = GetPath(port, "/jobs/" + id).json;
    if (done(job.value("state", ""))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return job;
}

bool Finished(const std::string& state) {
  return state == "done" || state == "failed" || state == "cancelled";
}

HttpReply Delete(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  HttpReply reply;
  auto result = client.Delete(path);
  if (!result) return reply;
  reply.status = result->status;
  reply.body = result->body;
  reply.json = nlohmann::json::parse(result->body, nullptr, false);
  return reply;
}

std::string Submit(TestServer& server, const std::string& path) {
  HttpReply accepted = server.Post("/documents", nlohmann::json{{"path", path}}.dump());
  EXPECT_EQ(accepted.status, 202) << accepted.body;
  return accepted.json.value("job_id", "");
}

TEST(ServerJobCancel, DeleteStopsARunningJobAndKeepsOnlyCompleteDocuments) {
  ScratchDir dir;
  MakeCorpus(dir.path(), {"long"});  // 1,000 pages: seconds of conversion
  WriteFile(dir / "notes.md", kNotes);
  ServerConfig config = TestConfig(dir);
  config.allowed_paths = {dir.path()};
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  const int port = server.port();

  const std::string notes = Submit(server, dir / "notes.md");
  ASSERT_EQ(WaitForJobState(port, notes, Finished)["state"], "done");
  const std::string running = Submit(server, dir / "long.pdf");
  const std::string queued = Submit(server, dir / "notes.md");
  ASSERT_EQ(
      WaitForJobState(port, running, [](const std::string& state) { return state != "queued"; })["state"],
      "running");

  // The queued job is cancelled at once and never runs.
  HttpReply dropped = Delete(port, "/documents/" + queued);
  ASSERT_EQ(dropped.status, 200) << dropped.body;
  EXPECT_EQ(dropped.json["state"], "cancelled") << dropped.body;
  EXPECT_FALSE(dropped.json.contains("report")) << dropped.body;

  HttpReply stopped = Delete(port, "/documents/" + running);
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  ASSERT_EQ(stopped.json["state"], "cancelled") << stopped.body;
  EXPECT_TRUE(stopped.json["report"]["cancelled"].get<bool>()) << stopped.body;
  EXPECT_EQ(stopped.json["report"]["documents"]["ok"], 0) << stopped.body;

  // Only complete documents are stored: the notes, not the long PDF, and nothing partial.
  auto store = Store::Open(config.db);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto counts = (*store)->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->documents, 1);
  EXPECT_EQ(counts->partial_documents, 0);
  auto long_record = (*store)->FindByPath(dir / "long.pdf");
  ASSERT_TRUE(long_record.ok());
  EXPECT_FALSE(long_record->has_value());

  // A finished job is left as it is; an unknown one is 404.
  HttpReply finished = Delete(port, "/documents/" + notes);
  EXPECT_EQ(finished.status, 200);
  EXPECT_EQ(finished.json["state"], "done");
  EXPECT_EQ(Delete(port, "/documents/987654").status, 404);
  EXPECT_EQ(Delete(port, "/documents/not-a-job").status, 404);

  // The cancelled job stays cancelled: the same file again is converted whole.
  const std::string again = Submit(server, dir / "notes.md");
  EXPECT_EQ(WaitForJobState(port, again, Finished)["state"], "done");
  EXPECT_EQ(GetPath(port, "/jobs/" + queued).json["state"], "cancelled");
}

// Shutting down stops a running job at its next page instead of waiting for
// it; the job is queued again and the next start converts it whole.
TEST(ServerJobCancel, ShutdownStopsARunningJobWhichRunsAgainAtTheNextStart) {
  ScratchDir dir;
  MakeCorpus(dir.path(), {"long"});
  ServerConfig config = TestConfig(dir);
  config.allowed_paths = {dir.path()};
  std::string id;
  {
    TestServer server(config);
    ASSERT_TRUE(server.ok());
    id = Submit(server, dir / "long.pdf");
    ASSERT_EQ(WaitForJobState(server.port(), id,
                              [](const std::string& state) { return state != "queued"; })["state"],
              "running");
    server.server().Shutdown();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "kb.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* select = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT state FROM jobs WHERE id = ?", -1, &select, nullptr),
            SQLITE_OK);
  sqlite3_bind_int64(select, 1, std::stoll(id));
  ASSERT_EQ(sqlite3_step(select), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(select, 0)), "queued");
  sqlite3_finalize(select);
  sqlite3_close(db);
  {
    auto store = Store::Open(config.db);
    ASSERT_TRUE(store.ok());
    auto counts = (*store)->Counts();
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->documents, 0);
    EXPECT_EQ(counts->partial_documents, 0);
  }

  TestServer again(config);
  ASSERT_TRUE(again.ok());
  nlohmann::json job = WaitForJobState(again.port(), id, Finished);
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["report"]["documents"]["ok"], 1);
  EXPECT_EQ(again.Get("/health").json["components"]["jobs"]["resumed_at_start"], 1);
}

}  // namespace
}  // namespace docpipe::testing
