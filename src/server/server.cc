// The public Server: cpp-httplib routes in front of HttpService, with auth,
// size limits, timeouts, JSON errors and per-route metrics.
#include "docpipe/server.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/stopwatch.h"
#include "server/http_service.h"
#include "server/ollama_api.h"
#include "server/openai_api.h"
#include "server/request_json.h"

namespace docpipe {
namespace {

using server::HttpService;
using server::Reply;

// Compares without stopping at the first difference, so timing says nothing about the key.
bool SameSecret(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) diff |= given[i] ^ expected[i % expected.size()];
  return diff == 0;
}

void Send(const Reply& reply, httplib::Response& res) {
  res.status = reply.status;
  if (reply.retry_after_seconds > 0) res.set_header("Retry-After", std::to_string(reply.retry_after_seconds));
  res.set_content(reply.body, reply.content_type.c_str());
}

class HttpServer final : public Server {
 public:
  explicit HttpServer(const ServerConfig& config) : config_(config) {}
  ~HttpServer() override { Shutdown(); }

  Status Init() {
    DOCPIPE_ASSIGN_OR_RETURN(service_, HttpService::Make(config_));
    Configure();
    return Status::Ok();
  }

  Status Start() override;
  int port() const override { return port_; }
  void Wait() override {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return finished_; });
  }
  void Shutdown() override;

 private:
  void Configure();
  // Registers `handler` and records its latency and status under `route`.
  template <typename Handler>
  void Route(const char* method, const char* pattern, std::string route, Handler handler);

  const ServerConfig config_;
  std::unique_ptr<HttpService> service_;
  httplib::Server http_;
  std::thread listener_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable done_;
  bool started_ = false, stopping_ = false, finished_ = false;  // guarded by mutex_
};

template <typename Handler>
void HttpServer::Route(const char* method, const char* pattern, std::string route, Handler handler) {
  auto wrapped = [this, route, handler](const httplib::Request& req, httplib::Response& res) {
    Stopwatch watch;
    Send(handler(req), res);
    service_->metrics().ObserveRequest(route, res.status, watch.Seconds());
  };
  if (std::string(method) == "GET") {
    http_.Get(pattern, wrapped);
  } else {
    http_.Post(pattern, wrapped);
  }
}

void HttpServer::Configure() {
  const int threads = config_.http_threads;
  http_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http_.set_payload_max_length(config_.max_body_bytes);
  http_.set_read_timeout(config_.read_timeout_seconds, 0);
  http_.set_write_timeout(config_.write_timeout_seconds, 0);
  if (!config_.api_key.empty()) {
    http_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (req.path == "/health") return httplib::Server::HandlerResponse::Unhandled;
      std::string header = req.get_header_value("Authorization");
      const std::string prefix = "Bearer ";
      if (header.rfind(prefix, 0) == 0 && SameSecret(header.substr(prefix.size()), config_.api_key)) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      res.set_header("WWW-Authenticate", "Bearer");
      Send({401, server::ErrorBody(Status::PermissionDenied("a valid bearer token is required")), "application/json"},
           res);
      service_->metrics().ObserveRequest("unauthorized", 401, 0);
      return httplib::Server::HandlerResponse::Handled;
    });
  }
  // Errors httplib produces itself (no route, body too large) get a JSON body too.
  http_.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                    httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Status status = Status::Internal("request failed");
    if (res.status == 404) status = Status::NotFound("no endpoint " + req.method + " " + req.path);
    if (res.status == 413) status = Status::ResourceExhausted("the request body is larger than the server accepts");
    if (res.status == 400) status = Status::InvalidArgument("malformed HTTP request");
    res.set_content(server::ErrorBody(status), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
  http_.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content(server::ErrorBody(Status::Internal("unexpected error while handling the request")),
                    "application/json");
  });

  HttpService* s = service_.get();
  Route("GET", "/health", "/health", [s](const httplib::Request&) { return s->Health(); });
  Route("GET", "/metrics", "/metrics", [s](const httplib::Request&) { return s->Metrics(); });
  Route("POST", "/ingest", "/ingest", [s](const httplib::Request& req) { return s->Ingest(req.body); });
  Route("POST", "/search", "/search", [s](const httplib::Request& req) { return s->Search(req.body); });
  Route("POST", "/v1/embeddings", "/v1/embeddings", [s](const httplib::Request& req) {
    return server::OpenAiEmbeddings(s->vectors(), s->metrics(), req.body);
  });
  Route("GET", "/v1/models", "/v1/models", [s](const httplib::Request&) { return server::OpenAiModels(s->vectors()); });
  Route("GET", R"(/v1/models/(.+))", "/v1/models/{id}",
        [s](const httplib::Request& req) { return server::OpenAiModel(s->vectors(), req.matches[1]); });
  Route("POST", "/api/embed", "/api/embed",
        [s](const httplib::Request& req) { return server::OllamaEmbed(s->vectors(), s->metrics(), req.body); });
  Route("POST", "/api/embeddings", "/api/embeddings", [s](const httplib::Request& req) {
    return server::OllamaLegacyEmbeddings(s->vectors(), s->metrics(), req.body);
  });
  Route("GET", "/api/tags", "/api/tags", [s](const httplib::Request&) { return server::OllamaTags(s->vectors()); });
  Route("GET", R"(/jobs/([^/]+))", "/jobs/{id}", [s](const httplib::Request& req) { return s->Job(req.matches[1]); });
  Route("POST", "/documents", "/documents", [s](const httplib::Request& req) {
    if (req.is_multipart_form_data()) {
      if (!req.has_file("file")) {
        return server::ErrorReply(Status::InvalidArgument("file: expected a multipart field named \"file\""), 0);
      }
      httplib::MultipartFormData file = req.get_file_value("file");
      return s->DocumentUpload(file.filename, file.content);
    }
    return s->DocumentByPath(req.body);
  });
}

Status HttpServer::Start() {
  {
    std::lock_guard lock(mutex_);
    if (started_) return Status::InvalidArgument("the server is already started");
    started_ = true;
  }
  if (config_.port == 0) {
    port_ = http_.bind_to_any_port(config_.host);
  } else {
    port_ = http_.bind_to_port(config_.host, config_.port) ? config_.port : -1;
  }
  if (port_ <= 0) {
    return Status::Unavailable("cannot listen on " + config_.host + ":" + std::to_string(config_.port) +
                               " (in use, or not an address of this machine)");
  }
  listener_ = std::thread([this] { http_.listen_after_bind(); });
  // stop() only works once the listen loop runs; wait for it so an early Shutdown() is not lost.
  while (!http_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void HttpServer::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  // stop() closes the listening socket; the listen loop then waits for the
  // handler threads, so every request in progress gets its answer.
  http_.stop();
  if (listener_.joinable()) listener_.join();
  // Every accepted chunk is written before the writer stops.
  if (service_) service_->Stop();
  std::lock_guard lock(mutex_);
  finished_ = true;
  done_.notify_all();
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Make(const ServerConfig& config) {
  ServerConfig finished = config;
  DOCPIPE_RETURN_IF_ERROR(FinishConfig(finished));
  auto server = std::make_unique<HttpServer>(finished);
  DOCPIPE_RETURN_IF_ERROR(server->Init());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace docpipe
