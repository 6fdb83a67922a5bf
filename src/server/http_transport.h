// The HTTP/1.1 front end of the server: one event-driven I/O thread reads
// whole requests (headers, then the body in any transfer encoding) under
// deadlines and size limits, and only then hands each to a pool of worker
// threads. A slow or idle client therefore holds a few kilobytes of memory and
// no thread; past `max_connections` a new connection is answered 503 and closed.
//
// What the transport enforces itself, with the status it answers:
//   headers larger than max_header_bytes       431, connection closed
//   body larger than max_body_bytes            413 as soon as the limit is
//     (Content-Length, chunked, anything)      passed while reading, closed
//   headers not complete within header_timeout connection closed
//   body not complete within body_timeout      connection closed
//   malformed request                          400, connection closed
// Shutdown() stops accepting, closes connections that are idle or still
// sending, lets requests already handed to workers finish and send their reply
// (each send bounded by write_timeout, and all of it by shutdown_grace).
//
// Thread-safety: Start() and Shutdown() from one controlling thread; the
// handler runs on worker threads, any number at once.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "docpipe/status.h"

namespace docpipe::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // target without the query
  std::vector<std::pair<std::string, std::string>> headers;  // raw bytes, as received
  std::string body;     // decoded from its transfer encoding

  // The first header of that name (case-insensitive), or empty.
  std::string Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

struct HttpTransportOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  int worker_threads = 8;
  int max_connections = 1024;
  size_t max_header_bytes = 32u << 10;
  size_t max_body_bytes = 64u << 20;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  std::chrono::milliseconds shutdown_grace{3'000};
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Called on the I/O thread for replies the transport makes itself (413, 431,
// 503 at the connection limit), so they can be counted; may be empty.
using TransportReplyObserver = std::function<void(int status)>;

class HttpTransport {
 public:
  static Result<std::unique_ptr<HttpTransport>> Make(const HttpTransportOptions& options, HttpHandler handler,
                                                     TransportReplyObserver observer = {});
  virtual ~HttpTransport() = default;

  // Binds and starts the I/O thread and the workers.
  virtual Status Start() = 0;
  virtual int port() const = 0;
  // Idempotent; returns once every connection is closed and every worker done.
  virtual void Shutdown() = 0;
};

// The request in `bytes` parsed as the transport parses what it reads (the
// same parser, limits and decoding), at once rather than from a socket: for
// the fuzzers. kResourceExhausted past a limit, kInvalidArgument when
// malformed or incomplete.
Result<HttpRequest> ParseHttpRequest(std::string_view bytes, const HttpTransportOptions& options);

// A JSON error body in the API's format, for replies the transport makes.
HttpResponse TransportError(int status, const Status& error);

}  // namespace docpipe::server
