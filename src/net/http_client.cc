// The libcurl-multi HTTP client. Everything below CurlHttpClient::Loop() runs
// on the one I/O thread: the queues, the in-flight map, the breaker and the
// backoff are owned by it and need no lock. Other threads only touch
// `incoming_` and `tasks_` (under `incoming_mutex_`) and the statistics
// (under `stats_mutex_`).
#include "net/http_client.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "core/redact.h"
#include "net/circuit_breaker.h"
#include "net/curl_handles.h"
#include "net/retry_delay.h"

namespace docpipe::net {

bool EnsureCurlGlobalInit() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxReplyBytes = 64u << 20;
constexpr int kIdlePollMs = 1000;

struct Transfer {
  HttpRequest request;
  HttpCallback done;
  int attempts = 0;
  bool probe = false;
  Clock::time_point submitted;
  std::string reply;
  std::string retry_after;  // the header's value in the last answer
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

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  constexpr std::string_view kName = "retry-after:";
  std::string_view line(data, size * count);
  auto same = [](char lower, char any) { return lower == std::tolower(static_cast<unsigned char>(any)); };
  if (line.size() > kName.size() && std::equal(kName.begin(), kName.end(), line.begin(), same)) {
    line.remove_prefix(kName.size());
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    static_cast<Transfer*>(user)->retry_after = std::string(line);
  }
  return size * count;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// How one attempt ended.
struct Outcome {
  Status status;  // OK: a 2xx answer
  long http = 0;
  bool retryable = false;
  bool server_failure = false;  // counts against the breaker
  std::chrono::milliseconds retry_after{0};
};

StatusCode CodeForHttp(long http) {
  if (http == 401 || http == 403) return StatusCode::kPermissionDenied;
  if (http == 404) return StatusCode::kNotFound;
  if (http == 429) return StatusCode::kResourceExhausted;
  if (http >= 500) return StatusCode::kUnavailable;
  return StatusCode::kInvalidArgument;
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(const HttpClientOptions& options)
      : options_(options),
        breaker_(options.breaker_failure_threshold, options.breaker_cooldown),
        backoff_(options.backoff_initial, options.backoff_max, options.jitter_seed) {}

  ~CurlHttpClient() override {
    {
      MutexLock lock(incoming_mutex_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_.get());
    if (thread_.joinable()) thread_.join();
  }

  Status Start();
  void Submit(HttpRequest request, HttpCallback done) override;
  void RunOnIoThread(std::function<void()> task) override;
  HttpClientStats stats() const override {
    MutexLock lock(stats_mutex_);
    return stats_;
  }

 private:
  void Loop();
  bool TakeIncoming();
  void StartReady(Clock::time_point now);
  void StartTransfer(std::unique_ptr<Transfer> transfer);
  void CollectFinished();
  Outcome Classify(Transfer& transfer, CURLcode code);
  void AfterAttempt(std::unique_ptr<Transfer> transfer, Outcome outcome);
  int PollTimeoutMs(Clock::time_point now) const;
  void Finish(Transfer& transfer, Result<HttpResponse> result);
  void CancelAll();
  void PublishBreaker();
  std::string Scrub(std::string message, const std::string& url, const std::string& safe_url) const;

  const HttpClientOptions options_;
  CurlMultiPtr multi_;
  CurlSlistPtr headers_;
  std::thread thread_;

  Mutex incoming_mutex_;
  std::vector<std::unique_ptr<Transfer>> incoming_ DOCPIPE_GUARDED_BY(incoming_mutex_);
  std::vector<std::function<void()>> tasks_ DOCPIPE_GUARDED_BY(incoming_mutex_);
  bool stopping_ DOCPIPE_GUARDED_BY(incoming_mutex_) = false;

  mutable Mutex stats_mutex_;
  HttpClientStats stats_ DOCPIPE_GUARDED_BY(stats_mutex_);

  // I/O thread only.
  std::deque<std::unique_ptr<Transfer>> ready_;
  std::multimap<Clock::time_point, std::unique_ptr<Transfer>> backing_off_;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> in_flight_;
  CircuitBreaker breaker_;
  JitteredBackoff backoff_;
};

Status CurlHttpClient::Start() {
  if (!EnsureCurlGlobalInit()) return Status::Internal("libcurl failed to initialise");
  multi_.reset(curl_multi_init());
  if (!multi_) return Status::Internal("curl_multi_init failed");
  // Idle connections stay open for the next request to the same host: keep-alive.
  long connections = options_.max_in_flight;
  curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, connections);
  curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, connections);
  curl_slist* list = nullptr;
  for (const char* header : {"Content-Type: application/json", "Accept: application/json", "Expect:"}) {
    list = curl_slist_append(list, header);
  }
  if (!options_.bearer_token.empty()) {
    list = curl_slist_append(list, ("Authorization: Bearer " + options_.bearer_token).c_str());
  }
  headers_.reset(list);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void CurlHttpClient::Submit(HttpRequest request, HttpCallback done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->submitted = Clock::now();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  {
    MutexLock lock(stats_mutex_);
    ++stats_.submitted;
  }
  bool stopping;
  {
    MutexLock lock(incoming_mutex_);
    stopping = stopping_;
    if (!stopping) incoming_.push_back(std::move(transfer));
  }
  if (stopping) {
    Finish(*transfer, Status::Cancelled("the client is shutting down"));
    return;
  }
  curl_multi_wakeup(multi_.get());
}

void CurlHttpClient::RunOnIoThread(std::function<void()> task) {
  {
    MutexLock lock(incoming_mutex_);
    if (!stopping_) {
      tasks_.push_back(std::move(task));
      task = nullptr;
    }
  }
  if (task) {
    task();  // the I/O thread is gone or going
    return;
  }
  curl_multi_wakeup(multi_.get());
}

void CurlHttpClient::Loop() {
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
      MutexLock lock(stats_mutex_);
      stats_.io_thread_cpu_seconds = ThreadCpuSeconds();
    }
    StartReady(Clock::now());  // fills the slots that just freed up; curl starts them on the next poll
    curl_multi_poll(multi_.get(), nullptr, 0, PollTimeoutMs(Clock::now()), nullptr);
  }
  CancelAll();
}

// Moves submitted requests to the ready queue and runs queued tasks; false once the client is stopping.
bool CurlHttpClient::TakeIncoming() {
  std::vector<std::unique_ptr<Transfer>> taken;
  std::vector<std::function<void()>> tasks;
  {
    MutexLock lock(incoming_mutex_);
    if (stopping_) return false;
    taken.swap(incoming_);
    tasks.swap(tasks_);
  }
  for (auto& transfer : taken) {
    std::string_view url = transfer->request.url;
    if (url.starts_with("http://") || url.starts_with("https://")) {
      ready_.push_back(std::move(transfer));
    } else {
      Finish(*transfer, Status::InvalidArgument("the URL must start with http:// or https://"));
    }
  }
  for (auto& task : tasks) task();
  return true;
}

void CurlHttpClient::StartReady(Clock::time_point now) {
  while (!ready_.empty() && in_flight_.size() < static_cast<size_t>(options_.max_in_flight)) {
    CircuitBreaker::Decision decision = breaker_.Admit(now);
    if (decision == CircuitBreaker::Decision::kWait) return;
    std::unique_ptr<Transfer> transfer = std::move(ready_.front());
    ready_.pop_front();
    if (decision == CircuitBreaker::Decision::kReject) {
      {
        MutexLock lock(stats_mutex_);
        ++stats_.breaker_rejected;
      }
      Finish(*transfer, Status::Unavailable("circuit breaker open after repeated failures"));
      continue;
    }
    transfer->probe = decision == CircuitBreaker::Decision::kProbe;
    if (transfer->probe) PublishBreaker();
    StartTransfer(std::move(transfer));
  }
}

void CurlHttpClient::StartTransfer(std::unique_ptr<Transfer> transfer) {
  if (!transfer->easy) transfer->easy.reset(curl_easy_init());
  CURL* easy = transfer->easy.get();
  curl_easy_reset(easy);
  transfer->reply.clear();
  transfer->retry_after.clear();
  transfer->error[0] = '\0';
  ++transfer->attempts;
  const HttpRequest& request = transfer->request;
  auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_.get());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, AppendReply);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_multi_add_handle(multi_.get(), easy);
  in_flight_.emplace(easy, std::move(transfer));
  MutexLock lock(stats_mutex_);
  ++stats_.attempts;
  stats_.max_in_flight_seen = std::max(stats_.max_in_flight_seen, static_cast<int>(in_flight_.size()));
}

void CurlHttpClient::CollectFinished() {
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

Outcome CurlHttpClient::Classify(Transfer& transfer, CURLcode code) {
  Outcome outcome;
  long connects = 0;
  curl_easy_getinfo(transfer.easy.get(), CURLINFO_NUM_CONNECTS, &connects);
  MutexLock lock(stats_mutex_);
  stats_.connections_opened += connects;
  if (code != CURLE_OK) {
    std::string detail = transfer.error[0] != '\0' ? transfer.error : curl_easy_strerror(code);
    if (code == CURLE_WRITE_ERROR) {  // a reply over the size limit would be again: not retried
      outcome.status = Status::ResourceExhausted("the reply is larger than 64 MiB");
      return outcome;
    }
    detail = "the server did not answer: " + detail;
    outcome.retryable = true;
    outcome.server_failure = true;
    if (code == CURLE_OPERATION_TIMEDOUT) {
      ++stats_.timeouts;
      outcome.status = Status::Timeout(detail);
    } else {
      ++stats_.connection_errors;
      outcome.status = Status::Unavailable(detail);
    }
    return outcome;
  }
  curl_easy_getinfo(transfer.easy.get(), CURLINFO_RESPONSE_CODE, &outcome.http);
  const long http = outcome.http;
  if (http >= 200 && http < 300) return outcome;
  if (http == 429 || http >= 500) {
    std::optional<std::chrono::milliseconds> asked = ParseRetryAfter(transfer.retry_after, std::chrono::system_clock::now());
    outcome.retry_after = asked.value_or(std::chrono::milliseconds(0));
    outcome.retryable = true;
    outcome.server_failure = http != 429;  // 429 is a live server asking us to slow down
    ++(http == 429 ? stats_.http_429 : stats_.http_5xx);
    outcome.status = Status(CodeForHttp(http), http == 429 ? "HTTP 429 too many requests" : "HTTP " + std::to_string(http));
    return outcome;
  }
  outcome.status = Status(CodeForHttp(http), "HTTP " + std::to_string(http) + ": " + transfer.reply.substr(0, 200));
  return outcome;
}

void CurlHttpClient::AfterAttempt(std::unique_ptr<Transfer> transfer, Outcome outcome) {
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
                                          : backoff_.Next(transfer->attempts);
    {
      MutexLock lock(stats_mutex_);
      ++stats_.retries;
    }
    backing_off_.emplace(now + delay, std::move(transfer));
    return;
  }
  if (!outcome.status.ok()) {
    if (transfer->attempts > 1) {
      outcome.status = outcome.status.WithContext("after " + std::to_string(transfer->attempts) + " attempts");
    }
    Finish(*transfer, outcome.status);
    return;
  }
  double seconds = std::chrono::duration<double>(now - transfer->submitted).count();
  Finish(*transfer, HttpResponse{outcome.http, std::move(transfer->reply), transfer->attempts, seconds});
}

int CurlHttpClient::PollTimeoutMs(Clock::time_point now) const {
  auto wake = now + std::chrono::milliseconds(kIdlePollMs);
  if (!backing_off_.empty()) wake = std::min(wake, backing_off_.begin()->first);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
  return static_cast<int>(std::clamp<int64_t>(ms + 1, 0, kIdlePollMs));
}

void CurlHttpClient::Finish(Transfer& transfer, Result<HttpResponse> result) {
  {
    MutexLock lock(stats_mutex_);
    ++(result.ok() ? stats_.succeeded : stats_.failed);
  }
  if (result.ok()) {
    transfer.done(std::move(result));
    return;
  }
  const Status& status = result.status();
  const std::string safe_url = RedactCredentials(transfer.request.url);  // only failures pay for it
  std::string message = options_.name + " to " + safe_url + ": " + status.message();
  transfer.done(Status(status.code(), Scrub(std::move(message), transfer.request.url, safe_url)));
}

void CurlHttpClient::CancelAll() {
  Status cancelled = Status::Cancelled("the client is shutting down");
  for (auto& [easy, transfer] : in_flight_) {
    curl_multi_remove_handle(multi_.get(), easy);
    Finish(*transfer, cancelled);
  }
  in_flight_.clear();
  for (auto& transfer : ready_) Finish(*transfer, cancelled);
  ready_.clear();
  for (auto& [when, transfer] : backing_off_) Finish(*transfer, cancelled);
  backing_off_.clear();
  std::vector<std::unique_ptr<Transfer>> late;
  std::vector<std::function<void()>> tasks;
  {
    MutexLock lock(incoming_mutex_);
    late.swap(incoming_);
    tasks.swap(tasks_);
  }
  for (auto& transfer : late) Finish(*transfer, cancelled);
  for (auto& task : tasks) task();
}

void CurlHttpClient::PublishBreaker() {
  MutexLock lock(stats_mutex_);
  stats_.breaker_open = breaker_.open();
  stats_.breaker_opened = breaker_.times_opened();
}

// A server may echo the token back in an error body, and libcurl may quote the URL it was given.
std::string CurlHttpClient::Scrub(std::string message, const std::string& url, const std::string& safe_url) const {
  auto replace_all = [&message](const std::string& secret, const std::string& shown) {
    if (secret.empty() || secret == shown) return;
    for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at + shown.size())) {
      message.replace(at, secret.size(), shown);
    }
  };
  replace_all(options_.bearer_token, "[redacted]");
  replace_all(url, safe_url);
  return message;
}

}  // namespace

Status HttpClientOptions::Validate() const {
  if (max_in_flight < 1 || max_in_flight > 4096) return Status::InvalidArgument("concurrency must be in [1, 4096]");
  if (request_timeout.count() <= 0 || connect_timeout.count() <= 0) {
    return Status::InvalidArgument("timeouts must be positive");
  }
  if (max_retries < 0 || breaker_failure_threshold < 1) {
    return Status::InvalidArgument("retries must be >= 0 and the breaker threshold >= 1");
  }
  if (backoff_initial.count() < 0 || backoff_max.count() < 0 || retry_after_max.count() < 0) {
    return Status::InvalidArgument("backoff and Retry-After limits must not be negative");
  }
  return Status::Ok();
}

Result<std::unique_ptr<HttpClient>> HttpClient::Make(const HttpClientOptions& options) {
  DOCPIPE_RETURN_IF_ERROR(options.Validate());
  auto client = std::make_unique<CurlHttpClient>(options);
  DOCPIPE_RETURN_IF_ERROR(client->Start());
  return std::unique_ptr<HttpClient>(std::move(client));
}

std::future<Result<HttpResponse>> HttpClient::Call(HttpRequest request) {
  auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
  std::future<Result<HttpResponse>> future = promise->get_future();
  Submit(std::move(request), [promise](Result<HttpResponse> response) { promise->set_value(std::move(response)); });
  return future;
}

}  // namespace docpipe::net
