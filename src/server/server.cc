// The public Server: the routes of HttpService behind the event-driven
// HttpTransport (http_transport.h), with auth, JSON errors and per-route
// metrics. Limits and timeouts live in the transport; this file only routes.
#include "docpipe/server.h"

#include <condition_variable>
#include <regex>

#include "core/mutex.h"
#include "core/stopwatch.h"
#include "server/bearer_auth.h"
#include "server/extract_api.h"
#include "server/http_service.h"
#include "server/http_transport.h"
#include "server/multipart_form.h"
#include "server/ollama_api.h"
#include "server/openai_api.h"
#include "server/request_json.h"

namespace docpipe {
namespace {

using server::HttpRequest;
using server::HttpResponse;
using server::HttpService;
using server::Reply;

bool Authorized(const HttpRequest& request, const std::string& api_key) {
  return server::BearerAuthorized(request.Header("Authorization"), api_key);
}

HttpResponse ToResponse(const Reply& reply) {
  HttpResponse response{reply.status, reply.body, reply.content_type, {}};
  if (reply.retry_after_seconds > 0) response.headers.emplace_back("Retry-After", std::to_string(reply.retry_after_seconds));
  return response;
}

struct Route {
  std::string method;
  std::regex pattern;
  std::string name;  // the metrics label
  std::function<Reply(const HttpRequest&, const std::smatch&)> handler;
};

class HttpServer final : public Server {
 public:
  explicit HttpServer(const ServerConfig& config) : config_(config) {}
  ~HttpServer() override { Shutdown(); }

  Status Init();
  Status Start() override;
  int port() const override { return transport_->port(); }
  void Wait() override {
    MutexLock lock(mutex_);
    while (!finished_) lock.Wait(done_);
  }
  void Shutdown() override;

 private:
  void AddRoutes();
  void Add(const char* method, const char* pattern, std::string name,
           std::function<Reply(const HttpRequest&, const std::smatch&)> handler) {
    routes_.push_back({method, std::regex(pattern), std::move(name), std::move(handler)});
  }
  HttpResponse Handle(const HttpRequest& request);
  Reply Dispatch(const HttpRequest& request, std::string& route);

  const ServerConfig config_;
  std::unique_ptr<HttpService> service_;
  std::vector<Route> routes_;  // immutable after Init()
  std::unique_ptr<server::HttpTransport> transport_;
  Mutex mutex_;
  std::condition_variable done_;
  bool started_ DOCPIPE_GUARDED_BY(mutex_) = false;
  bool stopping_ DOCPIPE_GUARDED_BY(mutex_) = false;
  bool finished_ DOCPIPE_GUARDED_BY(mutex_) = false;
};

Status HttpServer::Init() {
  DOCPIPE_ASSIGN_OR_RETURN(service_, HttpService::Make(config_));
  AddRoutes();
  server::HttpTransportOptions options;
  options.host = config_.host;
  options.port = config_.port;
  options.worker_threads = config_.http_threads;
  options.max_connections = config_.max_connections;
  options.max_body_bytes = config_.max_body_bytes;
  options.header_timeout = std::chrono::seconds(config_.header_timeout_seconds);
  options.body_timeout = std::chrono::seconds(config_.read_timeout_seconds);
  options.write_timeout = std::chrono::seconds(config_.write_timeout_seconds);
  HttpService* service = service_.get();
  DOCPIPE_ASSIGN_OR_RETURN(
      transport_, server::HttpTransport::Make(
                      options, [this](const HttpRequest& request) { return Handle(request); },
                      [service](int status) { service->metrics().ObserveRequest("transport", status, 0); }));
  return Status::Ok();
}

void HttpServer::AddRoutes() {
  HttpService* s = service_.get();
  const std::string key = config_.api_key;
  Add("GET", "/health", "/health",
      [s, key](const HttpRequest& req, const std::smatch&) { return s->Health(Authorized(req, key)); });
  Add("GET", "/metrics", "/metrics", [s](const HttpRequest&, const std::smatch&) { return s->Metrics(); });
  Add("POST", "/ingest", "/ingest", [s](const HttpRequest& req, const std::smatch&) { return s->Ingest(req.body); });
  Add("POST", "/search", "/search", [s](const HttpRequest& req, const std::smatch&) { return s->Search(req.body); });
  Add("POST", "/v1/embeddings", "/v1/embeddings", [s](const HttpRequest& req, const std::smatch&) {
    return server::OpenAiEmbeddings(s->vectors(), s->metrics(), req.body);
  });
  Add("GET", "/v1/models", "/v1/models",
      [s](const HttpRequest&, const std::smatch&) { return server::OpenAiModels(s->vectors()); });
  Add("GET", "/v1/models/(.+)", "/v1/models/{id}", [s](const HttpRequest&, const std::smatch& match) {
    return server::OpenAiModel(s->vectors(), match[1].str());
  });
  Add("POST", "/api/embed", "/api/embed", [s](const HttpRequest& req, const std::smatch&) {
    return server::OllamaEmbed(s->vectors(), s->metrics(), req.body);
  });
  Add("POST", "/api/embeddings", "/api/embeddings", [s](const HttpRequest& req, const std::smatch&) {
    return server::OllamaLegacyEmbeddings(s->vectors(), s->metrics(), req.body);
  });
  Add("GET", "/api/tags", "/api/tags",
      [s](const HttpRequest&, const std::smatch&) { return server::OllamaTags(s->vectors()); });
  Add("GET", "/jobs/([^/]+)", "/jobs/{id}",
      [s](const HttpRequest&, const std::smatch& match) { return s->Job(match[1].str()); });
  Add("DELETE", "/documents/([^/]+)", "/documents/{job}",
      [s](const HttpRequest&, const std::smatch& match) { return s->CancelJob(match[1].str()); });
  Add("POST", "/extract", "/extract",
      [s](const HttpRequest& req, const std::smatch&) { return s->SubmitExtract(req.body); });
  Add("GET", "/extract/([^/]+)", "/extract/{id}", [s](const HttpRequest&, const std::smatch& match) {
    return server::GetExtractJob(s->extract_jobs(), match[1].str());
  });
  Add("DELETE", "/extract/([^/]+)", "/extract/{id}", [s](const HttpRequest&, const std::smatch& match) {
    return server::CancelExtractJob(s->extract_jobs(), match[1].str());
  });
  Add("GET", "/documents/([0-9]{1,18})/records", "/documents/{id}/records",
      [s](const HttpRequest&, const std::smatch& match) { return s->DocumentRecords(std::stoll(match[1].str())); });
  Add("POST", "/documents", "/documents", [s](const HttpRequest& req, const std::smatch&) {
    const std::string content_type = req.Header("Content-Type");
    if (content_type.rfind("multipart/", 0) != 0) return s->DocumentByPath(req.body);
    Result<std::string> boundary = server::MultipartBoundary(content_type);
    if (!boundary.ok()) return server::ErrorReply(boundary.status(), 0);
    Result<std::vector<server::FormPart>> parts = server::ParseMultipartForm(req.body, *boundary);
    if (!parts.ok()) return server::ErrorReply(parts.status(), 0);
    for (const server::FormPart& part : *parts) {
      if (part.name == "file") return s->DocumentUpload(part.filename, std::string(part.content));
    }
    return server::ErrorReply(Status::InvalidArgument("file: expected a multipart field named \"file\""), 0);
  });
}

Reply HttpServer::Dispatch(const HttpRequest& request, std::string& route) {
  bool path_known = false;
  for (const Route& candidate : routes_) {
    std::smatch match;
    if (!std::regex_match(request.path, match, candidate.pattern)) continue;
    path_known = true;
    if (candidate.method != request.method) continue;
    route = candidate.name;
    if (route != "/health" && !Authorized(request, config_.api_key)) {
      route = "unauthorized";
      return {401, server::ErrorBody(Status::PermissionDenied("a valid bearer token is required")),
              "application/json", 0};
    }
    return candidate.handler(request, match);
  }
  route = "unmatched";
  if (path_known) {
    return {405, server::ErrorBody(Status::InvalidArgument("no endpoint " + request.method + " " + request.path)),
            "application/json", 0};
  }
  return server::ErrorReply(Status::NotFound("no endpoint " + request.method + " " + request.path), 0);
}

HttpResponse HttpServer::Handle(const HttpRequest& request) {
  Stopwatch watch;
  std::string route;
  HttpResponse response = ToResponse(Dispatch(request, route));
  if (response.status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
  service_->metrics().ObserveRequest(route, response.status, watch.Seconds());
  return response;
}

Status HttpServer::Start() {
  {
    MutexLock lock(mutex_);
    if (started_) return Status::InvalidArgument("the server is already started");
    started_ = true;
  }
  return transport_->Start();
}

void HttpServer::Shutdown() {
  {
    MutexLock lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  // The transport stops accepting and closes idle and slow connections at
  // once; requests already being handled get their answer.
  if (transport_) transport_->Shutdown();
  // Every accepted chunk is written before the writer stops.
  if (service_) service_->Stop();
  MutexLock lock(mutex_);
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
