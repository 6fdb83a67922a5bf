// A thin owning wrapper over one SQLite connection: prepared statements that
// reset themselves, a statement cache, transactions that roll back unless
// committed, and SQLite result codes turned into Status values.
//
// Thread-safety: a SqliteDb and its statements belong to one thread at a time,
// like the SQLite connection underneath (opened with SQLITE_OPEN_NOMUTEX).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "docpipe/status.h"

namespace docpipe::store {

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

// The StatusCode a SQLite result code stands for (SQLITE_FULL -> kResourceExhausted, ...).
StatusCode StatusCodeForSqlite(int sqlite_code);

class SqliteDb;

// One prepared statement. Bind* take 1-based parameter indexes. Step() reports
// whether a row is available; Reset() (also run by StatementLease) ends the
// statement so that it holds no read snapshot between uses.
class Statement {
 public:
  Statement(SqliteDb* db, StatementHandle handle) : db_(db), handle_(std::move(handle)) {}

  void BindInt(int index, int64_t value) { sqlite3_bind_int64(handle_.get(), index, value); }
  void BindDouble(int index, double value) { sqlite3_bind_double(handle_.get(), index, value); }
  void BindNull(int index) { sqlite3_bind_null(handle_.get(), index); }
  // The text must outlive the step: it is bound without a copy.
  void BindText(int index, std::string_view text) {
    sqlite3_bind_text64(handle_.get(), index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  }

  // The bytes must outlive the step: they are bound without a copy.
  void BindBlob(int index, const void* data, size_t size) {
    sqlite3_bind_blob64(handle_.get(), index, data, size, SQLITE_STATIC);
  }

  // true: a row is ready; false: done. Errors carry the connection's message.
  Result<bool> Step();
  // Steps a statement that returns no rows (or whose rows are not needed).
  Status Run();

  int64_t ColumnInt(int column) const { return sqlite3_column_int64(handle_.get(), column); }
  double ColumnDouble(int column) const { return sqlite3_column_double(handle_.get(), column); }
  bool ColumnIsNull(int column) const { return sqlite3_column_type(handle_.get(), column) == SQLITE_NULL; }
  std::string ColumnText(int column) const;
  // The column's bytes, valid until the next Step() or Reset().
  std::span<const unsigned char> ColumnBlob(int column) const {
    const void* data = sqlite3_column_blob(handle_.get(), column);
    const int size = sqlite3_column_bytes(handle_.get(), column);
    return {static_cast<const unsigned char*>(data), static_cast<size_t>(size)};
  }

  void Reset() {
    sqlite3_reset(handle_.get());
    sqlite3_clear_bindings(handle_.get());
  }

 private:
  SqliteDb* db_;
  StatementHandle handle_;
};

// Borrows a cached statement and resets it when the borrower is done.
class StatementLease {
 public:
  explicit StatementLease(Statement* statement) : statement_(statement) {}
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;
  StatementLease(StatementLease&& other) noexcept : statement_(std::exchange(other.statement_, nullptr)) {}
  ~StatementLease() {
    if (statement_ != nullptr) statement_->Reset();
  }
  Statement* operator->() const { return statement_; }
  Statement& operator*() const { return *statement_; }

 private:
  Statement* statement_;
};

class SqliteDb {
 public:
  // Opens `path` with SQLITE_OPEN_* `flags`. Failure names the path.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, int flags);

  SqliteDb(std::string path, SqliteHandle handle) : path_(std::move(path)), handle_(std::move(handle)) {}

  const std::string& path() const { return path_; }
  sqlite3* handle() const { return handle_.get(); }

  // Runs one or more statements that return nothing of interest.
  Status Exec(const char* sql);
  // The first column of the first row of `sql`, as an integer.
  Result<int64_t> QueryInt(const char* sql);
  // A cached prepared statement for `sql` (the text is the cache key).
  Result<StatementLease> Prepare(const char* sql);

  // The Status for the connection's last error, as "<path>: <doing>: <message>".
  Status Error(int sqlite_code, std::string_view doing) const;

 private:
  std::string path_;
  SqliteHandle handle_;
  // Declared after handle_ so that statements are finalized before the connection closes.
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

// BEGIN IMMEDIATE .. COMMIT; rolls back when destroyed uncommitted, so every
// early return leaves the database as it was.
class Transaction {
 public:
  static Result<std::unique_ptr<Transaction>> Begin(SqliteDb& db);
  explicit Transaction(SqliteDb& db) : db_(db) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status Commit();

 private:
  SqliteDb& db_;
  bool open_ = true;
};

}  // namespace docpipe::store
