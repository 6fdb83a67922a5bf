// The threshold ("border") map of one polygon: the per-pixel distance to the
// polygon's edges, normalised by the offset distance D, folded into the canvas
// as max(1 - distance / D). This is the hot path of the label maps.
//
// Only pixels within D (plus a safety margin) of some edge can have a value
// below 1, and a value of 1 or NaN leaves the canvas as it is, so each edge is
// evaluated only over its own band of rows and columns instead of over the
// whole padded box as the reference does.
// Not thread-safe per BorderScratch; use one scratch per thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "docpipe/ocr_targets.h"
#include "docpipe/status.h"
#include "ocr/db_targets_geometry.h"

namespace docpipe::ocr {

// Reusable buffers, so a worker thread allocates once.
struct BorderScratch {
  std::vector<float> region;         // min over edges of the normalised distance
  std::vector<float> values;  // one edge's values along one row
  std::vector<int32_t> span_lo, span_hi;  // per region row: the columns any edge evaluated
};

// thresh_map = canvas * scale + offset, applied as float32 operations as numpy does.
struct ThresholdTransform {
  float scale = 0.4f;  // must be >= 0
  float offset = 0.3f;
};

// MakeBorderMap.draw_border_map for one polygon: offsets it by +distance, fills
// the first offset path into `mask` with 1, and raises `thresh_map` (which
// starts at transform(0) = offset) to transform(1 - distance / D) near the edges.
Status DrawBorderMap(std::span<const PointD> polygon, double distance, BorderDistance mode,
                     ThresholdTransform transform, FloatPlane thresh_map, FloatPlane mask,
                     BorderScratch& scratch);

// The reference's distance from (x, y) to edge a-b, with its arithmetic and
// NaN behaviour, already divided by `distance` and clipped to [0, 1].
float ReferenceEdgeValue(double x, double y, PointD a, PointD b, double distance);

}  // namespace docpipe::ocr
