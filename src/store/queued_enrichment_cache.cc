#include "store/queued_enrichment_cache.h"

namespace docpipe::store {

std::string QueuedEnrichmentCache::MapKey(const EnrichmentCacheKey& key) {
  // NUL cannot occur in a model name, a prompt version or a hex digest.
  std::string joined = key.model;
  joined.push_back('\0');
  joined += key.prompt_version;
  joined.push_back('\0');
  joined += key.text_sha256;
  return joined;
}

std::optional<EnrichmentResult> QueuedEnrichmentCache::Get(const EnrichmentCacheKey& key) {
  std::optional<std::string> json;
  {
    MutexLock lock(mutex_);
    auto it = pending_.find(MapKey(key));
    if (it != pending_.end()) json = it->second.result_json;
  }
  if (!json) json = ReadStored(key);
  if (!json) return std::nullopt;
  Result<EnrichmentResult> result = EnrichmentResultFromJson(*json);
  if (!result.ok()) return std::nullopt;  // an unreadable entry is a miss; the next Put replaces it
  return std::move(result).value();
}

void QueuedEnrichmentCache::Put(const EnrichmentCacheKey& key, const EnrichmentResult& result) {
  PendingRow row{key, EnrichmentResultToJson(result)};
  MutexLock lock(mutex_);
  pending_[MapKey(key)] = std::move(row);
}

size_t QueuedEnrichmentCache::pending() const {
  MutexLock lock(mutex_);
  return pending_.size();
}

Status QueuedEnrichmentCache::Flush() {
  std::unordered_map<std::string, PendingRow> rows;
  {
    MutexLock lock(mutex_);
    rows = pending_;
  }
  if (rows.empty()) return Status::Ok();
  std::vector<PendingRow> list;
  list.reserve(rows.size());
  for (const auto& [map_key, row] : rows) list.push_back(row);
  DOCPIPE_RETURN_IF_ERROR(WriteRows(list));
  // Rows stay visible in the queue until committed, so Get() never misses them
  // in between; a newer Put() of the same key made meanwhile is kept.
  MutexLock lock(mutex_);
  for (const auto& [map_key, row] : rows) {
    auto it = pending_.find(map_key);
    if (it != pending_.end() && it->second.result_json == row.result_json) pending_.erase(it);
  }
  return Status::Ok();
}

}  // namespace docpipe::store
