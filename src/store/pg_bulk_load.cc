// PgStore's bulk load: the chunks' full-text (GIN) index is dropped while
// bulk loaders write, and built once, in one sorted pass, by the last of them
// to finish. Keeping the index up to date costs a writer about as much CPU as
// computing the tsvectors (pending-list inserts, then merges into the tree)
// and 2.5 times the WAL of the rows; one pass over the finished table costs
// about the same CPU with little WAL (docs/performance.md: on a 2-core
// machine it was not faster, so it is an option, not the default).
//
// Who builds it: every bulk loader holds a shared session-level advisory lock
// on its own connection for as long as it loads. A loader that finishes gives
// its share back and tries for the lock alone: it gets it only when no other
// loader is still loading (a killed loader's session, and its share, ended
// with it), and then builds the index. Opening a store for writing does the
// same when it finds the index deferred, which finishes the work of a loader
// that was killed. Search never depends on the index for its answers, only
// for its speed, so no row is missing or stale at any point.
#include <fmt/format.h>

#include "store/pg_schema.h"
#include "store/pg_store.h"

namespace docpipe::store {
namespace {

// "docpipeB": any 64-bit constant other applications are unlikely to lock.
constexpr const char* kBulkLoadLockKey = "7237954471838361666";

// What schema version 1 created, so that the rebuilt index is the same one.
constexpr const char* kCreateTsvIndex =
    "CREATE INDEX IF NOT EXISTS chunks_tsv ON chunks USING gin(tsv) WITH (gin_pending_list_limit = 65536)";

// Marked in docpipe_meta, so that only an index a bulk load dropped is built
// again (in one transaction with the drop).
constexpr const char* kDeferIndex =
    "BEGIN; DROP INDEX IF EXISTS chunks_tsv; "
    "INSERT INTO docpipe_meta(key, value) VALUES ('search_index', 'deferred') ON CONFLICT DO NOTHING; COMMIT";
constexpr const char* kIndexDeferred = "SELECT EXISTS (SELECT 1 FROM docpipe_meta WHERE key = 'search_index')";

// Memory for the one-pass build: it sorts the entries of all chunks (GIN's
// build flushes to the index each time this fills).
constexpr const char* kBuildMemory = "SET maintenance_work_mem = '256MB'";

}  // namespace

Status PgBuildSearchIndexIfDone(PgConn& conn) {
  DOCPIPE_ASSIGN_OR_RETURN(PgRows deferred, conn.Exec(kIndexDeferred));
  if (deferred.Text(0, 0) != "t") return Status::Ok();
  DOCPIPE_ASSIGN_OR_RETURN(PgRows alone, conn.Exec(fmt::format("SELECT pg_try_advisory_lock({})", kBulkLoadLockKey)));
  if (alone.Text(0, 0) != "t") return Status::Ok();  // a loader is still loading: it builds the index
  Status status = conn.Exec(kBuildMemory).status();
  if (status.ok()) status = conn.Exec(kCreateTsvIndex).status();
  if (status.ok()) status = conn.Exec("DELETE FROM docpipe_meta WHERE key = 'search_index'").status();
  if (status.ok()) status = conn.Exec("RESET maintenance_work_mem").status();
  if (conn.alive()) (void)conn.Exec(fmt::format("SELECT pg_advisory_unlock({})", kBulkLoadLockKey));
  return status.ok() ? status : status.WithContext("building the full-text index");
}

Status PgStore::BeginBulkLoad() {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  if (bulk_session_) return Status::InvalidArgument("a bulk load is already under way on this store");
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<PgConn> session,
                           PgConn::Connect(pool_->location(), pool_->options().connect_timeout_s));
  // Waits while a finishing loader builds the index, then drops it again.
  DOCPIPE_RETURN_IF_ERROR(session->Exec(fmt::format("SELECT pg_advisory_lock_shared({})", kBulkLoadLockKey)).status());
  Status dropped = session->Exec(kDeferIndex).status();
  if (!dropped.ok()) return dropped.WithContext("starting a bulk load");
  bulk_session_ = std::move(session);
  return Status::Ok();
}

Status PgStore::FinishBulkLoad() {
  if (!bulk_session_) return Status::Ok();
  std::unique_ptr<PgConn> session = std::move(bulk_session_);
  DOCPIPE_RETURN_IF_ERROR(
      session->Exec(fmt::format("SELECT pg_advisory_unlock_shared({})", kBulkLoadLockKey)).status());
  return PgBuildSearchIndexIfDone(*session);
}

}  // namespace docpipe::store
