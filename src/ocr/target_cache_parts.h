// The two layers behind TargetCache: an in-process LRU and the shared
// directory of memory-mapped entry files.
#pragma once

#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/mutex.h"
#include "docpipe/ocr_target_cache.h"

namespace docpipe::ocr {

// LRU of read-only maps bounded by their byte size. Thread-safe.
class TargetCache::Memory {
 public:
  explicit Memory(size_t max_bytes) : max_bytes_(max_bytes) {}

  std::optional<DbTargetMaps> Get(const std::string& key);
  void Put(const std::string& key, const DbTargetMaps& maps);
  void Clear();
  uint64_t bytes() const;
  uint64_t entries() const;

 private:
  struct Entry {
    std::string key;
    DbTargetMaps maps;
  };
  void EvictLocked() DOCPIPE_REQUIRES(mutex_);

  const size_t max_bytes_;
  mutable Mutex mutex_;
  std::list<Entry> order_ DOCPIPE_GUARDED_BY(mutex_);  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_ DOCPIPE_GUARDED_BY(mutex_);
  size_t bytes_ DOCPIPE_GUARDED_BY(mutex_) = 0;
};

// One file per entry under <directory>/db-targets-v1/<key[0:2]>/<key>.dbt,
// published by rename from <directory>/db-targets-v1/tmp/. Thread- and
// process-safe: it keeps no state besides the path.
class TargetCache::Disk {
 public:
  static Result<std::unique_ptr<Disk>> Make(const std::string& directory, bool durable);

  // nullopt when there is no valid entry for `key`.
  Result<std::optional<DbTargetMaps>> Read(const std::string& key) const;
  Status Write(const std::string& key, const DbTargetMaps& maps) const;

 private:
  Disk(std::string root, bool durable) : root_(std::move(root)), durable_(durable) {}
  std::string EntryPath(const std::string& key) const;
  void RemoveStaleTemporaries() const;

  const std::string root_;
  const bool durable_;
};

}  // namespace docpipe::ocr
