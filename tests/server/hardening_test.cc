// Hostile requests over real HTTP: deep JSON, bodies past the limit in any
// transfer encoding, slow and idle connections, the connection limit, what
// /health shows without the key, and the Authorization header's bytes.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <vector>

#include <filesystem>

#include "core/redact.h"
#include "fake_llm_server.h"
#include "server/allowed_path.h"
#include "raw_client.h"
#include "server_test_support.h"

namespace docpipe::testing {
namespace {

using namespace std::chrono_literals;

// This process's resident set, in bytes (0 when /proc is not there).
size_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

TEST(ServerHardening, DeeplyNestedJsonIsRefusedNotFatal) {
  ScratchDir dir;
  TestServer server(TestConfig(dir));
  ASSERT_TRUE(server.ok());
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  HttpReply metadata = server.Post("/ingest", R"({"chunks":[{"text":"a","metadata":{"x":)" + deep + "}}]}");
  EXPECT_EQ(metadata.status, 400);
  EXPECT_NE(MessageOf(metadata).find("nested deeper than"), std::string::npos) << metadata.body;
  EXPECT_EQ(server.Post("/search", R"({"query":"x","k":)" + deep + "}").status, 400);
  EXPECT_EQ(server.Post("/v1/embeddings", R"({"input":)" + deep + "}").status, 400);
  EXPECT_EQ(server.Post("/documents", R"({"path":)" + deep + "}").status, 400);
  // Brackets inside strings are text, not nesting.
  EXPECT_EQ(server.Post("/ingest", IngestBody({{"a", std::string(1000, '[')}})).status, 200);
  EXPECT_EQ(server.Get("/health").status, 200);
}

TEST(ServerHardening, ChunkedBodyPastTheLimitIs413WhileReading) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.max_body_bytes = 1 << 20;
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  const size_t rss_before = ResidentBytes();
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.Send("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n"));
  const std::string piece = std::string(64 << 10, 'x');
  const std::string chunk = "10000\r\n" + piece + "\r\n";
  const size_t offered = size_t{256} << 20;
  size_t sent = 0;
  while (sent < offered && !connection.Readable() && connection.Send(chunk)) sent += piece.size();
  const std::string response = connection.ReadAll();
  EXPECT_EQ(StatusOf(response), 413) << response.substr(0, 200);
  EXPECT_NE(response.find("larger than the server accepts"), std::string::npos);
  // The server stopped reading near the limit: only socket buffers took more.
  EXPECT_LT(sent, offered / 4);
  if (rss_before > 0) {
    EXPECT_LT(ResidentBytes(), rss_before + 8 * config.max_body_bytes + (32u << 20));
  }
  EXPECT_EQ(server.Get("/health").status, 200);
}

TEST(ServerHardening, DeclaredLengthPastTheLimitIs413BeforeTheBody) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.max_body_bytes = 1 << 20;
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.Send("POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n"));
  EXPECT_EQ(StatusOf(connection.ReadAll()), 413);
}

TEST(ServerHardening, SlowAndIdleConnectionsNeitherStarveNorBlockShutdown) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.http_threads = 2;
  config.header_timeout_seconds = 2;
  auto server = std::make_unique<TestServer>(config);
  ASSERT_TRUE(server->ok());
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 60; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server->port()));
    ASSERT_TRUE(slow.back()->Send("GET /hea"));
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(server->Get("/health").status, 200);
  EXPECT_EQ(server->Post("/search", R"({"query":"anything"})").status, 200);
  // Past the header deadline a trickling connection is closed without an answer.
  std::string answer = slow.front()->ReadAll(30s);
  EXPECT_EQ(answer, "");
  EXPECT_TRUE(slow.front()->Readable());  // closed, not waiting
  // Shutdown does not wait for the slow clients (the test would hang).
  server.reset();
  for (auto& connection : slow) EXPECT_EQ(connection->ReadAll(30s), "");
}

TEST(ServerHardening, PastTheConnectionLimitNewConnectionsGet503) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.max_connections = 4;
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(idle.back()->Send("G"));
  }
  // The server counts a connection once it has accepted it; poll until the
  // limit is reached (every try is itself a refused or answered connection).
  int status = 0;
  for (int attempt = 0; attempt < 100 && status != 503; ++attempt) {
    RawConnection extra(server.port());
    extra.Send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    status = StatusOf(extra.ReadAll(5s));
  }
  EXPECT_EQ(status, 503);
  idle.clear();
  int after = 0;
  for (int attempt = 0; attempt < 100 && after != 200; ++attempt) after = server.Get("/health").status;
  EXPECT_EQ(after, 200);
}

TEST(ServerHardening, HealthWithoutTheKeyShowsOnlyLivenessAndNoCredentials) {
  FakeLlmServer llm;
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  const std::string port = llm.url().substr(llm.url().rfind(':') + 1);
  config.enrich.llm_url = "http://alice:pa55word@127.0.0.1:" + port + "/?token=tok3n";
  {
    TestServer open(config);
    ASSERT_TRUE(open.ok());
    HttpReply health = open.Get("/health");
    ASSERT_EQ(health.status, 200) << health.body;
    EXPECT_EQ(health.json["components"]["llm"]["url"], "http://alice:***@127.0.0.1:" + port + "/?token=***");
    EXPECT_EQ(health.body.find("pa55word"), std::string::npos);
    EXPECT_EQ(health.body.find("tok3n"), std::string::npos);
  }
  config.api_key = "k3y";
  config.host = "127.0.0.1";
  TestServer guarded(config);
  ASSERT_TRUE(guarded.ok());
  HttpReply anonymous = guarded.Get("/health");
  ASSERT_EQ(anonymous.status, 200);
  EXPECT_EQ(anonymous.json, nlohmann::json({{"status", "ok"}, {"ready", true}}));
  HttpReply detailed = guarded.Get("/health", "k3y");
  EXPECT_TRUE(detailed.json.contains("components")) << detailed.body;
  EXPECT_EQ(detailed.body.find("pa55word"), std::string::npos);
}

TEST(ServerHardening, AuthorizationComparesRawBytesWithAnyCaseScheme) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.api_key = "a-b";
  config.host = "127.0.0.1";
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  auto status_with = [&](const std::string& authorization) {
    RawConnection connection(server.port());
    connection.Send("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: " + authorization +
                    "\r\n\r\n");
    return StatusOf(connection.ReadAll());
  };
  EXPECT_EQ(status_with("Bearer a-b"), 200);
  EXPECT_EQ(status_with("bearer a-b"), 200);
  EXPECT_EQ(status_with("BEARER a-b"), 200);
  EXPECT_EQ(status_with("Bearer a%2Db"), 401);
  EXPECT_EQ(status_with("Bearer a-b%00junk"), 401);
  EXPECT_EQ(status_with("Bearer a-"), 401);
  EXPECT_EQ(status_with("Basic a-b"), 401);
}

TEST(ServerHardening, SmallerRequestDefects) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.max_pending_chunks = 2;
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  HttpReply page = server.Post("/ingest", R"({"chunks":[{"text":"a","metadata":{"page":99999999999999}}]})");
  EXPECT_EQ(page.status, 400);
  EXPECT_NE(MessageOf(page).find("chunks[0].metadata.page: expected an integer"), std::string::npos) << page.body;
  EXPECT_EQ(server.Post("/ingest", R"({"chunks":[{"text":"a","metadata":{"page":0}}]})").status, 400);
  EXPECT_EQ(server.Post("/ingest", R"({"chunks":[{"text":"a","metadata":{"page":7}}]})").status, 200);
  // Three chunks can never fit under two pending: 413, not 503 forever.
  HttpReply never = server.Post("/ingest", IngestBody({{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(never.status, 413);
  EXPECT_NE(MessageOf(never).find("max-pending-chunks"), std::string::npos);
  // curl -d sends application/x-www-form-urlencoded; the body is still JSON.
  httplib::Client client("127.0.0.1", server.port());
  auto form = client.Post("/ingest", IngestBody({{"f", std::string(20000, 'y')}}), "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 200) << form->body;
}

TEST(ServerHardening, UploadNamesAreKeptSafeAndNothingIsLeftOnFailure) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.upload_dir = dir / "uploads";
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  httplib::Client client("127.0.0.1", server.port());
  auto path_of = [&](const std::string& name, const std::string& content) {
    auto result = client.Post("/documents", httplib::MultipartFormDataItems{{"file", content, name, "application/pdf"}});
    if (!result || result->status != 202) return "status " + std::to_string(result ? result->status : 0);
    std::string id = nlohmann::json::parse(result->body)["job_id"];
    return server.Get("/jobs/" + id).json.value("path", std::string("no path"));
  };
  std::string long_name = path_of(std::string(300, 'n') + ".md", "# long\n\nname\n");
  EXPECT_LE(std::filesystem::path(long_name).filename().string().size(), 120u) << long_name;
  EXPECT_EQ(std::filesystem::path(long_name).extension(), ".md") << long_name;
  EXPECT_EQ(std::filesystem::path(path_of("..", "%PDF-1.4 not really")).filename(), "upload.pdf");
  EXPECT_EQ(std::filesystem::path(path_of("", "%PDF-1.4 also not")).filename(), "upload.pdf");
  // An upload folder that cannot be made: a clear error, no server path, nothing left.
  WriteFile(dir / "blocked", "a file where a folder should be");
  ServerConfig blocked = TestConfig(dir);
  blocked.db = dir / "other.sqlite";
  blocked.upload_dir = dir / "blocked";
  TestServer failing(blocked);
  ASSERT_TRUE(failing.ok());
  httplib::Client failing_client("127.0.0.1", failing.port());
  auto refused = failing_client.Post("/documents", httplib::MultipartFormDataItems{{"file", "text", "a.md", "text/plain"}});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 500);
  EXPECT_EQ(refused->body.find(dir.path()), std::string::npos) << refused->body;
}

TEST(ServerHardening, DocumentPathsAreCheckedAsOpenedNotAsWritten) {
  ScratchDir dir;
  std::filesystem::create_directories(dir / "allowed");
  WriteFile(dir / "allowed/notes.md", "# notes\n");
  WriteFile(dir / "secret.md", "# secret\n");
  std::filesystem::create_symlink(dir / "secret.md", dir / "allowed/link.md");
  ServerConfig config = TestConfig(dir);
  config.allowed_paths = {dir / "allowed"};
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server.Post("/documents", nlohmann::json{{"path", dir / "allowed/link.md"}}.dump()).status, 403);
  // The check a job repeats before reading: a file swapped for a symlink
  // after submission no longer passes.
  Result<std::string> real = server::ResolveAllowedFile(dir / "allowed/notes.md", config.allowed_paths);
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  std::filesystem::remove(dir / "allowed/notes.md");
  std::filesystem::create_symlink(dir / "secret.md", dir / "allowed/notes.md");
  Result<std::string> swapped = server::ResolveAllowedFile(*real, config.allowed_paths);
  EXPECT_EQ(swapped.status().code(), StatusCode::kPermissionDenied);
}

TEST(Redaction, CredentialsLeaveUrlsAndKeepWhereTheyPoint) {
  EXPECT_EQ(RedactCredentials("https://u:p@h:1/v1?token=abc&x=1#model"), "https://u:***@h:1/v1?token=***&x=***#model");
  EXPECT_EQ(RedactCredentials("http://host/v1"), "http://host/v1");
  EXPECT_EQ(RedactCredentials("http://user@host/?key"), "http://user@host/?***");
  EXPECT_EQ(RedactCredentials("host=db password=s3cret dbname=kb"), "host=db password=*** dbname=kb");
  EXPECT_EQ(RedactCredentials("/var/lib/kb.sqlite"), "/var/lib/kb.sqlite");
}

}  // namespace
}  // namespace docpipe::testing
