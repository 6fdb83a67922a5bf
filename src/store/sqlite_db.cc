#include "store/sqlite_db.h"

#include <cstring>

namespace docpipe::store {

StatusCode StatusCodeForSqlite(int sqlite_code) {
  switch (sqlite_code & 0xff) {  // the primary code of an extended code
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return StatusCode::kOk;
    case SQLITE_FULL:
    case SQLITE_NOMEM:
    case SQLITE_TOOBIG: return StatusCode::kResourceExhausted;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_NOLFS: return StatusCode::kIoError;
    case SQLITE_PERM:
    case SQLITE_AUTH: return StatusCode::kPermissionDenied;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return StatusCode::kCorrupt;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return StatusCode::kTimeout;  // busy_timeout ran out
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE: return StatusCode::kInvalidArgument;
    case SQLITE_INTERRUPT: return StatusCode::kCancelled;
    default: return StatusCode::kInternal;
  }
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(handle_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Error(rc, "executing statement");
}

Status Statement::Run() {
  Result<bool> row = Step();
  return row.status();
}

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(handle_.get(), column);
  if (text == nullptr) return {};
  int size = sqlite3_column_bytes(handle_.get(), column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  // sqlite3_open_v2 hands back a handle even on failure; own it so it is closed.
  auto db = std::make_unique<SqliteDb>(path, SqliteHandle(raw));
  if (raw == nullptr) return Status::ResourceExhausted(path + ": out of memory opening the database");
  if (rc != SQLITE_OK) return db->Error(rc, "cannot open database");
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

Status SqliteDb::Exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(handle_.get(), sql, nullptr, nullptr, &message);
  sqlite3_free(message);  // the same text is available from Error()
  if (rc != SQLITE_OK) return Error(rc, "executing SQL");
  return Status::Ok();
}

Result<int64_t> SqliteDb::QueryInt(const char* sql) {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease statement, Prepare(sql));
  DOCPIPE_ASSIGN_OR_RETURN(bool row, statement->Step());
  if (!row) return Status::Internal(path_ + ": query returned no row: " + sql);
  return statement->ColumnInt(0);
}

Result<StatementLease> SqliteDb::Prepare(const char* sql) {
  auto found = statements_.find(sql);
  if (found != statements_.end()) return StatementLease(found->second.get());
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(handle_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  StatementHandle handle(raw);
  if (rc != SQLITE_OK) return Error(rc, "preparing statement");
  auto statement = std::make_unique<Statement>(this, std::move(handle));
  Statement* borrowed = statement.get();
  statements_.emplace(sql, std::move(statement));
  return StatementLease(borrowed);
}

Status SqliteDb::Error(int sqlite_code, std::string_view doing) const {
  std::string message = path_;
  message += ": ";
  message += doing;
  message += ": ";
  // The connection's message is more specific than sqlite3_errstr's generic text
  // when it belongs to this failure.
  if (handle_ != nullptr && (sqlite3_extended_errcode(handle_.get()) & 0xff) == (sqlite_code & 0xff)) {
    message += sqlite3_errmsg(handle_.get());
  } else {
    message += sqlite3_errstr(sqlite_code);
  }
  int primary = sqlite_code & 0xff;
  if (handle_ != nullptr && (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_FULL)) {
    int system_errno = sqlite3_system_errno(handle_.get());
    if (system_errno != 0) {
      message += " (";
      message += std::strerror(system_errno);
      message += ")";
    }
  }
  return Status(StatusCodeForSqlite(sqlite_code), std::move(message));
}

Result<std::unique_ptr<Transaction>> Transaction::Begin(SqliteDb& db) {
  // IMMEDIATE takes the write lock now (waiting up to busy_timeout), so the
  // transaction cannot fail later on a read-to-write upgrade in WAL mode.
  DOCPIPE_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return std::make_unique<Transaction>(db);
}

Transaction::~Transaction() {
  // After some errors (SQLITE_FULL, I/O errors) SQLite has already rolled back.
  if (open_ && sqlite3_get_autocommit(db_.handle()) == 0) {
    (void)db_.Exec("ROLLBACK");
  }
}

Status Transaction::Commit() {
  Status status = db_.Exec("COMMIT");
  if (status.ok()) open_ = false;
  return status;
}

}  // namespace docpipe::store
