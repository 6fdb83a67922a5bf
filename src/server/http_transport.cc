// HttpTransport on Boost.Beast/Asio: every socket operation runs on one
// io_context thread; handlers run on an asio::thread_pool and post their
// reply back to the I/O thread. Connection state is touched only on the I/O
// thread, so it needs no lock.
#include "server/http_transport.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "server/request_json.h"

namespace docpipe::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string Text(beast::string_view view) { return std::string(view.data(), view.size()); }

// Bytes that are not HTTP (as opposed to a timeout, a reset, or a client that
// closed between requests, which end the connection quietly).
bool IsMalformed(error_code error) {
  return error.category() == make_error_code(http::error::bad_target).category() &&
         error != http::error::end_of_stream && error != http::error::partial_message;
}

// What is read and discarded after a final reply, so that it reaches a client
// still sending instead of being lost to a reset.
constexpr size_t kMaxDrainBytes = 256u << 10;

using RequestParser = http::request_parser<http::string_body>;

void ConfigureParser(RequestParser& parser, const HttpTransportOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
}

HttpRequest ToHttpRequest(http::request<http::string_body> message) {
  HttpRequest request;
  request.method = Text(message.method_string());
  request.target = Text(message.target());
  request.path = request.target.substr(0, request.target.find('?'));
  for (const auto& field : message) request.headers.emplace_back(Text(field.name_string()), Text(field.value()));
  request.body = std::move(message.body());
  return request;
}

class BeastTransport;

// One client connection: read a request, hand it to a worker, write the
// reply, and again while the client keeps the connection alive.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, BeastTransport& owner) : stream_(std::move(socket)), owner_(owner) {}

  void Begin() { ReadHeader(); }
  // On shutdown: a connection waiting for or reading a request closes now;
  // one whose request is with a worker sends that reply and then closes.
  void Stop();

 private:
  enum class State { kReading, kHandling, kWriting, kClosed };
  void ReadHeader();
  void OnHeader(error_code error);
  void OnBody(error_code error);
  void Dispatch(HttpRequest request);
  void Write(HttpResponse response, bool keep_alive);
  void OnWrite(error_code error, bool keep_alive);
  void Fail(int status, const Status& why);
  void Close();
  HttpRequest TakeRequest();

  beast::tcp_stream stream_;
  BeastTransport& owner_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  http::response<http::string_body> response_;
  State state_ = State::kReading;
  bool stopping_ = false;
};

class BeastTransport final : public HttpTransport {
 public:
  BeastTransport(const HttpTransportOptions& options, HttpHandler handler, TransportReplyObserver observer)
      : options_(options),
        handler_(std::move(handler)),
        observer_(std::move(observer)),
        acceptor_(io_),
        workers_(static_cast<size_t>(options.worker_threads)) {}
  ~BeastTransport() override { Shutdown(); }

  Status Start() override;
  int port() const override { return port_; }
  void Shutdown() override;

  const HttpTransportOptions& options() const { return options_; }
  const HttpHandler& handler() const { return handler_; }
  asio::thread_pool& workers() { return workers_; }
  void Observe(int status) const {
    if (observer_) observer_(status);
  }
  void Forget(const std::shared_ptr<Connection>& connection) {
    connections_.erase(connection);
    if (stopping_ && connections_.empty() && drained_) {
      drained_->set_value();
      drained_.reset();
    }
  }

 private:
  void Accept();
  void OnAccept(error_code error, tcp::socket socket);
  void RefuseBusy(tcp::socket& socket);

  const HttpTransportOptions options_;
  const HttpHandler handler_;
  const TransportReplyObserver observer_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::thread_pool workers_;
  std::thread io_thread_;
  int port_ = 0;
  bool started_ = false, shut_down_ = false;  // the controlling thread's
  // The I/O thread's:
  std::set<std::shared_ptr<Connection>> connections_;
  bool stopping_ = false;
  std::shared_ptr<std::promise<void>> drained_;  // set once the last connection closes after Shutdown()
};

void Connection::ReadHeader() {
  state_ = State::kReading;
  if (stopping_) return Close();
  parser_.emplace();
  ConfigureParser(*parser_, owner_.options());
  // One deadline for the whole header: a client trickling bytes gains nothing.
  stream_.expires_after(owner_.options().header_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](error_code error, size_t) { self->OnHeader(error); });
}

void Connection::OnHeader(error_code error) {
  if (error == http::error::header_limit) {
    return Fail(431, Status::ResourceExhausted("the request headers are larger than the server accepts"));
  }
  if (error == http::error::body_limit) {
    return Fail(413, Status::ResourceExhausted("the request body is larger than the server accepts"));
  }
  if (error) {
    if (IsMalformed(error)) return Fail(400, Status::InvalidArgument("malformed HTTP request: " + error.message()));
    return Close();
  }
  const auto& header = parser_->get();
  auto expect = header.find(http::field::expect);
  if (expect != header.end() && EqualsIgnoreCase(Text(expect->value()), "100-continue")) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(owner_.options().write_timeout);
    asio::async_write(stream_, asio::buffer(kContinue), [self = shared_from_this()](error_code error, size_t) {
      if (error) return self->Close();
      self->stream_.expires_after(self->owner_.options().body_timeout);
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](error_code error, size_t) { self->OnBody(error); });
    });
    return;
  }
  stream_.expires_after(owner_.options().body_timeout);
  http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](error_code error, size_t) {
    self->OnBody(error);
  });
}

void Connection::OnBody(error_code error) {
  if (error == http::error::body_limit) {
    return Fail(413, Status::ResourceExhausted("the request body is larger than the server accepts"));
  }
  if (error) {
    if (IsMalformed(error)) return Fail(400, Status::InvalidArgument("malformed HTTP request: " + error.message()));
    return Close();
  }
  Dispatch(TakeRequest());
}

HttpRequest Connection::TakeRequest() { return ToHttpRequest(parser_->release()); }

void Connection::Dispatch(HttpRequest request) {
  state_ = State::kHandling;
  stream_.expires_never();
  const bool keep_alive = parser_->keep_alive();
  asio::post(owner_.workers(), [self = shared_from_this(), request = std::move(request), keep_alive] {
    HttpResponse response;
    try {
      response = self->owner_.handler()(request);
    } catch (const std::exception&) {
      response = TransportError(500, Status::Internal("unexpected error while handling the request"));
    }
    asio::post(self->stream_.get_executor(), [self, response = std::move(response), keep_alive]() mutable {
      self->Write(std::move(response), keep_alive && !self->stopping_);
    });
  });
}

void Connection::Write(HttpResponse response, bool keep_alive) {
  state_ = State::kWriting;
  response_ = {};
  response_.version(11);
  response_.result(static_cast<unsigned>(response.status));
  response_.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) response_.insert(name, value);
  response_.body() = std::move(response.body);
  response_.keep_alive(keep_alive);
  response_.prepare_payload();
  auto timeout = owner_.options().write_timeout;
  if (stopping_) timeout = std::min(timeout, owner_.options().shutdown_grace);
  stream_.expires_after(timeout);
  http::async_write(stream_, response_, [self = shared_from_this(), keep_alive](error_code error, size_t) {
    self->OnWrite(error, keep_alive);
  });
}

void Connection::OnWrite(error_code error, bool keep_alive) {
  if (error || !keep_alive || stopping_) {
    // Stop sending, and let the reply reach a client that is still sending
    // (closing with unread bytes would reset the connection and lose it).
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    state_ = State::kWriting;
    stream_.expires_after(std::min(owner_.options().shutdown_grace, std::chrono::milliseconds(1000)));
    // Bounded in bytes too: a client pushing a huge body is not read on.
    auto drain = std::make_shared<std::array<char, 16384>>();
    auto left = std::make_shared<size_t>(kMaxDrainBytes);
    auto read_more = std::make_shared<std::function<void(error_code, size_t)>>();
    *read_more = [self = shared_from_this(), drain, left, read_more](error_code error, size_t n) {
      *left -= std::min(*left, n);
      if (error || *left == 0) {
        *read_more = nullptr;  // breaks the cycle
        return self->Close();
      }
      self->stream_.async_read_some(asio::buffer(*drain), *read_more);
    };
    stream_.async_read_some(asio::buffer(*drain), *read_more);
    return;
  }
  ReadHeader();
}

void Connection::Fail(int status, const Status& why) {
  owner_.Observe(status);
  Write(TransportError(status, why), false);
}

void Connection::Stop() {
  stopping_ = true;
  if (state_ == State::kReading) {
    error_code ignored;
    stream_.socket().close(ignored);  // the pending read completes with an error and closes
  } else if (state_ == State::kWriting) {
    stream_.expires_after(owner_.options().shutdown_grace);
  }
}

void Connection::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  error_code ignored;
  stream_.socket().close(ignored);
  owner_.Forget(shared_from_this());
}

Status BeastTransport::Start() {
  if (started_) return Status::InvalidArgument("the server is already started");
  started_ = true;
  error_code error;
  tcp::resolver resolver(io_);
  auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port), tcp::resolver::passive, error);
  if (error || endpoints.empty()) {
    return Status::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                               " (not an address of this machine)");
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return Status::Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + " (" +
                               error.message() + ")");
  }
  port_ = acceptor_.local_endpoint().port();
  Accept();
  io_thread_ = std::thread([this] { io_.run(); });
  return Status::Ok();
}

void BeastTransport::Accept() {
  acceptor_.async_accept([this](error_code error, tcp::socket socket) { OnAccept(error, std::move(socket)); });
}

void BeastTransport::OnAccept(error_code error, tcp::socket socket) {
  if (stopping_ || error == asio::error::operation_aborted) return;
  if (!error) {
    if (static_cast<int>(connections_.size()) >= options_.max_connections) {
      RefuseBusy(socket);
    } else {
      auto connection = std::make_shared<Connection>(std::move(socket), *this);
      connections_.insert(connection);
      connection->Begin();
    }
  }
  Accept();
}

void BeastTransport::RefuseBusy(tcp::socket& socket) {
  Observe(503);
  HttpResponse busy = TransportError(503, Status::Unavailable("the server has too many open connections"));
  std::string text = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                     "Connection: close\r\nContent-Length: " +
                     std::to_string(busy.body.size()) + "\r\n\r\n" + busy.body;
  // A fresh socket's send buffer takes this at once; never wait on it here.
  error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(text), ignored);
  socket.close(ignored);
}

void BeastTransport::Shutdown() {
  if (!started_ || shut_down_) return;
  shut_down_ = true;
  auto drained = std::make_shared<std::promise<void>>();
  std::future<void> done = drained->get_future();
  asio::post(io_, [this, drained] {
    stopping_ = true;
    error_code ignored;
    acceptor_.close(ignored);
    if (connections_.empty()) return drained->set_value();
    drained_ = drained;
    // Stop() may close a connection, which erases it from the set.
    std::vector<std::shared_ptr<Connection>> open(connections_.begin(), connections_.end());
    for (const auto& connection : open) connection->Stop();
  });
  // Replies of requests already with a worker are still sent; a client that
  // does not read them is cut off at the grace period.
  done.wait_for(options_.shutdown_grace + options_.shutdown_grace);
  workers_.join();
  io_.stop();
  if (io_thread_.joinable()) io_thread_.join();
}

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

Result<HttpRequest> ParseHttpRequest(std::string_view bytes, const HttpTransportOptions& options) {
  RequestParser parser;
  ConfigureParser(parser, options);
  parser.eager(true);
  error_code error;
  while (!bytes.empty() && !parser.is_done() && !error) {
    const size_t used = parser.put(asio::buffer(bytes.data(), bytes.size()), error);
    if (used == 0 && !error) break;
    bytes.remove_prefix(used);
  }
  if (!error && !parser.is_done() && parser.need_eof()) parser.put_eof(error);
  if (error == http::error::body_limit || error == http::error::header_limit) {
    return Status::ResourceExhausted("request larger than the limits: " + error.message());
  }
  if (error == http::error::need_more || (!error && !parser.is_done())) {
    return Status::InvalidArgument("incomplete request");
  }
  if (error) return Status::InvalidArgument("malformed HTTP request: " + error.message());
  return ToHttpRequest(parser.release());
}

HttpResponse TransportError(int status, const Status& error) { return {status, ErrorBody(error), "application/json", {}}; }

Result<std::unique_ptr<HttpTransport>> HttpTransport::Make(const HttpTransportOptions& options, HttpHandler handler,
                                                           TransportReplyObserver observer) {
  if (options.worker_threads < 1) return Status::InvalidArgument("http-threads: must be at least 1");
  if (options.max_connections < 1) return Status::InvalidArgument("max-connections: must be at least 1");
  return std::unique_ptr<HttpTransport>(new BeastTransport(options, std::move(handler), std::move(observer)));
}

}  // namespace docpipe::server
