#include <bit>
#include <cstring>
#include <string>

#include "core/sha256.h"
#include "ocr/target_cache_parts.h"

namespace docpipe::ocr {
namespace {

void HashValue(Sha256& hash, auto value) { hash.Update(&value, sizeof(value)); }

}  // namespace

TargetCache::TargetCache(TargetCacheOptions options)
    : options_(std::move(options)), memory_(std::make_unique<Memory>(options_.max_ram_bytes)) {}

TargetCache::~TargetCache() = default;

Result<std::unique_ptr<TargetCache>> TargetCache::Make(const TargetCacheOptions& options) {
  std::unique_ptr<TargetCache> cache(new TargetCache(options));
  if (!options.directory.empty()) {
    DOCPIPE_ASSIGN_OR_RETURN(cache->disk_, Disk::Make(options.directory, options.durable));
  }
  return cache;
}

std::string TargetCache::Key(std::span<const TextPolygon> polygons, int height, int width,
                             const DbTargetOptions& options) {
  // Fixed-width little-endian fields in a fixed order; doubles by their bits.
  Sha256 hash;
  hash.Update(DbTargetsVersion());
  HashValue(hash, int32_t{height});
  HashValue(hash, int32_t{width});
  HashValue(hash, options.shrink_ratio);
  HashValue(hash, options.min_text_size);
  HashValue(hash, options.thresh_min);
  HashValue(hash, options.thresh_max);
  HashValue(hash, static_cast<int32_t>(options.distance));
  HashValue(hash, static_cast<int32_t>(options.convention));
  HashValue(hash, static_cast<uint64_t>(polygons.size()));
  for (const TextPolygon& p : polygons) {
    HashValue(hash, static_cast<uint8_t>(p.ignore));
    HashValue(hash, static_cast<uint64_t>(p.xy.size()));
    hash.Update(p.xy.data(), p.xy.size() * sizeof(double));
  }
  return hash.HexDigest();
}

Result<std::optional<DbTargetMaps>> TargetCache::Get(const std::string& key) {
  if (std::optional<DbTargetMaps> maps = memory_->Get(key)) {
    ram_hits_.fetch_add(1, std::memory_order_relaxed);
    return maps;
  }
  if (disk_ != nullptr) {
    DOCPIPE_ASSIGN_OR_RETURN(std::optional<DbTargetMaps> maps, disk_->Read(key));
    if (maps.has_value()) {
      disk_hits_.fetch_add(1, std::memory_order_relaxed);
      memory_->Put(key, *maps);
      return maps;
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::optional<DbTargetMaps>();
}

Status TargetCache::Put(const std::string& key, const DbTargetMaps& maps) {
  if (maps.height() < 1 || maps.width() < 1) return Status::InvalidArgument("cannot cache empty maps");
  // Cached maps are shared with every later reader, so they are read-only.
  const DbTargetMaps shared = DbTargetMaps::View(maps.height(), maps.width(), maps.owner(), maps.data());
  if (disk_ != nullptr) {
    DOCPIPE_RETURN_IF_ERROR(disk_->Write(key, shared));
    writes_.fetch_add(1, std::memory_order_relaxed);
  }
  memory_->Put(key, shared);
  return Status::Ok();
}

Result<DbTargetMaps> TargetCache::GetOrCompute(std::span<const TextPolygon> polygons, int height, int width,
                                               const DbTargetOptions& options) {
  DOCPIPE_RETURN_IF_ERROR(ValidateDbTargetOptions(options));
  DOCPIPE_RETURN_IF_ERROR(ValidateDbTargetInput(polygons, height, width));
  const std::string key = Key(polygons, height, width, options);
  DOCPIPE_ASSIGN_OR_RETURN(std::optional<DbTargetMaps> cached, Get(key));
  if (cached.has_value()) return *std::move(cached);
  DOCPIPE_ASSIGN_OR_RETURN(DbTargetMaps maps, ComputeDbTargets(polygons, height, width, options));
  DOCPIPE_RETURN_IF_ERROR(Put(key, maps));
  return DbTargetMaps::View(maps.height(), maps.width(), maps.owner(), maps.data());
}

void TargetCache::ClearMemory() { memory_->Clear(); }

TargetCacheStats TargetCache::stats() const {
  TargetCacheStats s;
  s.ram_hits = ram_hits_.load(std::memory_order_relaxed);
  s.disk_hits = disk_hits_.load(std::memory_order_relaxed);
  s.misses = misses_.load(std::memory_order_relaxed);
  s.writes = writes_.load(std::memory_order_relaxed);
  s.ram_bytes = memory_->bytes();
  s.ram_entries = memory_->entries();
  return s;
}

}  // namespace docpipe::ocr
