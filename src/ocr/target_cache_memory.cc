#include "ocr/target_cache_parts.h"

namespace docpipe::ocr {

std::optional<DbTargetMaps> TargetCache::Memory::Get(const std::string& key) {
  MutexLock lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->maps;
}

void TargetCache::Memory::Put(const std::string& key, const DbTargetMaps& maps) {
  if (maps.byte_size() > max_bytes_) return;  // would evict everything and still not fit
  MutexLock lock(mutex_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    bytes_ -= it->second->maps.byte_size();
    order_.erase(it->second);
    index_.erase(it);
  }
  order_.push_front(Entry{key, maps});
  index_[key] = order_.begin();
  bytes_ += maps.byte_size();
  EvictLocked();
}

void TargetCache::Memory::EvictLocked() {
  while (bytes_ > max_bytes_ && !order_.empty()) {
    bytes_ -= order_.back().maps.byte_size();
    index_.erase(order_.back().key);
    order_.pop_back();
  }
}

void TargetCache::Memory::Clear() {
  MutexLock lock(mutex_);
  order_.clear();
  index_.clear();
  bytes_ = 0;
}

uint64_t TargetCache::Memory::bytes() const {
  MutexLock lock(mutex_);
  return bytes_;
}

uint64_t TargetCache::Memory::entries() const {
  MutexLock lock(mutex_);
  return order_.size();
}

}  // namespace docpipe::ocr
