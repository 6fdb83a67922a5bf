// The libcurl-multi LLM client. Everything below CurlLlmClient::Loop() runs on
// the one I/O thread: the queues, the in-flight map and the breaker are owned
// by it and need no lock. Other threads only touch `incoming_` (under
// `incoming_mutex_`) and the statistics (under `stats_mutex_`).
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "docpipe/llm_client.h"
#include "llm/circuit_breaker.h"
#include "llm/curl_handles.h"
#include "llm/llm_protocol.h"

namespace docpipe {
namespace llm_internal {

bool EnsureCurlGlobalInit() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

}  // namespace llm_internal

namespace {

using namespace llm_internal;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxReplyBytes = 64u << 20;
constexpr int kIdlePollMs = 1000;

struct Transfer {
  std::string body;
  LlmCallback done;
  Status preset_error;  // a request that cannot be sent fails without touching the network
  int attempts = 0;
  bool probe = false;
  Clock::time_point submitted;
  std::string reply;
  CurlEasyPtr easy;
  char error[CURL_ERROR_SIZE] = {};
};

size_t AppendReply(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->reply.size() + bytes > kMaxReplyBytes) return 0;  // aborts with CURLE_WRITE_ERROR
  transfer->reply.append(data, bytes);
  return bytes;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// How one attempt ended.
struct Outcome {
  Status status;               // OK: reply holds the model's text
  std::string content;
  LlmUsage usage;
  bool retryable = false;
  bool server_failure = false;  // counts against the breaker
  std::chrono::milliseconds retry_after{0};
};

class CurlLlmClient final : public LlmClient {
 public:
  explicit CurlLlmClient(const LlmClientOptions& options)
      : options_(options), url_(EndpointUrl(options)), safe_url_(RedactUrl(url_)),
        breaker_(options.breaker_failure_threshold, options.breaker_cooldown),
        rng_(options.jitter_seed != 0 ? options.jitter_seed
                                      : static_cast<uint64_t>(Clock::now().time_since_epoch().count())) {}

  ~CurlLlmClient() override {
    {
      std::lock_guard<std::mutex> lock(incoming_mutex_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_.get());
    if (thread_.joinable()) thread_.join();
  }

  Status Start() {
    if (!EnsureCurlGlobalInit()) return Status::Internal("libcurl failed to initialise");
    multi_.reset(curl_multi_init());
    if (!multi_) return Status::Internal("curl_multi_init failed");
    long connections = options_.max_in_flight;
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, connections);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, connections);
    curl_slist* list = nullptr;
    for (const char* header : {"Content-Type: application/json", "Accept: application/json", "Expect:"}) {
      list = curl_slist_append(list, header);
    }
    if (!options_.api_key.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + options_.api_key).c_str());
    headers_.reset(list);
    thread_ = std::thread([this] { Loop(); });
    return Status::Ok();
  }

  void Submit(LlmRequest request, LlmCallback done) override {
    auto transfer = std::make_unique<Transfer>();
    transfer->submitted = Clock::now();
    transfer->done = std::move(done);
    Result<std::string> body = BuildRequestBody(options_, request);  // serialise on the caller's thread
    if (body.ok()) {
      transfer->body = std::move(body).value();
    } else {
      transfer->preset_error = body.status();
    }
    {
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.submitted;
    }
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(incoming_mutex_);
      stopping = stopping_;
      if (!stopping) incoming_.push_back(std::move(transfer));
    }
    if (stopping) {
      Finish(*transfer, Status::Cancelled("LLM client is shutting down"), {});
      return;
    }
    curl_multi_wakeup(multi_.get());
  }

  LlmClientStats stats() const override {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    return stats_;
  }
  const LlmClientOptions& options() const override { return options_; }

 private:
  void Loop();
  bool TakeIncoming();
  void StartReady(Clock::time_point now);
  void StartTransfer(std::unique_ptr<Transfer> transfer);
  void CollectFinished();
  Outcome Classify(Transfer& transfer, CURLcode code);
  void AfterAttempt(std::unique_ptr<Transfer> transfer, Outcome outcome);
  std::chrono::milliseconds Backoff(int attempts);
  int PollTimeoutMs(Clock::time_point now) const;
  void Finish(Transfer& transfer, Status status, std::string content, LlmUsage usage = {});
  void CancelAll();
  void PublishBreaker() {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.breaker_open = breaker_.open();
    stats_.breaker_opened = breaker_.times_opened();
  }
  std::string Scrub(std::string message) const;

  const LlmClientOptions options_;
  const std::string url_;
  const std::string safe_url_;
  CurlMultiPtr multi_;
  CurlSlistPtr headers_;
  std::thread thread_;

  std::mutex incoming_mutex_;
  std::vector<std::unique_ptr<Transfer>> incoming_;  // guarded by incoming_mutex_
  bool stopping_ = false;                            // guarded by incoming_mutex_

  mutable std::mutex stats_mutex_;
  LlmClientStats stats_;  // guarded by stats_mutex_

  // I/O thread only.
  std::deque<std::unique_ptr<Transfer>> ready_;
  std::multimap<Clock::time_point, std::unique_ptr<Transfer>> backing_off_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> in_flight_;
  CircuitBreaker breaker_;
  std::mt19937_64 rng_;
};

void CurlLlmClient::Loop() {
  while (TakeIncoming()) {
    Clock::time_point now = Clock::now();
    while (!backing_off_.empty() && backing_off_.begin()->first <= now) {
      ready_.push_back(std::move(backing_off_.begin()->second));
      backing_off_.erase(backing_off_.begin());
    }
    StartReady(now);
    int running = 0;
    curl_multi_perform(multi_.get(), &running);
    CollectFinished();
    {
      std::lock_guard<std::mutex> lock(stats_mutex_);
      stats_.io_thread_cpu_seconds = ThreadCpuSeconds();
    }
    StartReady(Clock::now());  // fills the slots that just freed up; curl starts them on the next poll
    curl_multi_poll(multi_.get(), nullptr, 0, PollTimeoutMs(Clock::now()), nullptr);
  }
  CancelAll();
}

// Moves submitted requests to the ready queue; false once the client is stopping.
bool CurlLlmClient::TakeIncoming() {
  std::vector<std::unique_ptr<Transfer>> taken;
  {
    std::lock_guard<std::mutex> lock(incoming_mutex_);
    if (stopping_) return false;
    taken.swap(incoming_);
  }
  for (auto& transfer : taken) {
    if (!transfer->preset_error.ok()) {
      Finish(*transfer, transfer->preset_error, {});
    } else {
      ready_.push_back(std::move(transfer));
    }
  }
  return true;
}

void CurlLlmClient::StartReady(Clock::time_point now) {
  while (!ready_.empty() && in_flight_.size() < static_cast<size_t>(options_.max_in_flight)) {
    CircuitBreaker::Decision decision = breaker_.Admit(now);
    if (decision == CircuitBreaker::Decision::kWait) return;
    std::unique_ptr<Transfer> transfer = std::move(ready_.front());
    ready_.pop_front();
    if (decision == CircuitBreaker::Decision::kReject) {
      {
        std::lock_guard<std::mutex> lock(stats_mutex_);
        ++stats_.breaker_rejected;
      }
      Finish(*transfer, Status::Unavailable("circuit breaker open for " + safe_url_ + " after repeated failures"), {});
      continue;
    }
    transfer->probe = decision == CircuitBreaker::Decision::kProbe;
    if (transfer->probe) PublishBreaker();
    StartTransfer(std::move(transfer));
  }
}

void CurlLlmClient::StartTransfer(std::unique_ptr<Transfer> transfer) {
  if (!transfer->easy) transfer->easy.reset(curl_easy_init());
  CURL* easy = transfer->easy.get();
  curl_easy_reset(easy);
  transfer->reply.clear();
  transfer->error[0] = '\0';
  ++transfer->attempts;
  curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, transfer->body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(transfer->body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_.get());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, AppendReply);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_multi_add_handle(multi_.get(), easy);
  in_flight_.emplace(easy, std::move(transfer));
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++stats_.attempts;
  stats_.max_in_flight_seen = std::max(stats_.max_in_flight_seen, static_cast<int>(in_flight_.size()));
}

void CurlLlmClient::CollectFinished() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    CURLcode code = message->data.result;
    curl_multi_remove_handle(multi_.get(), easy);
    auto it = in_flight_.find(easy);
    if (it == in_flight_.end()) continue;
    std::unique_ptr<Transfer> transfer = std::move(it->second);
    in_flight_.erase(it);
    Outcome outcome = Classify(*transfer, code);
    AfterAttempt(std::move(transfer), std::move(outcome));
  }
}

Outcome CurlLlmClient::Classify(Transfer& transfer, CURLcode code) {
  Outcome outcome;
  std::lock_guard<std::mutex> lock(stats_mutex_);
  if (code != CURLE_OK) {
    std::string detail = transfer.error[0] != '\0' ? transfer.error : curl_easy_strerror(code);
    outcome.retryable = code != CURLE_WRITE_ERROR;
    outcome.server_failure = outcome.retryable;
    if (code == CURLE_OPERATION_TIMEDOUT) {
      ++stats_.timeouts;
      outcome.status = Status::Timeout(detail);
    } else {
      ++stats_.connection_errors;
      outcome.status = Status::Unavailable(detail);
    }
    return outcome;
  }
  long http = 0;
  curl_easy_getinfo(transfer.easy.get(), CURLINFO_RESPONSE_CODE, &http);
  if (http == 429 || http >= 500) {
    curl_off_t retry_after = 0;
    curl_easy_getinfo(transfer.easy.get(), CURLINFO_RETRY_AFTER, &retry_after);
    outcome.retry_after = std::chrono::seconds(retry_after);
    outcome.retryable = true;
    outcome.server_failure = http != 429;  // 429 is a live server asking us to slow down
    ++(http == 429 ? stats_.http_429 : stats_.http_5xx);
    outcome.status = http == 429 ? Status::ResourceExhausted("HTTP 429 too many requests")
                                 : Status::Unavailable("HTTP " + std::to_string(http));
    return outcome;
  }
  if (http < 200 || http >= 300) {
    StatusCode code_for_http = (http == 401 || http == 403) ? StatusCode::kPermissionDenied
                               : http == 404                ? StatusCode::kNotFound
                                                            : StatusCode::kInvalidArgument;
    outcome.status = Status(code_for_http, "HTTP " + std::to_string(http) + ": " + transfer.reply.substr(0, 200));
    return outcome;
  }
  Result<std::string> content = ParseReplyBody(options_.protocol, transfer.reply);
  if (!content.ok()) {
    outcome.status = content.status();
  } else {
    outcome.content = std::move(content).value();
    outcome.usage = ParseReplyUsage(options_.protocol, transfer.reply);
  }
  return outcome;
}

void CurlLlmClient::AfterAttempt(std::unique_ptr<Transfer> transfer, Outcome outcome) {
  Clock::time_point now = Clock::now();
  if (outcome.server_failure) {
    breaker_.RecordFailure(now);
  } else {
    breaker_.RecordSuccess();
  }
  PublishBreaker();  // before any callback runs, so callers see the state their result came from
  if (outcome.retryable && transfer->attempts <= options_.max_retries) {
    std::chrono::milliseconds delay = outcome.retry_after.count() > 0
                                          ? std::min(outcome.retry_after, options_.retry_after_max)
                                          : Backoff(transfer->attempts);
    {
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.retries;
    }
    backing_off_.emplace(now + delay, std::move(transfer));
    return;
  }
  if (!outcome.status.ok() && transfer->attempts > 1) {
    outcome.status = outcome.status.WithContext("after " + std::to_string(transfer->attempts) + " attempts");
  }
  Finish(*transfer, outcome.status, std::move(outcome.content), outcome.usage);
}

// Full jitter: uniform in [0, min(max, initial * 2^(attempts-1))].
std::chrono::milliseconds CurlLlmClient::Backoff(int attempts) {
  int64_t cap = options_.backoff_initial.count() << std::min(attempts - 1, 20);
  cap = std::min<int64_t>(cap, options_.backoff_max.count());
  std::uniform_int_distribution<int64_t> pick(0, std::max<int64_t>(cap, 0));
  return std::chrono::milliseconds(pick(rng_));
}

int CurlLlmClient::PollTimeoutMs(Clock::time_point now) const {
  auto wake = now + std::chrono::milliseconds(kIdlePollMs);
  if (!backing_off_.empty()) wake = std::min(wake, backing_off_.begin()->first);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
  return static_cast<int>(std::clamp<int64_t>(ms + 1, 0, kIdlePollMs));
}

void CurlLlmClient::Finish(Transfer& transfer, Status status, std::string content, LlmUsage usage) {
  double seconds = std::chrono::duration<double>(Clock::now() - transfer.submitted).count();
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    ++(status.ok() ? stats_.succeeded : stats_.failed);
  }
  if (!status.ok()) {
    transfer.done(Status(status.code(), Scrub("LLM request to " + safe_url_ + ": " + status.message())));
    return;
  }
  transfer.done(LlmResponse{std::move(content), transfer.attempts, seconds, usage.prompt_tokens, usage.completion_tokens});
}

void CurlLlmClient::CancelAll() {
  Status cancelled = Status::Cancelled("LLM client is shutting down");
  for (auto& [easy, transfer] : in_flight_) {
    curl_multi_remove_handle(multi_.get(), easy);
    Finish(*transfer, cancelled, {});
  }
  in_flight_.clear();
  for (auto& transfer : ready_) Finish(*transfer, cancelled, {});
  ready_.clear();
  for (auto& [when, transfer] : backing_off_) Finish(*transfer, cancelled, {});
  backing_off_.clear();
  std::vector<std::unique_ptr<Transfer>> late;
  {
    std::lock_guard<std::mutex> lock(incoming_mutex_);
    late.swap(incoming_);
  }
  for (auto& transfer : late) Finish(*transfer, cancelled, {});
}

// A server may echo the key back in an error body; it never leaves the client.
std::string CurlLlmClient::Scrub(std::string message) const {
  if (options_.api_key.empty()) return message;
  for (size_t at = message.find(options_.api_key); at != std::string::npos; at = message.find(options_.api_key, at)) {
    message.replace(at, options_.api_key.size(), "[redacted]");
  }
  return message;
}

Status ValidateOptions(const LlmClientOptions& options) {
  std::string_view url = options.base_url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("LLM URL must start with http:// or https://: " + RedactUrl(url));
  }
  if (options.model.empty()) return Status::InvalidArgument("LLM model name is empty");
  if (options.max_in_flight < 1 || options.max_in_flight > 4096) {
    return Status::InvalidArgument("LLM concurrency must be in [1, 4096]");
  }
  if (options.request_timeout.count() <= 0 || options.connect_timeout.count() <= 0) {
    return Status::InvalidArgument("LLM timeouts must be positive");
  }
  if (options.max_retries < 0 || options.breaker_failure_threshold < 1) {
    return Status::InvalidArgument("LLM retries must be >= 0 and the breaker threshold >= 1");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<LlmClient>> LlmClient::Make(const LlmClientOptions& options) {
  DOCPIPE_RETURN_IF_ERROR(ValidateOptions(options));
  auto client = std::make_unique<CurlLlmClient>(options);
  DOCPIPE_RETURN_IF_ERROR(client->Start());
  return std::unique_ptr<LlmClient>(std::move(client));
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
    std::string path = llm_internal::RedactUrl(base_url);
    while (!path.empty() && path.back() == '/') path.pop_back();
    bool v1 = path.size() >= 3 && path.compare(path.size() - 3, 3, "/v1") == 0;
    return v1 ? LlmProtocol::kOpenAiChat : LlmProtocol::kOllamaChat;
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
