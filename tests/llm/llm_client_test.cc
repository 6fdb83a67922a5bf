// The async client against the in-process fake server: protocols, retries,
// Retry-After, timeouts, the breaker, bounded concurrency, keep-alive, secrets.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "docpipe/llm_client.h"
#include "fake_llm_server.h"

namespace docpipe {
namespace {

using nlohmann::json;
using testing::FakeLlmBehavior;
using testing::FakeLlmServer;

LlmClientOptions FastOptions(const FakeLlmServer& server, LlmProtocol protocol = LlmProtocol::kOllamaChat) {
  LlmClientOptions options;
  options.base_url = protocol == LlmProtocol::kOpenAiChat ? server.url() + "/v1" : server.url();
  options.protocol = protocol;
  options.model = "test-model";
  options.backoff_initial = std::chrono::milliseconds(5);
  options.backoff_max = std::chrono::milliseconds(20);
  options.request_timeout = std::chrono::milliseconds(5000);
  options.jitter_seed = 42;
  return options;
}

LlmRequest SimpleRequest() {
  LlmRequest request;
  request.messages = {{"system", "be terse"}, {"user", "Chunks (JSON):\n{\"chunks\":[{\"id\":\"a\",\"text\":\"Hello World\"}]}"}};
  request.schema_json = R"({"type":"object","properties":{"results":{"type":"array"}}})";
  return request;
}

std::unique_ptr<LlmClient> MakeClient(const LlmClientOptions& options) {
  Result<std::unique_ptr<LlmClient>> client = LlmClient::Make(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

TEST(LlmClientTest, OllamaChatSendsSchemaAsFormat) {
  FakeLlmServer server;
  auto client = MakeClient(FastOptions(server));
  Result<LlmResponse> response = client->Call(SimpleRequest()).get();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  json reply = json::parse(response->content);
  EXPECT_EQ(reply["results"][0]["id"], "a");
  EXPECT_EQ(response->attempts, 1);
  ASSERT_EQ(server.paths(), std::vector<std::string>{"/api/chat"});
  json body = json::parse(server.last_body());
  EXPECT_EQ(body["model"], "test-model");
  EXPECT_EQ(body["stream"], false);
  EXPECT_EQ(body["format"]["type"], "object");
  EXPECT_EQ(body["messages"][0]["role"], "system");
}

TEST(LlmClientTest, OllamaGenerateFlattensThePrompt) {
  FakeLlmServer server;
  auto client = MakeClient(FastOptions(server, LlmProtocol::kOllamaGenerate));
  Result<LlmResponse> response = client->Call(SimpleRequest()).get();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(json::parse(response->content)["results"][0]["id"], "a");
  EXPECT_EQ(server.paths(), std::vector<std::string>{"/api/generate"});
  json body = json::parse(server.last_body());
  EXPECT_EQ(body["system"], "be terse");
  EXPECT_NE(body["prompt"].get<std::string>().find("Hello World"), std::string::npos);
}

TEST(LlmClientTest, OpenAiUsesJsonSchemaOrJsonObject) {
  FakeLlmServer server;
  LlmClientOptions options = FastOptions(server, LlmProtocol::kOpenAiChat);
  options.api_key = "sk-test-key";
  auto client = MakeClient(options);
  ASSERT_TRUE(client->Call(SimpleRequest()).get().ok());
  EXPECT_EQ(server.paths().back(), "/v1/chat/completions");
  EXPECT_EQ(server.last_authorization(), "Bearer sk-test-key");
  json body = json::parse(server.last_body());
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  EXPECT_EQ(body["response_format"]["json_schema"]["schema"]["type"], "object");

  options.json_mode = JsonMode::kJsonObject;
  options.api_key.clear();
  auto plain = MakeClient(options);
  ASSERT_TRUE(plain->Call(SimpleRequest()).get().ok());
  EXPECT_EQ(json::parse(server.last_body())["response_format"]["type"], "json_object");
  EXPECT_EQ(server.last_authorization(), "");
}

TEST(LlmClientTest, ProtocolIsPickedFromTheUrl) {
  EXPECT_EQ(*ParseLlmProtocol("auto", "https://api.example.com/v1"), LlmProtocol::kOpenAiChat);
  EXPECT_EQ(*ParseLlmProtocol("auto", "https://api.example.com/v1/?x=1"), LlmProtocol::kOpenAiChat);
  EXPECT_EQ(*ParseLlmProtocol("auto", "http://localhost:11434"), LlmProtocol::kOllamaChat);
  EXPECT_EQ(*ParseLlmProtocol("ollama-generate", ""), LlmProtocol::kOllamaGenerate);
  EXPECT_FALSE(ParseLlmProtocol("grpc", "").ok());
}

TEST(LlmClientTest, RejectsBadOptions) {
  LlmClientOptions options;
  options.base_url = "localhost:11434";
  options.model = "m";
  EXPECT_EQ(LlmClient::Make(options).status().code(), StatusCode::kInvalidArgument);
  options.base_url = "http://localhost:11434";
  options.max_in_flight = 0;
  EXPECT_EQ(LlmClient::Make(options).status().code(), StatusCode::kInvalidArgument);
}

TEST(LlmClientTest, RetriesServerErrorsThenSucceeds) {
  FakeLlmServer server({.fail_first = 2, .fail_status = 503});
  auto client = MakeClient(FastOptions(server));
  Result<LlmResponse> response = client->Call(SimpleRequest()).get();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->attempts, 3);
  EXPECT_EQ(server.requests(), 3);
  LlmClientStats stats = client->stats();
  EXPECT_EQ(stats.retries, 2);
  EXPECT_EQ(stats.http_5xx, 2);
  EXPECT_EQ(stats.succeeded, 1);
}

TEST(LlmClientTest, GivesUpAfterMaxRetries) {
  FakeLlmServer server({.fail_first = 100, .fail_status = 500});
  LlmClientOptions options = FastOptions(server);
  options.max_retries = 2;
  options.breaker_failure_threshold = 100;
  auto client = MakeClient(options);
  Result<LlmResponse> response = client->Call(SimpleRequest()).get();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("after 3 attempts"), std::string::npos);
  EXPECT_EQ(server.requests(), 3);
}

TEST(LlmClientTest, ClientErrorsAreNotRetried) {
  FakeLlmServer server({.fail_first = 100, .fail_status = 400});
  auto client = MakeClient(FastOptions(server));
  Result<LlmResponse> response = client->Call(SimpleRequest()).get();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.requests(), 1);
}

TEST(LlmClientTest, HonoursRetryAfterOn429) {
  FakeLlmServer server({.fail_first = 1, .fail_status = 429, .retry_after_s = 1});
  auto client = MakeClient(FastOptions(server));
  Result<LlmResponse> response = client->Call(SimpleRequest()).get();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->attempts, 2);
  // The backoff alone is at most 20 ms here; only the server's Retry-After explains a full second.
  EXPECT_GE(response->seconds, 0.95);
  EXPECT_EQ(client->stats().http_429, 1);
  EXPECT_FALSE(client->stats().breaker_open);
}

TEST(LlmClientTest, TimesOutAHungResponseAndRetries) {
  FakeLlmServer server({.hang_first = 1});
  LlmClientOptions options = FastOptions(server);
  options.request_timeout = std::chrono::milliseconds(300);
  auto client = MakeClient(options);
  Result<LlmResponse> response = client->Call(SimpleRequest()).get();
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->attempts, 2);
  EXPECT_EQ(client->stats().timeouts, 1);
}

TEST(LlmClientTest, TimeoutIsReportedWhenRetriesRunOut) {
  FakeLlmServer server({.hang_first = 100});
  LlmClientOptions options = FastOptions(server);
  options.request_timeout = std::chrono::milliseconds(150);
  options.max_retries = 1;
  auto client = MakeClient(options);
  Result<LlmResponse> response = client->Call(SimpleRequest()).get();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kTimeout);
  EXPECT_EQ(client->stats().timeouts, 2);
}

TEST(LlmClientTest, BoundsRequestsInFlightAndReusesConnections) {
  FakeLlmServer server({.latency_ms = 30});
  LlmClientOptions options = FastOptions(server);
  options.max_in_flight = 4;
  auto client = MakeClient(options);
  std::vector<std::future<Result<LlmResponse>>> futures;
  for (int i = 0; i < 24; ++i) futures.push_back(client->Call(SimpleRequest()));
  for (auto& future : futures) ASSERT_TRUE(future.get().ok());
  EXPECT_EQ(server.requests(), 24);
  EXPECT_LE(server.max_concurrent(), 4);
  EXPECT_GE(server.max_concurrent(), 2);  // they really overlap
  EXPECT_LE(client->stats().max_in_flight_seen, 4);
  EXPECT_LE(server.connections(), 4);  // keep-alive: six requests per connection
}

TEST(LlmClientTest, BreakerOpensThenProbesAndCloses) {
  FakeLlmServer server({.fail_first = 3, .fail_status = 500});
  LlmClientOptions options = FastOptions(server);
  options.max_retries = 0;
  options.breaker_failure_threshold = 3;
  options.breaker_cooldown = std::chrono::milliseconds(100);
  auto client = MakeClient(options);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(client->Call(SimpleRequest()).get().ok());
  Result<LlmResponse> rejected = client->Call(SimpleRequest()).get();
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find("circuit breaker open"), std::string::npos);
  EXPECT_EQ(server.requests(), 3);  // the rejected one never reached the server
  EXPECT_TRUE(client->stats().breaker_open);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_TRUE(client->Call(SimpleRequest()).get().ok());  // the probe
  LlmClientStats stats = client->stats();
  EXPECT_FALSE(stats.breaker_open);
  EXPECT_EQ(stats.breaker_opened, 1);
  EXPECT_EQ(stats.breaker_rejected, 1);
}

TEST(LlmClientTest, ServerDownFailsFastOnceTheBreakerOpens) {
  int port;
  { FakeLlmServer gone; port = gone.port(); }  // a port nobody listens on any more
  LlmClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.model = "m";
  options.max_retries = 1;
  options.backoff_initial = std::chrono::milliseconds(1);
  options.breaker_failure_threshold = 4;
  options.max_in_flight = 2;
  auto client = MakeClient(options);
  std::vector<std::future<Result<LlmResponse>>> futures;
  for (int i = 0; i < 50; ++i) futures.push_back(client->Call(SimpleRequest()));
  for (auto& future : futures) EXPECT_EQ(future.get().status().code(), StatusCode::kUnavailable);
  LlmClientStats stats = client->stats();
  EXPECT_EQ(stats.failed, 50);
  EXPECT_GE(stats.breaker_rejected, 40);
  EXPECT_LE(stats.attempts, 10);  // stopped hammering
}

TEST(LlmClientTest, SecretsNeverAppearInErrors) {
  FakeLlmServer server({.fail_first = 100, .fail_status = 401, .echo_authorization = true});
  LlmClientOptions options = FastOptions(server);
  options.api_key = "sk-very-secret-123";
  options.base_url = "http://user:pw@127.0.0.1:" + std::to_string(server.port()) + "/?token=abc";
  auto client = MakeClient(options);
  Result<LlmResponse> response = client->Call(SimpleRequest()).get();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied);
  std::string message = response.status().ToString();
  EXPECT_EQ(message.find("sk-very-secret-123"), std::string::npos) << message;
  EXPECT_EQ(message.find("token=abc"), std::string::npos) << message;
  EXPECT_EQ(message.find("pw@"), std::string::npos) << message;
  EXPECT_NE(message.find("[redacted]"), std::string::npos) << message;
}

TEST(LlmClientTest, DestructionCancelsWhatIsInFlight) {
  FakeLlmServer server({.hang_first = 1});
  auto client = MakeClient(FastOptions(server));
  std::future<Result<LlmResponse>> pending = client->Call(SimpleRequest());
  while (server.requests() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  client.reset();
  EXPECT_EQ(pending.get().status().code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace docpipe
