// The part of a store's enrichment cache that every backend shares: Put()
// queues results in memory, where Get() already sees them, and Flush() hands
// the queue to the backend to write in one transaction.
//
// Thread-safety: any threads. `mutex_` guards only the in-memory queue, so a
// Put() from the LLM client's I/O thread never waits for a write; backends
// guard their own connection. A backend's destructor calls Flush() itself
// (the base destructor can no longer reach the backend's WriteRows()).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "docpipe/store.h"

namespace docpipe::store {

class QueuedEnrichmentCache : public StoreEnrichmentCache {
 public:
  std::optional<EnrichmentResult> Get(const EnrichmentCacheKey& key) override;
  void Put(const EnrichmentCacheKey& key, const EnrichmentResult& result) override;
  Status Flush() override;
  size_t pending() const override;

 protected:
  struct PendingRow {
    EnrichmentCacheKey key;
    std::string result_json;
  };
  // The stored JSON for `key`, or nullopt (a read error is a miss).
  virtual std::optional<std::string> ReadStored(const EnrichmentCacheKey& key) = 0;
  // Upserts the rows in one transaction.
  virtual Status WriteRows(const std::vector<PendingRow>& rows) = 0;

 private:
  static std::string MapKey(const EnrichmentCacheKey& key);

  mutable Mutex mutex_;
  std::unordered_map<std::string, PendingRow> pending_ DOCPIPE_GUARDED_BY(mutex_);
};

}  // namespace docpipe::store
