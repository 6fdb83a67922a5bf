// The SQLite store's enrichment cache: the enrichment_cache table behind a
// connection of its own, with the shared in-memory queue for writes.
//
// Thread-safety: any threads. `db_mutex_` guards the connection; the queue has
// its own lock (QueuedEnrichmentCache), so a Put() never waits for a transaction.
#pragma once

#include <memory>
#include <string>

#include "core/mutex.h"
#include "store/queued_enrichment_cache.h"
#include "store/sqlite_db.h"

namespace docpipe::store {

class SqliteEnrichmentCache final : public QueuedEnrichmentCache {
 public:
  // Opens a second connection to the (already migrated) store file at `path`.
  static Result<std::unique_ptr<SqliteEnrichmentCache>> Make(const std::string& path, int lock_timeout_ms);

  explicit SqliteEnrichmentCache(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  ~SqliteEnrichmentCache() override;

 private:
  std::optional<std::string> ReadStored(const EnrichmentCacheKey& key) override;
  Status WriteRows(const std::vector<PendingRow>& rows) override;

  Mutex db_mutex_;
  std::unique_ptr<SqliteDb> db_ DOCPIPE_PT_GUARDED_BY(db_mutex_);
};

}  // namespace docpipe::store
