// Validation (400 naming the field), limits (413), backpressure (503 +
// Retry-After), auth (401), unknown routes and jobs (404), and configuration.
#include <gtest/gtest.h>

#include <future>

#include "fake_llm_server.h"
#include "server_test_support.h"

namespace docpipe::testing {
namespace {

TEST(ServerErrors, BadRequestsGetPreciseMessages) {
  ScratchDir dir;
  TestServer server(TestConfig(dir));
  ASSERT_TRUE(server.ok());
  struct Case {
    const char* body;
    const char* message;
  };
  const Case cases[] = {
      {"", "body: expected a JSON object, got an empty body"},
      {"{\"chunks\": [", "body: not valid JSON"},
      {"[1,2]", "body: expected a JSON object, got an array"},
      {"{}", "chunks: required field is missing"},
      {R"({"chunks": "x"})", "chunks: expected an array of chunk objects, got a string"},
      {R"({"chunks": []})", "chunks: expected at least one chunk"},
      {R"({"chunks": [{"text": 5}]})", "chunks[0].text: expected a string, got a number"},
      {R"({"chunks": [{"text": "a"}, {"txt": "b"}]})", "chunks[1].txt: unknown field"},
      {R"({"chunks": [{"text": "a", "id": true}]})", "chunks[0].id: expected a non-empty string or an integer"},
      {R"({"chunks": [{"text": "a", "metadata": []}]})", "chunks[0].metadata: expected an object, got an array"},
      {R"({"chunks": [{"text": "a"}], "skip_llm": "yes"})", "skip_llm: expected true or false, got a string"},
      {R"({"chunks": [{"text": "a"}], "dataset_source": ""})", "dataset_source: expected a non-empty string"},
  };
  for (const Case& c : cases) {
    HttpReply reply = server.Post("/ingest", c.body);
    EXPECT_EQ(reply.status, 400) << c.body;
    EXPECT_NE(MessageOf(reply).find(c.message), std::string::npos) << c.body << " -> " << MessageOf(reply);
    EXPECT_EQ(reply.json["error"]["code"], "invalid_argument") << c.body;
  }
  EXPECT_NE(MessageOf(server.Post("/search", R"({"query":"x","k":0})")).find("k: expected an integer in [1, 1000]"),
            std::string::npos);
  EXPECT_NE(MessageOf(server.Post("/search", R"({"k":3})")).find("query: required field is missing"),
            std::string::npos);
  EXPECT_NE(MessageOf(server.Post("/search", R"({"query":"\"unbalanced"})")).size(), 0u);
  EXPECT_EQ(server.Post("/search", R"({"query":"x","mode":"semantic"})").status, 400);
  EXPECT_NE(MessageOf(server.Post("/v1/embeddings", R"({"input":["a",1]})")).find("input[1]: expected a string"),
            std::string::npos);
}

TEST(ServerErrors, LimitsAnswer413AndUnknownThings404) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.max_body_bytes = 4096;
  config.max_chunks_per_request = 3;
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  HttpReply big = server.Post("/ingest", IngestBody({{"a", std::string(5000, 'x')}}));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.json["error"]["code"], "resource_exhausted");
  HttpReply many = server.Post("/ingest", IngestBody({{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}));
  EXPECT_EQ(many.status, 413);
  EXPECT_NE(MessageOf(many).find("the limit is 3"), std::string::npos);
  EXPECT_EQ(server.Get("/nothing").status, 404);
  EXPECT_EQ(server.Get("/nothing").json["error"]["code"], "not_found");
  EXPECT_EQ(server.Get("/jobs/12345").status, 404);
  EXPECT_EQ(server.Get("/jobs/abc").status, 404);
}

TEST(ServerErrors, FullQueueAnswers503WithRetryAfter) {
  FakeLlmServer llm({.latency_ms = 600});
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.enrich.llm_url = llm.url();
  config.max_pending_chunks = 4;
  config.retry_after_seconds = 2;
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  // Four chunks wait at the slow LLM; one more does not fit.
  auto slow = std::async(std::launch::async, [&] {
    return server.Post("/ingest", IngestBody({{"a", "one"}, {"b", "two"}, {"c", "three"}, {"d", "four"}}, false));
  });
  while (llm.requests() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  HttpReply refused = server.Post("/ingest", IngestBody({{"e", "five"}}));
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.retry_after, "2");
  EXPECT_EQ(refused.json["error"]["code"], "unavailable");
  EXPECT_EQ(slow.get().status, 200);
  // Once stored, there is room again.
  EXPECT_EQ(server.Post("/ingest", IngestBody({{"e", "five"}})).status, 200);
  EXPECT_NE(server.Get("/metrics").body.find("docpipe_ingest_chunks_total{outcome=\"rejected\"} 1"),
            std::string::npos);
}

TEST(ServerAuth, BearerTokenRequiredExceptForHealth) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.api_key = "s3cret-token";
  config.host = "127.0.0.1";
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(server.Get("/health").status, 200);
  HttpReply denied = server.Post("/ingest", IngestBody({{"a", "text"}}));
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.json["error"]["code"], "permission_denied");
  EXPECT_EQ(server.Post("/ingest", IngestBody({{"a", "text"}}), "wrong-token").status, 401);
  EXPECT_EQ(server.Get("/metrics").status, 401);
  EXPECT_EQ(server.Post("/ingest", IngestBody({{"a", "text"}}), "s3cret-token").status, 200);
  EXPECT_EQ(server.Get("/metrics", "s3cret-token").status, 200);
}

TEST(ServerHealth, ReportsComponentsAndVersions) {
  ScratchDir dir;
  TestServer server(TestConfig(dir));
  ASSERT_TRUE(server.ok());
  HttpReply health = server.Get("/health");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.json["status"], "ok");
  EXPECT_FALSE(health.json["version"].get<std::string>().empty());
  for (const char* component : {"store", "encoder", "llm", "index", "jobs"}) {
    EXPECT_TRUE(health.json["components"].contains(component)) << component;
  }
  EXPECT_EQ(health.json["components"]["llm"]["status"], "not_configured");
  EXPECT_NE(health.json["components"]["store"]["engine"].get<std::string>().find("sqlite"), std::string::npos);
}

TEST(ServerConfigTest, FileThenEnvironmentThenFlagsAndSecretsMasked) {
  ScratchDir dir;
  WriteFile(dir / "config.json", R"({"port": 9001, "llm_model": "from-file", "api-key": "file-key",
                                     "allow-path": ["/data/a", "/data/b"], "http-threads": 4})");
  ServerConfig config;
  ASSERT_TRUE(ApplyConfigFile(dir / "config.json", config).ok());
  EXPECT_EQ(config.port, 9001);
  EXPECT_EQ(config.allowed_paths.size(), 2u);
  std::map<std::string, std::string> env = {{"DOCPIPE_LLM_MODEL", "from-env"}, {"DOCPIPE_PORT", "9002"}};
  ASSERT_TRUE(ApplyEnvironment(config, [&](const std::string& name) {
                return env.count(name) ? env.at(name).c_str() : nullptr;
              }).ok());
  EXPECT_EQ(config.enrich.llm_model, "from-env");
  ASSERT_TRUE(ApplySettings({{"port", "9003"}}, config).ok());
  EXPECT_EQ(config.port, 9003);
  EXPECT_EQ(config.http_threads, 4);
  ASSERT_TRUE(FinishConfig(config).ok());
  EXPECT_EQ(config.host, "0.0.0.0");  // an API key guards it
  std::string described = DescribeConfig(config);
  EXPECT_EQ(described.find("file-key"), std::string::npos);
  EXPECT_NE(described.find("api-key = ****"), std::string::npos);
  EXPECT_NE(described.find("llm-api-key = (none)"), std::string::npos);

  ServerConfig bad;
  Status port = ApplySettings({{"port", "70000"}}, bad);
  EXPECT_EQ(port.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(port.message().find("port"), std::string::npos);
  EXPECT_FALSE(ApplySettings({{"prot", "1"}}, bad).ok());
  WriteFile(dir / "bad.json", R"({"no-such-setting": 1})");
  EXPECT_NE(ApplyConfigFile(dir / "bad.json", bad).message().find("no-such-setting"), std::string::npos);
  ServerConfig local;
  ASSERT_TRUE(FinishConfig(local).ok());
  EXPECT_EQ(local.host, "127.0.0.1");
}

}  // namespace
}  // namespace docpipe::testing
