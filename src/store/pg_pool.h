// The connections one PostgreSQL store shares between its writer, its readers
// and its enrichment cache: at most `max_connections`, opened on first need,
// kept open for reuse, and dropped when the server went away (the next lease
// opens a fresh one, which is how a dropped connection is reconnected).
//
// Thread-safety: any threads. A lease is used by one thread; Acquire() waits
// up to `wait_ms` for a connection when all are leased.
#pragma once

#include <condition_variable>
#include <memory>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "core/redact.h"
#include "docpipe/status.h"
#include "store/pg_conn.h"

namespace docpipe::store {

struct PgPoolOptions {
  int max_connections = 4;
  int connect_timeout_s = 10;
  int wait_ms = 15000;  // how long Acquire() waits for a busy pool
  // The server-side lock_timeout of every connection: how long a statement
  // waits for a lock another writer holds before failing (kTimeout). 0: forever.
  int lock_timeout_ms = 15000;
};

class PgPool;

// One leased connection, given back when the lease dies.
class PgLease {
 public:
  PgLease(PgPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
  PgLease(PgLease&& other) noexcept = default;
  PgLease& operator=(PgLease&&) = delete;
  ~PgLease();
  PgConn* operator->() const { return conn_.get(); }
  PgConn& operator*() const { return *conn_; }

 private:
  PgPool* pool_;
  std::unique_ptr<PgConn> conn_;
};

class PgPool {
 public:
  // Checks `location` by opening the first connection, which stays in the pool.
  static Result<std::shared_ptr<PgPool>> Make(const std::string& location, const PgPoolOptions& options);

  PgPool(std::string location, PgPoolOptions options) : location_(std::move(location)), options_(options) {}

  Result<PgLease> Acquire();
  const std::string& location() const { return location_; }  // as given, password included
  std::string shown_location() const { return RedactCredentials(location_); }
  const PgPoolOptions& options() const { return options_; }

 private:
  friend class PgLease;
  void Release(std::unique_ptr<PgConn> conn);

  const std::string location_;
  const PgPoolOptions options_;
  Mutex mutex_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<PgConn>> idle_ DOCPIPE_GUARDED_BY(mutex_);
  int open_ DOCPIPE_GUARDED_BY(mutex_) = 0;  // idle + leased
};

}  // namespace docpipe::store
