// The PostgreSQL store's enrichment cache: the enrichment_cache table reached
// through the store's connection pool, with the shared in-memory queue for writes.
//
// Thread-safety: any threads; each read or write leases a pooled connection.
#pragma once

#include <memory>
#include <string>

#include "store/pg_pool.h"
#include "store/queued_enrichment_cache.h"

namespace docpipe::store {

class PgEnrichmentCache final : public QueuedEnrichmentCache {
 public:
  explicit PgEnrichmentCache(std::shared_ptr<PgPool> pool) : pool_(std::move(pool)) {}
  ~PgEnrichmentCache() override;

 private:
  std::optional<std::string> ReadStored(const EnrichmentCacheKey& key) override;
  Status WriteRows(const std::vector<PendingRow>& rows) override;

  std::shared_ptr<PgPool> pool_;
};

}  // namespace docpipe::store
