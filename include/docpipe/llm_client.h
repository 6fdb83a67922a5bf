// LlmClient: an asynchronous client for local and hosted LLM servers.
//
// One I/O thread drives every request through libcurl's multi interface, so a
// request in flight costs a socket, not a thread: callers submit and return at
// once, and no CPU worker ever waits on the network. Connections are kept
// alive and reused. At most `max_in_flight` requests are on the wire; the rest
// wait in a queue. Each attempt has a timeout; connection errors, timeouts,
// HTTP 429 and 5xx are retried with exponential backoff and full jitter
// (a Retry-After header is honoured). A circuit breaker stops calling a server
// that keeps failing: while it is open, requests fail at once with
// kUnavailable; after a cool-down one probe request decides whether to close it.
//
// Protocols: Ollama (/api/chat with `format` set to the JSON schema, or
// /api/generate) and OpenAI-compatible servers (/v1/chat/completions with
// response_format json_schema or json_object: vLLM, llama.cpp, LM Studio,
// hosted APIs). The API key is sent as a bearer token and never appears in
// logs, statuses or statistics.
//
// Thread-safety: Submit(), Call() and stats() may be called from any thread,
// including from inside a completion callback. Callbacks run on the I/O thread:
// they must be short and must not block (hand heavy work to a worker pool).
// The destructor completes every unfinished request with kCancelled and joins
// the I/O thread; do not destroy the client from inside a callback.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"

namespace docpipe {

enum class LlmProtocol {
  kOllamaChat,      // POST {base}/api/chat
  kOllamaGenerate,  // POST {base}/api/generate
  kOpenAiChat,      // POST {base}/chat/completions (base usually ends in /v1)
};

// "ollama" (= chat), "ollama-generate", "openai"; "auto" picks kOpenAiChat when
// the URL's path ends in /v1 and kOllamaChat otherwise.
Result<LlmProtocol> ParseLlmProtocol(std::string_view name, std::string_view base_url);
std::string_view LlmProtocolName(LlmProtocol protocol);

// How structured output is requested from an OpenAI-compatible server.
enum class JsonMode { kJsonSchema, kJsonObject };

struct LlmClientOptions {
  std::string base_url;  // "http://localhost:11434" or "https://api.example.com/v1"
  LlmProtocol protocol = LlmProtocol::kOllamaChat;
  std::string model;
  std::string api_key;  // empty: no Authorization header. See ApiKeyFromEnvironment().
  JsonMode json_mode = JsonMode::kJsonSchema;
  int max_in_flight = 8;
  std::chrono::milliseconds request_timeout{120000};  // per attempt, whole exchange
  std::chrono::milliseconds connect_timeout{5000};
  int max_retries = 3;                                   // attempts = 1 + max_retries
  std::chrono::milliseconds backoff_initial{250};        // doubles per retry, full jitter
  std::chrono::milliseconds backoff_max{10000};
  std::chrono::milliseconds retry_after_max{60000};      // cap on a server's Retry-After
  int breaker_failure_threshold = 5;                     // consecutive failed attempts that open it
  std::chrono::milliseconds breaker_cooldown{5000};
  double temperature = 0.0;
  uint64_t jitter_seed = 0;  // 0: seeded from the clock
};

// DOCPIPE_LLM_API_KEY, or empty. Read once at the edge (CLI, server), never inside the library.
std::string ApiKeyFromEnvironment();

struct LlmMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

struct LlmRequest {
  std::vector<LlmMessage> messages;
  std::string schema_json;  // JSON schema the reply must follow; empty: free JSON object
  std::string schema_name = "result";
};

struct LlmResponse {
  std::string content;  // the model's reply text (expected to be JSON)
  int attempts = 0;     // 1 + retries used
  double seconds = 0;   // from submission to completion, queueing and backoff included
  // Tokens the server says it read and wrote (OpenAI `usage`, Ollama
  // prompt_eval_count / eval_count); 0 when it does not say.
  int64_t prompt_tokens = 0, completion_tokens = 0;
};

using LlmCallback = std::function<void(Result<LlmResponse>)>;

// Counters since the client was made.
struct LlmClientStats {
  int64_t submitted = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;             // completed with an error (after retries)
  int64_t attempts = 0;           // HTTP exchanges started
  int64_t retries = 0;
  int64_t http_429 = 0;
  int64_t http_5xx = 0;
  int64_t timeouts = 0;
  int64_t connection_errors = 0;
  int64_t breaker_opened = 0;     // times the breaker tripped
  int64_t breaker_rejected = 0;   // requests failed fast while it was open
  bool breaker_open = false;      // state now
  int max_in_flight_seen = 0;
  double io_thread_cpu_seconds = 0;  // CPU time of the I/O thread so far
};

class LlmClient {
 public:
  static Result<std::unique_ptr<LlmClient>> Make(const LlmClientOptions& options);
  virtual ~LlmClient() = default;

  // Queues the request; `done` is called exactly once, on the I/O thread.
  virtual void Submit(LlmRequest request, LlmCallback done) = 0;
  // Convenience for callers that want to wait.
  std::future<Result<LlmResponse>> Call(LlmRequest request);

  virtual LlmClientStats stats() const = 0;
  virtual const LlmClientOptions& options() const = 0;
};

}  // namespace docpipe
