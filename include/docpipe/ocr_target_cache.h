// TargetCache: DBNet label maps cached in memory (LRU with a byte budget) and,
// optionally, in a directory shared by processes (one store per dataset).
//
// An entry's key is a SHA-256 of everything the maps depend on: the polygons,
// their ignore flags, the image size, every option and DbTargetsVersion(). The
// key is also stored inside the entry and checked on every read, so an entry
// made with other parameters or by another version is never returned.
//
// On disk each entry is one file, written under a temporary name and published
// with rename(2): a reader sees a complete entry or none, also when a writer is
// killed half-way (its temporary file is removed by the next Make()). Entries
// are read with mmap, so maps from a disk hit share the page cache across
// DataLoader worker processes and cost no copy. Several processes may read and
// write the same directory at once; two writers of one key publish the same
// bytes and the last rename wins.
//
// Thread-safety: every method may be called from any thread at any time.
// Maps returned by the cache are read-only views that stay valid as long as
// the caller holds them, also after eviction or the cache's destruction.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "docpipe/ocr_targets.h"
#include "docpipe/status.h"

namespace docpipe::ocr {

struct TargetCacheOptions {
  std::string directory;                 // empty: memory only
  size_t max_ram_bytes = size_t{1} << 30;  // this process's LRU budget; 0 disables it
  bool durable = false;  // also fsync each entry before publishing it (survives power loss, slower)
};

struct TargetCacheStats {
  uint64_t ram_hits = 0;
  uint64_t disk_hits = 0;
  uint64_t misses = 0;
  uint64_t writes = 0;       // entries published to disk by this process
  uint64_t ram_bytes = 0;    // bytes held by the LRU now
  uint64_t ram_entries = 0;
};

class TargetCache {
 public:
  // Creates the directory layout when a directory is given and removes
  // temporary files left by writers that no longer run.
  static Result<std::unique_ptr<TargetCache>> Make(const TargetCacheOptions& options);
  ~TargetCache();
  TargetCache(const TargetCache&) = delete;
  TargetCache& operator=(const TargetCache&) = delete;

  // 64 lowercase hex digits identifying the maps of this input.
  static std::string Key(std::span<const TextPolygon> polygons, int height, int width,
                         const DbTargetOptions& options);

  // The maps stored under `key`, from memory or disk; nullopt when absent.
  // A damaged or foreign file under that name is treated as absent.
  Result<std::optional<DbTargetMaps>> Get(const std::string& key);

  // Stores `maps` under `key` in memory and, with a directory, on disk.
  Status Put(const std::string& key, const DbTargetMaps& maps);

  // Get, or compute with ComputeDbTargets and Put.
  Result<DbTargetMaps> GetOrCompute(std::span<const TextPolygon> polygons, int height, int width,
                                    const DbTargetOptions& options = {});

  // Empties this process's memory cache (disk entries stay).
  void ClearMemory();

  TargetCacheStats stats() const;
  const TargetCacheOptions& options() const { return options_; }

 private:
  class Memory;
  class Disk;
  explicit TargetCache(TargetCacheOptions options);

  TargetCacheOptions options_;
  std::unique_ptr<Memory> memory_;
  std::unique_ptr<Disk> disk_;  // null when memory only
  std::atomic<uint64_t> ram_hits_{0}, disk_hits_{0}, misses_{0}, writes_{0};
};

}  // namespace docpipe::ocr
