#include "store/pg_pool.h"

#include <fmt/format.h>

#include <chrono>

namespace docpipe::store {

PgLease::~PgLease() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

Result<std::shared_ptr<PgPool>> PgPool::Make(const std::string& location, const PgPoolOptions& options) {
  if (options.max_connections < 1) return Status::InvalidArgument("a connection pool needs at least one connection");
  auto pool = std::make_shared<PgPool>(location, options);
  DOCPIPE_ASSIGN_OR_RETURN(PgLease first, pool->Acquire());
  return pool;
}

Result<PgLease> PgPool::Acquire() {
  MutexLock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.wait_ms);
  while (true) {
    while (!idle_.empty()) {
      std::unique_ptr<PgConn> conn = std::move(idle_.back());
      idle_.pop_back();
      if (conn->alive()) return PgLease(this, std::move(conn));
      --open_;  // the server dropped it while idle
    }
    if (open_ < options_.max_connections) break;
    if (!lock.WaitUntil(released_, deadline) && idle_.empty() &&
        open_ >= options_.max_connections) {
      return Status::Timeout(fmt::format("{}: all {} pooled connections stayed busy for {} ms", shown_location(),
                                         options_.max_connections, options_.wait_ms));
    }
  }
  ++open_;
  lock.Unlock();  // connecting may take up to the connect timeout; others go on meanwhile
  Result<std::unique_ptr<PgConn>> conn = PgConn::Connect(location_, options_.connect_timeout_s);
  if (conn.ok()) {
    Status set = (*conn)->Exec("SELECT set_config('lock_timeout', $1, false)",
                               {std::to_string(options_.lock_timeout_ms)}).status();
    if (!set.ok()) conn = set;
  }
  if (!conn.ok()) {
    lock.Lock();
    --open_;
    released_.notify_one();
    return conn.status();
  }
  return PgLease(this, std::move(conn).value());
}

void PgPool::Release(std::unique_ptr<PgConn> conn) {
  MutexLock lock(mutex_);
  // A connection left inside a transaction (an error path that could not roll
  // back) or cut off by the server is closed rather than reused.
  if (conn->alive() && PQtransactionStatus(conn->handle()) == PQTRANS_IDLE) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  released_.notify_one();
}

}  // namespace docpipe::store
