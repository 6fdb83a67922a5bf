// The SQLite store's enrichment cache: the enrichment_cache table behind a
// connection of its own, with an in-memory queue for writes.
//
// Thread-safety: any threads. Two mutexes keep Put() cheap for the LLM
// client's I/O thread: `pending_mutex_` guards only the in-memory queue, and
// `db_mutex_` the connection, so a Put() never waits for a transaction.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "docpipe/store.h"
#include "store/sqlite_db.h"

namespace docpipe::store {

class SqliteEnrichmentCache final : public StoreEnrichmentCache {
 public:
  // Opens a second connection to the (already migrated) store file at `path`.
  static Result<std::unique_ptr<SqliteEnrichmentCache>> Make(const std::string& path, int lock_timeout_ms);

  explicit SqliteEnrichmentCache(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  ~SqliteEnrichmentCache() override;

  std::optional<EnrichmentResult> Get(const EnrichmentCacheKey& key) override;
  void Put(const EnrichmentCacheKey& key, const EnrichmentResult& result) override;
  Status Flush() override;
  size_t pending() const override;

 private:
  struct PendingRow {
    EnrichmentCacheKey key;
    std::string result_json;
  };
  static std::string MapKey(const EnrichmentCacheKey& key);
  Status WriteRows(const std::unordered_map<std::string, PendingRow>& rows);

  mutable std::mutex db_mutex_;
  std::unique_ptr<SqliteDb> db_;  // guarded by db_mutex_
  mutable std::mutex pending_mutex_;
  std::unordered_map<std::string, PendingRow> pending_;  // guarded by pending_mutex_
};

}  // namespace docpipe::store
