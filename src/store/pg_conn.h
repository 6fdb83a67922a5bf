// A thin owning wrapper over one libpq connection: parameterised queries whose
// results free themselves, COPY FROM STDIN, and PostgreSQL errors turned into
// Status values (by SQLSTATE) that never show the password of the location.
//
// Thread-safety: a PgConn belongs to one thread at a time, like the PGconn
// underneath; PgPool hands connections to threads.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"

namespace docpipe::store {

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConnHandle = std::unique_ptr<PGconn, PgConnCloser>;
using PgResultHandle = std::unique_ptr<PGresult, PgResultClearer>;

// Query parameters in text form; nullopt is SQL NULL.
using PgParams = std::vector<std::optional<std::string>>;

// Rows of a finished query. Values are text (the wire's text format).
class PgRows {
 public:
  explicit PgRows(PgResultHandle result) : result_(std::move(result)) {}
  int size() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) == 1; }
  std::string Text(int row, int column) const;
  int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  // A bytea column's raw bytes (the text format's hex form decoded).
  std::string Bytes(int row, int column) const;
  // For results asked for in binary format: a value's bytes as sent, and a
  // bigint column's value (big-endian on the wire).
  std::string_view Raw(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column), static_cast<size_t>(PQgetlength(result_.get(), row, column))};
  }
  int64_t BinaryInt64(int row, int column) const;

 private:
  PgResultHandle result_;
};

class PgConn {
 public:
  // Connects to `location` (a postgresql:// URL or key=value string). Waits at
  // most `connect_timeout_s` unless the location sets connect_timeout itself.
  // Wrong credentials are kPermissionDenied; a server that cannot be reached
  // or does not answer in time is kUnavailable; both name the location.
  static Result<std::unique_ptr<PgConn>> Connect(const std::string& location, int connect_timeout_s);

  PgConn(std::string location, PgConnHandle handle) : location_(std::move(location)), handle_(std::move(handle)) {}

  PGconn* handle() const { return handle_.get(); }
  const std::string& location() const { return location_; }  // redacted
  // False once the server is gone (killed backend, restart, network): the
  // connection cannot be used again and the pool drops it.
  bool alive() const { return PQstatus(handle_.get()) == CONNECTION_OK; }

  // Runs one statement (several, separated by ';', when `params` is empty and
  // results are text). Binary results spare bytea the hex round trip.
  Result<PgRows> Exec(std::string_view sql, const PgParams& params = {}, bool binary_results = false);
  // Runs `sql` once for each parameter set, in order, sending them all before
  // reading any result (libpq's pipeline mode): one round trip to the server
  // per group instead of one per statement. On success `rows` holds one
  // result per parameter set; on failure `rows.size()` is the index of the
  // statement that failed (those after it did not run) and the status is its
  // error, "<location>: <doing>: <message>". Meant for use inside a
  // transaction, which a failure leaves aborted.
  Status ExecEach(std::string_view sql, const std::vector<PgParams>& each, std::string_view doing,
                  std::vector<PgRows>& rows);
  // Runs `copy_sql` ("COPY t(...) FROM STDIN (FORMAT binary)") and sends the
  // bytes `produce` appends to its buffer: it is called with an empty buffer
  // until it returns false, and each non-empty buffer is sent at once, so the
  // whole stream never sits in memory.
  template <typename Produce>
  Status Copy(std::string_view copy_sql, Produce&& produce);

  // Status for a failed result or connection, "<location>: <doing>: <message>".
  Status Error(const PGresult* result, std::string_view doing) const;

 private:
  Status BeginCopy(std::string_view copy_sql);
  Status SendCopyData(const std::string& bytes);
  Status EndCopy(const char* error);

  std::string location_;
  PgConnHandle handle_;
};

template <typename Produce>
Status PgConn::Copy(std::string_view copy_sql, Produce&& produce) {
  DOCPIPE_RETURN_IF_ERROR(BeginCopy(copy_sql));
  std::string buffer;
  bool more = true;
  while (more) {
    buffer.clear();
    Result<bool> produced = produce(buffer);
    if (!produced.ok()) {
      (void)EndCopy("the client stopped the copy");
      return produced.status();
    }
    more = *produced;
    if (!buffer.empty()) {
      Status sent = SendCopyData(buffer);
      if (!sent.ok()) return sent;
    }
  }
  return EndCopy(nullptr);
}

// BEGIN .. COMMIT; rolls back when destroyed uncommitted, so every early
// return leaves the database as it was.
class PgTransaction {
 public:
  static Result<std::unique_ptr<PgTransaction>> Begin(PgConn& conn);
  explicit PgTransaction(PgConn& conn) : conn_(conn) {}
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  ~PgTransaction();
  Status Commit();

 private:
  PgConn& conn_;
  bool open_ = true;
};

// Appends rows in PostgreSQL's binary COPY format to a caller's buffer.
// Integers and floats go big-endian; text must be valid UTF-8 without NUL.
class PgCopyEncoder {
 public:
  static void Header(std::string& out);
  static void Trailer(std::string& out);
  static void Row(std::string& out, int16_t fields);
  static void Bool(std::string& out, bool value);
  static void Int32(std::string& out, int32_t value);
  static void Int64(std::string& out, int64_t value);
  static void Float4(std::string& out, float value);
  static void Float8(std::string& out, double value);
  static void Text(std::string& out, std::string_view value);
  static void Bytes(std::string& out, std::string_view value);  // bytea
  static void Jsonb(std::string& out, std::string_view json);
  static void Null(std::string& out);
};

// `text` as PostgreSQL stores it: invalid UTF-8 becomes U+FFFD and NUL, which
// a text value cannot hold, is dropped.
std::string PgText(std::string_view text);

}  // namespace docpipe::store
