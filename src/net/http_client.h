// HttpClient: the one HTTP client of docpipe's remote calls (the LLM client,
// the remote embedders). JSON bodies are POSTed to any URL of a server.
//
// One I/O thread drives every request through libcurl's multi interface, so a
// request in flight costs a socket, not a thread. Connections are kept alive
// and reused; at most `max_in_flight` requests are on the wire, the rest wait
// in a queue. Each attempt has a timeout. Connection errors, timeouts, HTTP
// 429 and 5xx are retried: after exactly the server's Retry-After (seconds or
// HTTP-date, capped) when it sent one, else after an exponential backoff with
// full jitter; other answers are final. A circuit breaker counts consecutive
// failed attempts (a 429 is a live server and does not count): once open,
// requests fail at once with kUnavailable until a cool-down has passed and one
// probe request has succeeded.
//
// Credentials never leave it: statuses name the URL as RedactCredentials
// shows it, and the bearer token is scrubbed from every message (a server may
// echo it back).
//
// Thread-safety: Submit(), Call(), RunOnIoThread() and stats() may be called
// from any thread, including from inside a callback. Callbacks run on the I/O
// thread: they must be short and must not block. The destructor completes
// every unfinished request with kCancelled and joins the I/O thread; do not
// destroy the client from inside a callback.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "docpipe/status.h"

namespace docpipe::net {

struct HttpClientOptions {
  std::string name = "HTTP request";  // what messages call a request: "LLM request to <url>: ..."
  std::string bearer_token;           // empty: no Authorization header
  int max_in_flight = 8;
  std::chrono::milliseconds request_timeout{120000};  // per attempt, whole exchange
  std::chrono::milliseconds connect_timeout{5000};
  int max_retries = 3;                                // attempts = 1 + max_retries
  std::chrono::milliseconds backoff_initial{250};     // doubles per retry, full jitter
  std::chrono::milliseconds backoff_max{10000};
  std::chrono::milliseconds retry_after_max{60000};   // cap on a server's Retry-After
  int breaker_failure_threshold = 5;                  // consecutive failed attempts that open it
  std::chrono::milliseconds breaker_cooldown{5000};
  uint64_t jitter_seed = 0;                           // 0: seeded from the clock

  Status Validate() const;
};

struct HttpRequest {
  std::string url;   // http:// or https://
  std::string body;  // POSTed as application/json
  std::chrono::milliseconds timeout{0};  // per attempt; 0: the client's request_timeout
};

// A 2xx answer.
struct HttpResponse {
  long status = 0;
  std::string body;
  int attempts = 0;   // 1 + retries used
  double seconds = 0; // from submission to completion, queueing and backoff included
};

// A final failure is a Status: kTimeout, kUnavailable (connection error, 5xx,
// breaker open), kResourceExhausted (429), kPermissionDenied (401, 403),
// kNotFound (404), kInvalidArgument (other 4xx, with the start of the body),
// kCancelled (shutdown).
using HttpCallback = std::function<void(Result<HttpResponse>)>;

// Counters since the client was made.
struct HttpClientStats {
  int64_t submitted = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;             // completed with an error (after retries)
  int64_t attempts = 0;           // HTTP exchanges started
  int64_t retries = 0;
  int64_t http_429 = 0;
  int64_t http_5xx = 0;
  int64_t timeouts = 0;
  int64_t connection_errors = 0;
  int64_t connections_opened = 0;  // TCP connections made; fewer than attempts when kept alive
  int64_t breaker_opened = 0;      // times the breaker tripped
  int64_t breaker_rejected = 0;    // requests failed fast while it was open
  bool breaker_open = false;       // state now
  int max_in_flight_seen = 0;
  double io_thread_cpu_seconds = 0;  // CPU time of the I/O thread so far
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Make(const HttpClientOptions& options);
  virtual ~HttpClient() = default;

  // Queues the request; `done` is called exactly once, on the I/O thread.
  virtual void Submit(HttpRequest request, HttpCallback done) = 0;
  // Convenience for callers that want to wait.
  std::future<Result<HttpResponse>> Call(HttpRequest request);
  // Runs `task` on the I/O thread (at the latest when the client shuts down),
  // for callers whose callbacks must all run there.
  virtual void RunOnIoThread(std::function<void()> task) = 0;

  virtual HttpClientStats stats() const = 0;
};

}  // namespace docpipe::net
