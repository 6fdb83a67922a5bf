// LlmClient over the shared HTTP client (src/net): this file knows the LLM
// servers' wire formats (llm_protocol.h); connections, retries, Retry-After,
// the circuit breaker and redaction are the HTTP client's.
#include <atomic>
#include <cstdlib>

#include "core/redact.h"
#include "docpipe/llm_client.h"
#include "llm/llm_protocol.h"
#include "net/http_client.h"

namespace docpipe {
namespace {

using namespace llm_internal;

net::HttpClientOptions HttpOptions(const LlmClientOptions& options) {
  net::HttpClientOptions http;
  http.name = "LLM request";
  http.bearer_token = options.api_key;
  http.max_in_flight = options.max_in_flight;
  http.request_timeout = options.request_timeout;
  http.connect_timeout = options.connect_timeout;
  http.max_retries = options.max_retries;
  http.backoff_initial = options.backoff_initial;
  http.backoff_max = options.backoff_max;
  http.retry_after_max = options.retry_after_max;
  http.breaker_failure_threshold = options.breaker_failure_threshold;
  http.breaker_cooldown = options.breaker_cooldown;
  http.jitter_seed = options.jitter_seed;
  return http;
}

class HttpLlmClient final : public LlmClient {
 public:
  HttpLlmClient(const LlmClientOptions& options, std::unique_ptr<net::HttpClient> http)
      : options_(options), url_(EndpointUrl(options)), safe_url_(RedactCredentials(url_)), http_(std::move(http)) {}

  void Submit(LlmRequest request, LlmCallback done) override {
    ++submitted_;
    Result<std::string> body = BuildRequestBody(options_, request);  // serialise on the caller's thread
    if (!body.ok()) {
      http_->RunOnIoThread([this, done = std::move(done), status = body.status()] { Complete(done, status); });
      return;
    }
    http_->Submit({url_, std::move(body).value()}, [this, done = std::move(done)](Result<net::HttpResponse> reply) {
      Complete(done, Answer(std::move(reply)));
    });
  }

  LlmClientStats stats() const override;
  const LlmClientOptions& options() const override { return options_; }

 private:
  // The model's reply from the server's answer, on the I/O thread.
  Result<LlmResponse> Answer(Result<net::HttpResponse> reply) const {
    if (!reply.ok()) return reply.status();
    Result<std::string> content = ParseReplyBody(options_.protocol, reply->body);
    if (!content.ok()) return content.status().WithContext("LLM request to " + safe_url_);
    LlmUsage usage = ParseReplyUsage(options_.protocol, reply->body);
    return LlmResponse{std::move(content).value(), reply->attempts, reply->seconds, usage.prompt_tokens,
                       usage.completion_tokens};
  }

  void Complete(const LlmCallback& done, Result<LlmResponse> response) {
    ++(response.ok() ? succeeded_ : failed_);
    done(std::move(response));
  }

  const LlmClientOptions options_;
  const std::string url_;
  const std::string safe_url_;
  std::atomic<int64_t> submitted_{0}, succeeded_{0}, failed_{0};
  // Last: destroyed first, completing what is unfinished while the members above still live.
  std::unique_ptr<net::HttpClient> http_;
};

LlmClientStats HttpLlmClient::stats() const {
  net::HttpClientStats http = http_->stats();
  LlmClientStats stats;
  stats.submitted = submitted_;
  stats.succeeded = succeeded_;
  stats.failed = failed_;
  stats.attempts = http.attempts;
  stats.retries = http.retries;
  stats.http_429 = http.http_429;
  stats.http_5xx = http.http_5xx;
  stats.timeouts = http.timeouts;
  stats.connection_errors = http.connection_errors;
  stats.breaker_opened = http.breaker_opened;
  stats.breaker_rejected = http.breaker_rejected;
  stats.breaker_open = http.breaker_open;
  stats.max_in_flight_seen = http.max_in_flight_seen;
  stats.io_thread_cpu_seconds = http.io_thread_cpu_seconds;
  return stats;
}

}  // namespace

Result<std::unique_ptr<LlmClient>> LlmClient::Make(const LlmClientOptions& options) {
  std::string_view url = options.base_url;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Status::InvalidArgument("LLM URL must start with http:// or https://: " + RedactCredentials(url));
  }
  if (options.model.empty()) return Status::InvalidArgument("LLM model name is empty");
  Result<std::unique_ptr<net::HttpClient>> http = net::HttpClient::Make(HttpOptions(options));
  if (!http.ok()) return http.status().WithContext("LLM client");
  return std::unique_ptr<LlmClient>(std::make_unique<HttpLlmClient>(options, std::move(http).value()));
}

std::future<Result<LlmResponse>> LlmClient::Call(LlmRequest request) {
  auto promise = std::make_shared<std::promise<Result<LlmResponse>>>();
  std::future<Result<LlmResponse>> future = promise->get_future();
  Submit(std::move(request), [promise](Result<LlmResponse> response) { promise->set_value(std::move(response)); });
  return future;
}

std::string ApiKeyFromEnvironment() {
  const char* key = std::getenv("DOCPIPE_LLM_API_KEY");
  return key != nullptr ? key : "";
}

Result<LlmProtocol> ParseLlmProtocol(std::string_view name, std::string_view base_url) {
  if (name == "ollama" || name == "ollama-chat") return LlmProtocol::kOllamaChat;
  if (name == "ollama-generate") return LlmProtocol::kOllamaGenerate;
  if (name == "openai") return LlmProtocol::kOpenAiChat;
  if (name == "auto") {
    std::string_view path = base_url.substr(0, base_url.find_first_of("?#"));
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    return path.ends_with("/v1") ? LlmProtocol::kOpenAiChat : LlmProtocol::kOllamaChat;
  }
  return Status::InvalidArgument("unknown LLM protocol \"" + std::string(name) +
                                 "\" (expected auto, ollama, ollama-generate, openai)");
}

std::string_view LlmProtocolName(LlmProtocol protocol) {
  switch (protocol) {
    case LlmProtocol::kOllamaChat: return "ollama";
    case LlmProtocol::kOllamaGenerate: return "ollama-generate";
    case LlmProtocol::kOpenAiChat: return "openai";
  }
  return "ollama";
}

}  // namespace docpipe
