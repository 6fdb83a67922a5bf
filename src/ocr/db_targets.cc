// ComputeDbTargets: MhLiao/DB's MakeSegDetectionData + MakeBorderMap, and the
// PaddleOCR ordering of the same steps.
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "docpipe/ocr_targets.h"
#include "ocr/db_targets_border.h"
#include "ocr/db_targets_geometry.h"

namespace docpipe::ocr {
namespace {

using Polygon = std::vector<PointD>;

struct Planes {
  FloatPlane gt, mask, canvas, thresh_mask;
};

Planes PlanesOf(DbTargetMaps& maps) {
  auto plane = [&](DbPlane p) { return FloatPlane{maps.mutable_plane(p), maps.height(), maps.width()}; };
  return {plane(DbPlane::kGt), plane(DbPlane::kMask), plane(DbPlane::kThreshMap), plane(DbPlane::kThreshMask)};
}

std::vector<Polygon> ToPoints(std::span<const TextPolygon> polygons) {
  std::vector<Polygon> out(polygons.size());
  for (size_t i = 0; i < polygons.size(); ++i) {
    out[i].resize(polygons[i].size());
    for (size_t k = 0; k < out[i].size(); ++k) out[i][k] = {polygons[i].xy[2 * k], polygons[i].xy[2 * k + 1]};
  }
  return out;
}

// validate_polygons: clip to the image, tag tiny polygons, make the orientation uniform.
void ValidatePolygons(std::vector<Polygon>& polygons, std::vector<char>& ignore, int height, int width,
                      TargetConvention convention) {
  for (size_t i = 0; i < polygons.size(); ++i) {
    for (PointD& p : polygons[i]) {
      p.x = std::clamp(p.x, 0.0, static_cast<double>(width - 1));
      p.y = std::clamp(p.y, 0.0, static_cast<double>(height - 1));
    }
    const double area = convention == TargetConvention::kDb ? DbSignedArea(polygons[i])
                                                            : PaddleSignedArea(polygons[i]);
    if (std::abs(area) < 1) ignore[i] = 1;
    if (area > 0) std::reverse(polygons[i].begin(), polygons[i].end());
  }
}

double OffsetDistance(const Polygon& polygon, double ratio) {
  return GeosArea(polygon) * (1 - std::pow(ratio, 2)) / GeosLength(polygon);
}

// The shrink ratios PaddleOCR tries in turn: np.arange(r, 1, r).
std::vector<double> PaddleRatios(double r) {
  std::vector<double> ratios;
  const auto count = static_cast<int64_t>(std::ceil((1.0 - r) / r));
  for (int64_t k = 0; k < count; ++k) ratios.push_back(r + static_cast<double>(k) * r);
  return ratios;
}

Status ShrinkMap(const std::vector<Polygon>& polygons, std::vector<char>& ignore, const DbTargetOptions& options,
                 Planes& planes) {
  const bool paddle = options.convention == TargetConvention::kPaddleOcr;
  for (size_t i = 0; i < polygons.size(); ++i) {
    const Polygon& polygon = polygons[i];
    auto [min_x, max_x] = std::minmax_element(polygon.begin(), polygon.end(),
                                              [](const PointD& a, const PointD& b) { return a.x < b.x; });
    auto [min_y, max_y] = std::minmax_element(polygon.begin(), polygon.end(),
                                              [](const PointD& a, const PointD& b) { return a.y < b.y; });
    const double h = max_y->y - min_y->y, w = max_x->x - min_x->x;
    if (ignore[i] || std::min(h, w) < options.min_text_size) {
      FillPolygonLikeOpenCv(planes.mask, TruncateToInt(polygon), 0.0f);
      ignore[i] = 1;
      continue;
    }
    std::vector<IntPath> shrunk;
    if (!paddle) {
      DOCPIPE_ASSIGN_OR_RETURN(shrunk, OffsetPolygon(polygon, -OffsetDistance(polygon, options.shrink_ratio)));
    } else {
      for (double ratio : PaddleRatios(options.shrink_ratio)) {
        DOCPIPE_ASSIGN_OR_RETURN(shrunk, OffsetPolygon(polygon, -OffsetDistance(polygon, ratio)));
        if (shrunk.size() == 1) break;
      }
    }
    if (shrunk.empty()) {
      FillPolygonLikeOpenCv(planes.mask, TruncateToInt(polygon), 0.0f);
      ignore[i] = 1;
      continue;
    }
    const size_t pieces = paddle ? shrunk.size() : 1;  // DB keeps the first piece only
    for (size_t k = 0; k < pieces; ++k) FillPolygonLikeOpenCv(planes.gt, shrunk[k], 1.0f);
  }
  return Status::Ok();
}

// thresh_max < thresh_min would make the transform decreasing; the maps then
// fold raw distances and transform the canvas at the end.
ThresholdTransform TransformOf(const DbTargetOptions& options) {
  return {static_cast<float>(options.thresh_max - options.thresh_min), static_cast<float>(options.thresh_min)};
}

Status BorderMap(const std::vector<Polygon>& polygons, const std::vector<char>& ignore,
                 const DbTargetOptions& options, Planes& planes) {
  thread_local BorderScratch scratch;
  const ThresholdTransform transform = TransformOf(options).scale >= 0 ? TransformOf(options)
                                                                       : ThresholdTransform{1.0f, 0.0f};
  for (size_t i = 0; i < polygons.size(); ++i) {
    if (ignore[i]) continue;
    if (options.convention == TargetConvention::kPaddleOcr && !(GeosArea(polygons[i]) > 0)) continue;
    const double distance = OffsetDistance(polygons[i], options.shrink_ratio);
    DOCPIPE_RETURN_IF_ERROR(
        DrawBorderMap(polygons[i], distance, options.distance, transform, planes.canvas, planes.thresh_mask,
                      scratch));
  }
  return Status::Ok();
}

// Sets n floats to `value`. Plane initialisation is a fifth of an image's time,
// and a plain store loop of a non-zero float runs at about half the speed of
// memset, which on x86 uses the string-store instructions that write whole cache
// lines without reading them first; `rep stosl` does the same for any 32-bit pattern.
void FillFloats(float* data, size_t n, float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if (bits == 0) {
    std::memset(data, 0, n * sizeof(float));
    return;
  }
#if defined(__x86_64__)
  asm volatile("rep stosl" : "+D"(data), "+c"(n) : "a"(bits) : "memory");
#else
  std::fill_n(data, n, value);
#endif
}

// Only for a decreasing transform (see TransformOf): numpy's float32 multiply, then add.
void FinishThresholdMap(const DbTargetOptions& options, FloatPlane canvas) {
  const ThresholdTransform t = TransformOf(options);
  if (t.scale >= 0) return;  // already applied while folding
  const size_t n = static_cast<size_t>(canvas.height) * static_cast<size_t>(canvas.width);
  for (size_t k = 0; k < n; ++k) {
    const float scaled = canvas.data[k] * t.scale;
    canvas.data[k] = scaled + t.offset;
  }
}

}  // namespace

std::string_view DbPlaneName(DbPlane plane) {
  switch (plane) {
    case DbPlane::kGt: return "gt";
    case DbPlane::kMask: return "mask";
    case DbPlane::kThreshMap: return "thresh_map";
    case DbPlane::kThreshMask: return "thresh_mask";
  }
  return "?";
}

namespace {

// Recently freed plane blocks, reused by the next Allocate of the same size so a
// loop that drops its maps does not fault in fresh pages every time. Bounded;
// deliberately never destroyed, since numpy may release maps at interpreter exit.
class BlockPool {
 public:
  static BlockPool& Instance() {
    static BlockPool* pool = new BlockPool();
    return *pool;
  }
  void* Take(size_t bytes) {
    MutexLock lock(mutex_);
    for (size_t i = 0; i < blocks_.size(); ++i) {
      if (blocks_[i].second == bytes) {
        void* block = blocks_[i].first;
        blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(i));
        return block;
      }
    }
    return nullptr;
  }
  void Give(void* block, size_t bytes) {
    {
      MutexLock lock(mutex_);
      if (blocks_.size() < kMaxBlocks) {
        blocks_.emplace_back(block, bytes);
        return;
      }
    }
    std::free(block);
  }

 private:
  static constexpr size_t kMaxBlocks = 8;
  Mutex mutex_;
  std::vector<std::pair<void*, size_t>> blocks_ DOCPIPE_GUARDED_BY(mutex_);
};

// Maps usually outlive the call (a DataLoader batch holds them), so most blocks
// are fresh memory. Faulting it in 2 MiB pages instead of 4 KiB ones (transparent
// huge pages, where the kernel allows them) saves most of the page-fault time.
std::shared_ptr<float[]> AllocatePlanes(size_t floats) {
  constexpr size_t kHugePage = size_t{2} << 20;
  const size_t bytes = floats * sizeof(float);
  if (bytes < kHugePage) return std::shared_ptr<float[]>(new float[floats]);
  const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* block = BlockPool::Instance().Take(rounded);
  if (block == nullptr) {
    if (::posix_memalign(&block, kHugePage, rounded) != 0) throw std::bad_alloc();
    ::madvise(block, rounded, MADV_HUGEPAGE);  // advisory: ignored where THP is off
  }
  return std::shared_ptr<float[]>(static_cast<float*>(block),
                                  [rounded](float* p) { BlockPool::Instance().Give(p, rounded); });
}

}  // namespace

DbTargetMaps DbTargetMaps::Allocate(int height, int width) {
  DbTargetMaps maps;
  maps.height_ = height;
  maps.width_ = width;
  maps.writable_ = true;
  std::shared_ptr<float[]> block = AllocatePlanes(maps.plane_size() * kDbPlaneCount);
  maps.data_ = block.get();
  maps.owner_ = std::move(block);
  return maps;
}

DbTargetMaps DbTargetMaps::View(int height, int width, std::shared_ptr<const void> owner, const float* data) {
  DbTargetMaps maps;
  maps.height_ = height;
  maps.width_ = width;
  maps.writable_ = false;
  maps.data_ = data;
  maps.owner_ = std::move(owner);
  return maps;
}

std::string_view DbTargetsVersion() { return "docpipe-db-targets-1"; }

Status ValidateDbTargetOptions(const DbTargetOptions& o) {
  if (!(o.shrink_ratio > 0 && o.shrink_ratio < 1)) {
    return Status::InvalidArgument("shrink_ratio must be in (0, 1), got " + std::to_string(o.shrink_ratio));
  }
  if (!(o.min_text_size >= 0) || !std::isfinite(o.min_text_size)) {
    return Status::InvalidArgument("min_text_size must be a finite number >= 0");
  }
  if (!std::isfinite(o.thresh_min) || !std::isfinite(o.thresh_max)) {
    return Status::InvalidArgument("thresh_min and thresh_max must be finite");
  }
  return Status::Ok();
}

Status ValidateDbTargetInput(std::span<const TextPolygon> polygons, int height, int width) {
  if (height < 1 || width < 1 || height > kMaxDbTargetSide || width > kMaxDbTargetSide) {
    return Status::InvalidArgument("height and width must be in [1, " + std::to_string(kMaxDbTargetSide) +
                                   "], got " + std::to_string(height) + " x " + std::to_string(width));
  }
  for (size_t i = 0; i < polygons.size(); ++i) {
    const TextPolygon& p = polygons[i];
    if (p.xy.empty() || p.xy.size() % 2 != 0) {
      return Status::InvalidArgument("polygon " + std::to_string(i) + " needs at least one (x, y) vertex");
    }
    for (double v : p.xy) {
      if (!std::isfinite(v) || std::abs(v) > kMaxDbCoordinate) {
        return Status::InvalidArgument("polygon " + std::to_string(i) +
                                       " has a NaN, infinite or out-of-range coordinate");
      }
    }
  }
  return Status::Ok();
}

Result<DbTargetMaps> ComputeDbTargets(std::span<const TextPolygon> polygons, int height, int width,
                                      const DbTargetOptions& options) {
  DOCPIPE_RETURN_IF_ERROR(ValidateDbTargetOptions(options));
  DOCPIPE_RETURN_IF_ERROR(ValidateDbTargetInput(polygons, height, width));
  DbTargetMaps maps = DbTargetMaps::Allocate(height, width);
  Planes planes = PlanesOf(maps);
  const size_t n = maps.plane_size();
  FillFloats(planes.gt.data, n, 0.0f);
  FillFloats(planes.mask.data, n, 1.0f);
  const ThresholdTransform transform = TransformOf(options);
  FillFloats(planes.canvas.data, n, transform.scale >= 0 ? transform.offset : 0.0f);
  FillFloats(planes.thresh_mask.data, n, 0.0f);

  std::vector<Polygon> points = ToPoints(polygons);
  std::vector<char> ignore(polygons.size());
  for (size_t i = 0; i < polygons.size(); ++i) ignore[i] = polygons[i].ignore;

  if (options.convention == TargetConvention::kDb) {
    ValidatePolygons(points, ignore, height, width, options.convention);
    DOCPIPE_RETURN_IF_ERROR(ShrinkMap(points, ignore, options, planes));
    DOCPIPE_RETURN_IF_ERROR(BorderMap(points, ignore, options, planes));
  } else {
    // PaddleOCR runs MakeBorderMap before MakeShrinkMap clips the polygons.
    DOCPIPE_RETURN_IF_ERROR(BorderMap(points, ignore, options, planes));
    ValidatePolygons(points, ignore, height, width, options.convention);
    DOCPIPE_RETURN_IF_ERROR(ShrinkMap(points, ignore, options, planes));
  }
  FinishThresholdMap(options, planes.canvas);
  return maps;
}

}  // namespace docpipe::ocr
