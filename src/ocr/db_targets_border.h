// The threshold ("border") map of one polygon: the per-pixel distance to the
// polygon's edges, normalised by the offset distance D, folded into the canvas
// as max(1 - distance / D). This is the hot path of the label maps.
//
// Only pixels within D (plus a safety margin) of some edge can have a value
// below 1, and a value of 1 or NaN leaves the canvas as it is, so each edge is
// evaluated only over its own band of rows and columns instead of over the
// whole padded box as the reference does. The polygon is drawn row by row: each
// edge's band in the row is merged into a one-row buffer, which is then folded
// into the canvas, so no per-polygon buffer is cleared or swept.
// Not thread-safe per BorderScratch; use one scratch per thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "docpipe/ocr_targets.h"
#include "docpipe/status.h"
#include "ocr/db_targets_geometry.h"

namespace docpipe::ocr {

// One polygon edge in the padded box's local coordinates (polygon minus
// (xmin, ymin)), which is where the reference does its arithmetic, and the band
// of pixels it can lower below 1: rows row_lo..row_hi and, per row, the columns
// within `reach` of its line, inside [x_lo, x_hi].
struct BorderEdge {
  double ax, ay, bx, by;
  double ex, ey;    // b - a
  double len2;      // |a - b|^2 computed as the reference does
  double inv_len2;  // 0 for a degenerate edge in exact mode, else 1 / len2
  int64_t row_lo, row_hi;
  double x_lo, x_hi;
  double slope_x;  // dx / dy along the edge (0 if horizontal)
  double half;     // half-width along x of the band around the line
};

// Columns lo..hi (inclusive) of one row, in the region's coordinates; `edge`
// names the edge evaluated there (unused once spans are merged).
struct BorderSpan {
  int32_t lo, hi;
  int32_t edge;
};

// Reusable buffers, so a worker thread allocates once.
struct BorderScratch {
  std::vector<BorderEdge> edges;
  std::vector<BorderSpan> edge_spans;  // the current row's band of each edge, sorted by column
  std::vector<BorderSpan> spans;       // the same, merged where they touch
  std::vector<float> row;              // the current row's min over edges of the normalised distance
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
