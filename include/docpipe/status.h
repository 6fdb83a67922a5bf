// Status and Result<T>: how expected failures travel across module boundaries.
//
// A corrupt PDF, an OCR miss, a timeout or a bad request is a value, not an
// exception. Exceptions thrown by third-party libraries are caught inside the
// wrapper for that library and turned into a Status. At the edge a Status
// becomes an error row, an exit code, an HTTP status or a Python exception.
//
// Thread-safety: plain values; safe to copy and move between threads.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace docpipe {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller asked for something malformed
  kNotFound,          // a file, row or model part that is not there
  kIoError,           // the operating system refused a read or write
  kCorrupt,           // input that cannot be parsed (a broken PDF, a foreign database)
  kUnsupported,       // well-formed input docpipe does not handle
  kPermissionDenied,  // a password is needed or wrong, or the OS denied access
  kTimeout,           // a time budget ran out
  kUnavailable,       // a server or service that does not answer
  kResourceExhausted, // a full disk, a full queue, a size limit
  kCancelled,         // work stopped on request
  kInternal,          // a bug in docpipe
};

// Short lower-case name of a code, e.g. "corrupt"; stable, used in reports.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corrupt(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "corrupt: no objects found"; "ok" for success.
  std::string ToString() const;

  // The same code with "context: message", for adding where an error happened.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace docpipe

#define DOCPIPE_CONCAT_INNER(a, b) a##b
#define DOCPIPE_CONCAT(a, b) DOCPIPE_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define DOCPIPE_RETURN_IF_ERROR(expr)               \
  do {                                              \
    ::docpipe::Status _docpipe_status = (expr);     \
    if (!_docpipe_status.ok()) return _docpipe_status; \
  } while (0)

// `lhs = value of expr`, or returns its Status from the enclosing function.
#define DOCPIPE_ASSIGN_OR_RETURN(lhs, expr)                              \
  auto DOCPIPE_CONCAT(_docpipe_result_, __LINE__) = (expr);              \
  if (!DOCPIPE_CONCAT(_docpipe_result_, __LINE__).ok())                  \
    return DOCPIPE_CONCAT(_docpipe_result_, __LINE__).status();          \
  lhs = std::move(DOCPIPE_CONCAT(_docpipe_result_, __LINE__)).value()
