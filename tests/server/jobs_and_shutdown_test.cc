// /documents jobs (upload, server-side path, restart), and the real
// `docpipe serve` process shut down by SIGTERM in the middle of a load.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "docpipe/store.h"
#include "server_test_support.h"

namespace docpipe::testing {
namespace {

// Polls GET /jobs/{id} until the job is done or failed (or 60 s pass).
nlohmann::json WaitForJob(int port, const std::string& id) {
  nlohmann::json job;
  for (int i = 0; i < 600; ++i) {
    job = GetPath(port, "/jobs/" + id).json;
    if (job.value("state", "") == "done" || job.value("state", "") == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return job;
}

TEST(ServerJobs, UploadIsIngestedInTheBackground) {
  ScratchDir dir;
  TestServer server(TestConfig(dir));
  ASSERT_TRUE(server.ok());
  httplib::Client client("127.0.0.1", server.port());
  httplib::MultipartFormDataItems items = {{"file", kNotes, "notes.md", "text/markdown"}};
  auto result = client.Post("/documents", items);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 202) << result->body;
  std::string id = nlohmann::json::parse(result->body)["job_id"];
  nlohmann::json job = WaitForJob(server.port(), id);
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["source"], "upload");
  EXPECT_EQ(job["report"]["documents"]["ok"], 1) << job.dump();
  HttpReply search = server.Post("/search", R"({"query":"axolotl"})");
  ASSERT_EQ(search.json["hits"].size(), 1u) << search.body;
  // The job's stage counters, as its report shows them, are in /metrics.
  HttpReply metrics = server.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  ASSERT_FALSE(job["report"]["stages"].empty()) << job.dump();
  for (const auto& stage : job["report"]["stages"]) {
    const std::string name = stage["name"];
    EXPECT_NE(metrics.body.find("docpipe_pipeline_stage_units_total{stage=\"" + name + "\"} " +
                                std::to_string(stage["units"].get<int64_t>()) + "\n"),
              std::string::npos)
        << name << "\n"
        << metrics.body;
    EXPECT_NE(metrics.body.find("docpipe_pipeline_stage_busy_seconds_total{stage=\"" + name + "\"} "),
              std::string::npos)
        << name;
  }
  EXPECT_NE(metrics.body.find("docpipe_pipeline_stage_units_total{stage=\"convert\"} 1\n"), std::string::npos)
      << metrics.body;

  auto missing = client.Post("/documents", httplib::MultipartFormDataItems{{"other", "x", "x.md", "text/plain"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
}

TEST(ServerJobs, ServerSidePathsOnlyUnderAllowedDirectories) {
  ScratchDir dir;
  WriteFile(dir / "notes.md", kNotes);
  {
    TestServer closed(TestConfig(dir));
    ASSERT_TRUE(closed.ok());
    EXPECT_EQ(closed.Post("/documents", nlohmann::json{{"path", dir / "notes.md"}}.dump()).status, 403);
  }
  ServerConfig config = TestConfig(dir);
  config.allowed_paths = {dir.path()};
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server.Post("/documents", R"({"path":"/etc/passwd"})").status, 403);
  EXPECT_EQ(server.Post("/documents", nlohmann::json{{"path", dir / "../x/../notes.md"}}.dump()).status, 403);
  EXPECT_EQ(server.Post("/documents", nlohmann::json{{"path", dir / "absent.md"}}.dump()).status, 404);
  HttpReply accepted = server.Post("/documents", nlohmann::json{{"path", dir / "notes.md"}}.dump());
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(WaitForJob(server.port(), accepted.json["job_id"])["state"], "done");
}

TEST(ServerJobs, UnfinishedJobsResumeAfterARestart) {
  ScratchDir dir;
  WriteFile(dir / "notes.md", kNotes);
  ServerConfig config = TestConfig(dir);
  // A job reads a server-side path only while its directory is allowed.
  config.allowed_paths = {dir.path()};
  { TestServer first(config); }  // creates the store
  // A job the previous process accepted but did not get to.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "kb.sqlite").c_str(), &db), SQLITE_OK);
  std::string sql = "INSERT INTO jobs(kind, state, request) VALUES ('document', 'running', json_object('source', "
                    "'path', 'path', '" + (dir / "notes.md") + "'))";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  int64_t id = sqlite3_last_insert_rowid(db);
  sqlite3_close(db);

  TestServer second(config);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(WaitForJob(second.port(), std::to_string(id))["state"], "done");
  EXPECT_EQ(second.Get("/health").json["components"]["jobs"]["resumed_at_start"], 1);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(ServeProcess, SigtermMidLoadStoresEveryAcceptedChunkOnce) {
  ScratchDir dir;
  const int port = FreePort();
  pid_t pid = StartDocpipe({"serve", "--db", dir / "kb.sqlite", "--port", std::to_string(port), "--http-threads", "8"});
  ASSERT_GT(pid, 0);
  bool up = false;
  for (int i = 0; i < 300 && !up; ++i) {
    up = GetPath(port, "/health").status == 200;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(up) << "docpipe serve did not come up";

  std::mutex mutex;
  std::set<std::string> accepted;  // ids of chunks in requests answered 200
  std::atomic<int> answered{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      for (int r = 0; !stop; ++r) {
        std::vector<std::pair<std::string, std::string>> chunks;
        for (int k = 0; k < 4; ++k) {
          std::string id = std::to_string(c) + "-" + std::to_string(r) + "-" + std::to_string(k);
          chunks.push_back({id, "load chunk " + id});
        }
        HttpReply reply = PostJson(port, "/ingest", IngestBody(chunks));
        if (reply.status == 0) break;  // the server is gone
        if (reply.status == 200) {
          std::lock_guard lock(mutex);
          for (const auto& item : reply.json["stored"]) accepted.insert(item["id"].get<std::string>());
          ++answered;
        }
      }
    });
  }
  while (answered < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  stop = true;
  for (auto& client : clients) client.join();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);

  auto store = Store::Open(dir / "kb.sqlite");
  ASSERT_TRUE(store.ok());
  for (const std::string& id : accepted) {
    auto record = (*store)->FindByPath("ingest:test/" + id);
    ASSERT_TRUE(record.ok());
    EXPECT_TRUE(record->has_value()) << id << " was accepted but is not stored";
  }
  // One chunk per stored id: nothing doubled (requests cut off unanswered may have been stored too).
  auto counts = (*store)->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->chunks, counts->documents);
  EXPECT_GE(counts->documents, static_cast<int64_t>(accepted.size()));
}

}  // namespace
}  // namespace docpipe::testing
