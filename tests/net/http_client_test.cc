// The HTTP client against a real local HTTP/1.1 server (the test stand-in of
// tests/llm, one thread per connection, counting accepted connections):
// keep-alive, retries and Retry-After, the breaker, many callers over the one
// I/O thread, shutdown with requests in flight, and credentials in messages.
#include "net/http_client.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "fake_llm_server.h"

namespace docpipe::net {
namespace {

using std::chrono::milliseconds;
using testing::FakeLlmBehavior;
using testing::FakeLlmServer;

constexpr auto kDeadline = std::chrono::seconds(30);

HttpClientOptions FastOptions() {
  HttpClientOptions options;
  options.name = "test request";
  options.backoff_initial = milliseconds(2);
  options.backoff_max = milliseconds(5);
  options.request_timeout = milliseconds(10000);
  options.jitter_seed = 42;
  return options;
}

// An embedding request: the stand-in answers it with vectors.
HttpRequest EmbedRequest(const FakeLlmServer& server, const std::string& text = "hello") {
  return {server.url() + "/api/embed", R"({"model": "m", "input": [")" + text + R"("]})"};
}

std::unique_ptr<HttpClient> MakeClient(const HttpClientOptions& options) {
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Make(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

// The result, failing the test rather than hanging when none comes.
Result<HttpResponse> Await(std::future<Result<HttpResponse>> future) {
  if (future.wait_for(kDeadline) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within the deadline";
    return Status::Timeout("test deadline");
  }
  return future.get();
}

TEST(HttpClientTest, PostsAndReturnsTheAnswer) {
  FakeLlmServer server;
  auto client = MakeClient(FastOptions());
  Result<HttpResponse> response = Await(client->Call(EmbedRequest(server)));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->attempts, 1);
  EXPECT_NE(response->body.find("\"embeddings\""), std::string::npos) << response->body;
  EXPECT_EQ(server.paths(), std::vector<std::string>{"/api/embed"});
  EXPECT_EQ(server.last_body(), EmbedRequest(server).body);
}

TEST(HttpClientTest, KeepAliveReusesOneConnection) {
  FakeLlmServer server;
  auto client = MakeClient(FastOptions());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Await(client->Call(EmbedRequest(server))).ok());
  EXPECT_EQ(server.requests(), 20);
  EXPECT_EQ(server.connections(), 1);  // accepted server-side
  EXPECT_EQ(client->stats().connections_opened, 1);
}

TEST(HttpClientTest, ServerErrorsAreRetriedClientErrorsAreNot) {
  FakeLlmServer server({.fail_first = 2, .fail_status = 503});
  auto client = MakeClient(FastOptions());
  Result<HttpResponse> response = Await(client->Call(EmbedRequest(server)));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->attempts, 3);
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(client->stats().http_5xx, 2);
  EXPECT_EQ(client->stats().retries, 2);

  for (auto [status, code] : {std::pair{400, StatusCode::kInvalidArgument}, std::pair{401, StatusCode::kPermissionDenied},
                              std::pair{404, StatusCode::kNotFound}, std::pair{422, StatusCode::kInvalidArgument}}) {
    FakeLlmServer refusing({.fail_first = 100, .fail_status = status});
    Result<HttpResponse> refused = Await(client->Call(EmbedRequest(refusing)));
    EXPECT_EQ(refused.status().code(), code) << status;
    EXPECT_NE(refused.status().message().find("HTTP " + std::to_string(status)), std::string::npos);
    EXPECT_EQ(refusing.requests(), 1) << status;  // not retried
  }
}

TEST(HttpClientTest, GivesUpAfterMaxRetries) {
  FakeLlmServer server({.fail_first = 100, .fail_status = 500});
  HttpClientOptions options = FastOptions();
  options.max_retries = 2;
  options.breaker_failure_threshold = 100;
  auto client = MakeClient(options);
  Result<HttpResponse> response = Await(client->Call(EmbedRequest(server)));
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("after 3 attempts"), std::string::npos) << response.status().message();
  EXPECT_EQ(server.requests(), 3);
}

// Backoff alone waits at most 5 ms here: only the server's Retry-After explains the longer waits.
TEST(HttpClientTest, RetryAfterSecondsIsHonoured) {
  FakeLlmServer server({.fail_first = 1, .fail_status = 429, .retry_after_s = 1});
  auto client = MakeClient(FastOptions());
  Result<HttpResponse> response = Await(client->Call(EmbedRequest(server)));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->attempts, 2);
  EXPECT_GE(response->seconds, 0.95);
  EXPECT_EQ(client->stats().http_429, 1);
  EXPECT_FALSE(client->stats().breaker_open);  // a 429 is a live server
}

TEST(HttpClientTest, RetryAfterHttpDateIsHonouredAndBounded) {
  // An hour away, as an HTTP-date: the client waits its cap, not the hour, and not just its backoff.
  FakeLlmServer server({.fail_first = 1, .fail_status = 503, .retry_after_s = 3600, .retry_after_http_date = true});
  HttpClientOptions options = FastOptions();
  options.retry_after_max = milliseconds(300);
  auto client = MakeClient(options);
  Result<HttpResponse> response = Await(client->Call(EmbedRequest(server)));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->attempts, 2);
  EXPECT_GE(response->seconds, 0.29);
}

TEST(HttpClientTest, RetryAfterSecondsIsBounded) {
  FakeLlmServer server({.fail_first = 1, .fail_status = 429, .retry_after_s = 3600});
  HttpClientOptions options = FastOptions();
  options.retry_after_max = milliseconds(100);
  auto client = MakeClient(options);
  Result<HttpResponse> response = Await(client->Call(EmbedRequest(server)));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_GE(response->seconds, 0.09);
}

TEST(HttpClientTest, PerRequestTimeout) {
  FakeLlmServer server({.hang_first = 1});
  HttpClientOptions options = FastOptions();
  options.max_retries = 0;
  options.request_timeout = milliseconds(60000);
  auto client = MakeClient(options);
  HttpRequest request = EmbedRequest(server);
  request.timeout = milliseconds(200);
  Result<HttpResponse> response = Await(client->Call(std::move(request)));
  EXPECT_EQ(response.status().code(), StatusCode::kTimeout);
  EXPECT_NE(response.status().message().find("did not answer"), std::string::npos);
  EXPECT_EQ(client->stats().timeouts, 1);
}

TEST(HttpClientTest, BreakerOpensFailsFastAndRecovers) {
  FakeLlmServer server({.fail_first = 3, .fail_status = 500});
  HttpClientOptions options = FastOptions();
  options.max_retries = 0;
  options.breaker_failure_threshold = 3;
  options.breaker_cooldown = milliseconds(50);
  auto client = MakeClient(options);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Await(client->Call(EmbedRequest(server))).status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(client->stats().breaker_open);
  EXPECT_EQ(client->stats().breaker_opened, 1);
  // Until the cool-down ends, calls fail without reaching the server; then one probe closes it.
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  Result<HttpResponse> response = Status::Unavailable("not yet");
  while (!response.ok() && std::chrono::steady_clock::now() < deadline) {
    response = Await(client->Call(EmbedRequest(server)));
    if (response.ok()) break;
    EXPECT_NE(response.status().message().find("circuit breaker open"), std::string::npos);
    std::this_thread::sleep_for(milliseconds(5));  // a poll with a deadline, not a synchronisation
  }
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  HttpClientStats stats = client->stats();
  EXPECT_EQ(server.requests(), 4);  // the three failures and the probe
  EXPECT_FALSE(stats.breaker_open);
  EXPECT_EQ(stats.breaker_opened, 1);
  EXPECT_EQ(stats.breaker_rejected, stats.submitted - 4);
}

TEST(HttpClientTest, ManyThreadsShareTheOneIoThread) {
  FakeLlmServer server({.latency_ms = 1});
  HttpClientOptions options = FastOptions();
  options.max_in_flight = 4;
  auto client = MakeClient(options);
  constexpr int kThreads = 6, kEach = 20;
  std::mutex mutex;
  std::set<std::thread::id> callback_threads, caller_threads;
  std::vector<std::thread> callers;
  std::vector<int> ok(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&, t] {
      {
        std::lock_guard<std::mutex> lock(mutex);
        caller_threads.insert(std::this_thread::get_id());
      }
      std::vector<std::future<Result<HttpResponse>>> futures;
      for (int i = 0; i < kEach; ++i) {
        auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
        futures.push_back(promise->get_future());
        client->Submit(EmbedRequest(server, "t" + std::to_string(t) + " r" + std::to_string(i)),
                       [&, promise](Result<HttpResponse> response) {
                         {
                           std::lock_guard<std::mutex> lock(mutex);
                           callback_threads.insert(std::this_thread::get_id());
                         }
                         promise->set_value(std::move(response));
                       });
      }
      for (auto& future : futures) ok[t] += Await(std::move(future)).ok();
    });
  }
  for (std::thread& caller : callers) caller.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(ok[t], kEach);
  EXPECT_EQ(server.requests(), kThreads * kEach);
  ASSERT_EQ(callback_threads.size(), 1u);  // one I/O thread, none of the callers
  EXPECT_EQ(caller_threads.count(*callback_threads.begin()), 0u);
  HttpClientStats stats = client->stats();
  EXPECT_LE(stats.max_in_flight_seen, 4);
  EXPECT_LE(server.max_concurrent(), 4);
  EXPECT_LE(server.connections(), 4);  // kept alive, at most one per request slot
  EXPECT_EQ(stats.connections_opened, server.connections());
}

TEST(HttpClientTest, ShutdownCancelsWhatIsInFlightAndQueued) {
  FakeLlmServer server({.hang_first = 2});
  HttpClientOptions options = FastOptions();
  options.max_in_flight = 2;
  auto client = MakeClient(options);
  std::vector<std::future<Result<HttpResponse>>> futures;
  for (int i = 0; i < 2; ++i) futures.push_back(client->Call(EmbedRequest(server)));
  auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (server.requests() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(server.requests(), 2);  // both hang at the server
  for (int i = 0; i < 10; ++i) futures.push_back(client->Call(EmbedRequest(server)));  // queued behind them
  int done_on_io_thread = 0;
  client->RunOnIoThread([&] { ++done_on_io_thread; });
  client.reset();
  EXPECT_EQ(done_on_io_thread, 1);
  for (auto& future : futures) {
    ASSERT_EQ(future.wait_for(std::chrono::seconds(0)), std::future_status::ready);  // all completed by the destructor
    EXPECT_EQ(future.get().status().code(), StatusCode::kCancelled);
  }
}

TEST(HttpClientTest, CredentialsNeverAppearInErrors) {
  FakeLlmServer server({.fail_first = 100, .fail_status = 401, .echo_authorization = true});
  HttpClientOptions options = FastOptions();
  options.bearer_token = "sk-very-secret-123";
  auto client = MakeClient(options);
  HttpRequest request = EmbedRequest(server);
  request.url = "http://user:pw-secret@127.0.0.1:" + std::to_string(server.port()) + "/api/embed?token=abc";
  Result<HttpResponse> refused = Await(client->Call(request));
  ASSERT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(server.last_authorization(), "Bearer sk-very-secret-123");  // it was sent, and echoed back
  std::string message = refused.status().ToString();
  EXPECT_NE(message.find("[redacted]"), std::string::npos) << message;
  EXPECT_NE(message.find("http://user:***@127.0.0.1"), std::string::npos) << message;

  // A server that is gone: libcurl's own message must not carry them either.
  int port;
  { FakeLlmServer gone; port = gone.port(); }
  request.url = "http://user:pw-secret@127.0.0.1:" + std::to_string(port) + "/api/embed?token=abc";
  Result<HttpResponse> down = Await(client->Call(request));
  ASSERT_EQ(down.status().code(), StatusCode::kUnavailable);
  for (const std::string& text : {message, down.status().ToString()}) {
    for (const char* secret : {"sk-very-secret-123", "pw-secret", "token=abc"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
    }
  }
}

TEST(HttpClientTest, RejectsBadOptionsAndUrls) {
  HttpClientOptions options;
  options.max_in_flight = 0;
  EXPECT_EQ(HttpClient::Make(options).status().code(), StatusCode::kInvalidArgument);
  options = HttpClientOptions();
  options.request_timeout = milliseconds(0);
  EXPECT_EQ(HttpClient::Make(options).status().code(), StatusCode::kInvalidArgument);
  auto client = MakeClient(FastOptions());
  EXPECT_EQ(Await(client->Call({"ftp://example.invalid/x", "{}"})).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace docpipe::net
