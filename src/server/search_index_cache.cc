#include "server/search_index_cache.h"

namespace docpipe::server {

SearchIndexCache::~SearchIndexCache() {
  if (builder_.joinable()) builder_.join();
}

std::shared_ptr<const VectorIndex> SearchIndexCache::Current(Store& reader, const std::string& embedder_key) {
  Result<VectorStamp> stamp = reader.StampOf(embedder_key);
  MutexLock lock(mutex_);
  if (stamp.ok() && stamp->count > 0 && index_ && key_ == embedder_key && index_->stamp() == *stamp) return index_;
  if (!stamp.ok() || stamp->count == 0 || stats_.building) return nullptr;
  stats_.building = true;
  if (builder_.joinable()) builder_.join();  // the previous rebuild has finished: building was false
  builder_ = std::jthread([this, embedder_key] { Rebuild(embedder_key); });
  return nullptr;
}

void SearchIndexCache::Rebuild(std::string embedder_key) {
  Result<std::shared_ptr<const VectorIndex>> built = Status::Internal("not built");
  Result<std::unique_ptr<Store>> reader = store_.OpenReader();
  if (reader.ok()) {
    Result<std::unique_ptr<VectorIndex>> index = VectorIndex::Open(**reader, embedder_key, directory_, {});
    if (index.ok()) {
      built = std::shared_ptr<const VectorIndex>(std::move(*index));
    } else {
      built = index.status();
    }
  } else {
    built = reader.status();
  }
  MutexLock lock(mutex_);
  stats_.building = false;
  ++stats_.rebuilds;
  if (built.ok()) {
    index_ = std::move(*built);
    key_ = embedder_key;
    stats_.vectors = index_->info().vectors;
    stats_.last_error.clear();
  } else {
    stats_.last_error = built.status().ToString();
  }
}

SearchIndexCache::Stats SearchIndexCache::stats() const {
  MutexLock lock(mutex_);
  return stats_;
}

}  // namespace docpipe::server
