// DBNet training targets: the shrink map, its mask, the threshold (border) map and
// its mask, computed natively from text polygons.
//
// The default semantics are those of the original implementation (MhLiao/DB,
// MakeSegDetectionData + MakeBorderMap), reproduced pixel for pixel: the same
// Clipper offsets (libpolyclipping, the library pyclipper wraps), the same
// polygon fill as cv2.fillPoly, and the same border distance formula including
// its quirks. docs/ocr_targets.md lists every option and how it differs.
//
// Thread-safety: every function here is pure and may run concurrently;
// DbTargetMaps is an immutable-once-built value that is safe to share.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"

namespace docpipe::ocr {

// One text instance: vertices as x0, y0, x1, y1, ... in pixel coordinates.
struct TextPolygon {
  std::vector<double> xy;
  bool ignore = false;  // "###" in ICDAR files: masked out of the loss

  size_t size() const { return xy.size() / 2; }
};

// How the border map measures the distance from a pixel to a polygon edge.
enum class BorderDistance {
  kReference,  // MhLiao/DB's formula (line distance inside the edge's circle, else endpoint)
  kExact,      // the true point-to-segment distance
};

// Which published pipeline the maps follow.
enum class TargetConvention {
  kDb,         // MhLiao/DB: clip polygons, shrink map, then border map of the kept polygons
  kPaddleOcr,  // PaddleOCR: border map first on unclipped polygons, shrink retried at 0.8
};

struct DbTargetOptions {
  double shrink_ratio = 0.4;
  double min_text_size = 8;
  double thresh_min = 0.3;
  double thresh_max = 0.7;
  BorderDistance distance = BorderDistance::kReference;
  TargetConvention convention = TargetConvention::kDb;
};

// The four output planes, in storage order.
enum class DbPlane { kGt = 0, kMask = 1, kThreshMap = 2, kThreshMask = 3 };
inline constexpr int kDbPlaneCount = 4;
std::string_view DbPlaneName(DbPlane plane);  // "gt", "mask", "thresh_map", "thresh_mask"

// Four H x W float32 planes in one block. The block is either owned (freshly
// computed, writable) or a view that keeps its owner alive (a memory-mapped
// cache file, a cached entry); views are read-only.
class DbTargetMaps {
 public:
  DbTargetMaps() = default;

  // Owned, uninitialised planes.
  static DbTargetMaps Allocate(int height, int width);
  // A read-only view of 4 * height * width floats kept alive by `owner`.
  static DbTargetMaps View(int height, int width, std::shared_ptr<const void> owner, const float* data);

  int height() const { return height_; }
  int width() const { return width_; }
  size_t plane_size() const { return static_cast<size_t>(height_) * static_cast<size_t>(width_); }
  size_t byte_size() const { return plane_size() * kDbPlaneCount * sizeof(float); }
  bool writable() const { return writable_; }

  const float* data() const { return data_; }
  const float* plane(DbPlane p) const { return data_ + static_cast<size_t>(p) * plane_size(); }
  // Only for owned maps (writable()).
  float* mutable_plane(DbPlane p) { return const_cast<float*>(plane(p)); }

  // Whatever keeps data() alive; zero-copy consumers (numpy) hold on to it.
  const std::shared_ptr<const void>& owner() const { return owner_; }

 private:
  int height_ = 0;
  int width_ = 0;
  bool writable_ = false;
  const float* data_ = nullptr;
  std::shared_ptr<const void> owner_;
};

// Checks ranges (0 < shrink_ratio < 1, min_text_size >= 0, finite thresholds).
Status ValidateDbTargetOptions(const DbTargetOptions& options);

// Checks one image's inputs: 1 <= height, width <= kMaxDbTargetSide, every
// polygon has >= 1 vertex and finite coordinates within +-kMaxDbCoordinate.
Status ValidateDbTargetInput(std::span<const TextPolygon> polygons, int height, int width);
inline constexpr int kMaxDbTargetSide = 16384;
inline constexpr double kMaxDbCoordinate = 1e7;

// The maps of one image.
Result<DbTargetMaps> ComputeDbTargets(std::span<const TextPolygon> polygons, int height, int width,
                                      const DbTargetOptions& options = {});

struct DbTargetSample {
  std::vector<TextPolygon> polygons;
  int height = 0;
  int width = 0;
};

// The maps of many images on `threads` threads (0 or more than the cores: one per
// core). Every sample
// is validated first; an invalid one fails the batch with its index in the message.
Result<std::vector<DbTargetMaps>> ComputeDbTargetsBatch(std::span<const DbTargetSample> samples,
                                                        const DbTargetOptions& options = {},
                                                        int threads = 0);

// Parses an annotation file's text. Each line is "x1,y1,...,xn,yn,transcription"
// (ICDAR 2015 and its any-vertex-count variants; "###" marks an ignored
// instance; a UTF-8 BOM and CRLF endings are accepted) or a Total-Text line
// "x: [[...]], y: [[...]], ornt: [...], transcriptions: [...]" ("#" ignored).
Result<std::vector<TextPolygon>> ParseTextAnnotations(std::string_view text);
Result<std::vector<TextPolygon>> ReadTextAnnotationFile(const std::string& path);

// Version of the label-map semantics; part of every cache key, bumped whenever
// an output could change.
std::string_view DbTargetsVersion();

}  // namespace docpipe::ocr
