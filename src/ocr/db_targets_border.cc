#include "ocr/db_targets_border.h"

#include <algorithm>
#include <cmath>
#include <climits>
#include <cstdint>
#include <limits>

namespace docpipe::ocr {
namespace {

// Pixels farther than this beyond D from an edge are never evaluated; the margin
// absorbs rounding in the band computation.
constexpr double kBandMargin = 1.0;

// Below this sin^2 of the angle at the pixel, the reference's 1 - cos^2 may round
// to a negative number (NaN after sqrt) or to 0; such pixels, which lie on the
// edge's line, are recomputed with the reference's exact arithmetic.
constexpr double kNearlyCollinear = 1e-10;

// One edge in the padded box's local coordinates (polygon minus (xmin, ymin)),
// which is where the reference does its arithmetic.
struct Edge {
  double ax, ay, bx, by;
  double ex, ey;   // b - a
  double len2;     // |a - b|^2 computed as the reference does
  double inv_len2; // 0 for a degenerate edge (exact mode only)
};

// The reference formula for one row: fills values[k] for x = x0 + k, or -1 for
// the pixels that need ReferenceEdgeValue. Branch-free so it vectorises.
__attribute__((target_clones("avx2", "default")))
void ReferenceRow(const Edge& e, double y, double x0, int n, double inv_d, float* __restrict values) {
  const double ax = e.ax, bx = e.bx, ex = e.ex, ey = e.ey, len2 = e.len2, inv_len2 = e.inv_len2;
  const double dy1 = y - e.ay, dy2 = y - e.by;
  const double dy1sq = dy1 * dy1, dy2sq = dy2 * dy2, dy1ex = dy1 * ex;
  for (int k = 0; k < n; ++k) {
    const double x = x0 + k;
    const double dx1 = x - ax, dx2 = x - bx;
    const double d1 = dx1 * dx1 + dy1sq;
    const double d2 = dx2 * dx2 + dy2sq;
    // The branch test must match the reference bit for bit: same operands, same order.
    const double num = (len2 - d1) - d2;
    const double cross = dx1 * ey - dy1ex;
    const double cross2 = cross * cross;
    const bool endpoint = num < 0;
    const double dist2 = endpoint ? (d1 < d2 ? d1 : d2) : cross2 * inv_len2;
    const bool mark = !endpoint && cross2 <= kNearlyCollinear * d1 * d2;
    const double v = std::sqrt(dist2) * inv_d;
    const float clipped = static_cast<float>(v < 1.0 ? v : 1.0);
    values[k] = mark ? -1.0f : clipped;
  }
}

// The true point-to-segment distance for one row.
__attribute__((target_clones("avx2", "default")))
void ExactRow(const Edge& e, double y, double x0, int n, double inv_d, float* __restrict values) {
  const double ax = e.ax, ex = e.ex, ey = e.ey, inv_len2 = e.inv_len2;
  const double dy1 = y - e.ay;
  for (int k = 0; k < n; ++k) {
    const double dx1 = x0 + k - ax;
    double t = (dx1 * ex + dy1 * ey) * inv_len2;
    t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
    const double px = dx1 - t * ex, py = dy1 - t * ey;
    const double v = std::sqrt(px * px + py * py) * inv_d;
    values[k] = static_cast<float>(v < 1.0 ? v : 1.0);
  }
}

bool AnyNegative(const float* values, int n) {
  int any = 0;
  for (int k = 0; k < n; ++k) any |= values[k] < 0.0f ? 1 : 0;
  return any != 0;
}

// region = min(region, values), where a NaN on either side stays NaN (numpy's min).
void MergeMin(const float* __restrict values, int n, float* __restrict region) {
  for (int k = 0; k < n; ++k) {
    const float v = values[k];
    region[k] = (v < region[k] || v != v) ? v : region[k];
  }
}

// np.fmax(1 - value, canvas) followed by the final canvas * scale + offset. The
// transform is monotonic (scale >= 0, checked by the caller), so applying it to
// each polygon's contribution and taking the max gives the same floats as
// transforming the finished canvas: NaN and 1 both leave the pixel as it is.
void FoldIntoCanvas(const float* __restrict values, int n, ThresholdTransform t, float* __restrict canvas) {
  for (int k = 0; k < n; ++k) {
    const float v = values[k];
    const float c = canvas[k];
    const float scaled = (1.0f - v) * t.scale;
    const float mapped = scaled + t.offset;
    const float lifted = mapped > c ? mapped : c;
    canvas[k] = v < 1.0f ? lifted : c;
  }
}

struct Box {
  int64_t x0, y0, x1, y1;  // inclusive
};

// Evaluates one edge over its band inside `box` (local coordinates of the region's
// first pixel are (origin_x, origin_y)).
void AccumulateEdge(const Edge& e, double distance, BorderDistance mode, const Box& region,
                    int64_t origin_x, int64_t origin_y, BorderScratch& s) {
  const double reach = distance + kBandMargin;
  const int64_t cols = region.x1 - region.x0 + 1;
  const double box_lo = std::min(e.ax, e.bx) - reach, box_hi = std::max(e.ax, e.bx) + reach;
  const int64_t row_lo = std::max<int64_t>(origin_y, static_cast<int64_t>(std::ceil(std::min(e.ay, e.by) - reach)));
  const int64_t row_hi = std::min<int64_t>(origin_y + (region.y1 - region.y0),
                                           static_cast<int64_t>(std::floor(std::max(e.ay, e.by) + reach)));
  // Half-width, along x, of the band of points within `reach` of the edge's line.
  const double slope_x = e.ey != 0 ? e.ex / e.ey : 0.0;
  const double half = e.ey != 0 ? reach * std::sqrt(e.ex * e.ex + e.ey * e.ey) / std::abs(e.ey) : 0.0;
  const double inv_d = 1.0 / distance;
  for (int64_t y = row_lo; y <= row_hi; ++y) {
    double lo = box_lo, hi = box_hi;
    if (e.ey != 0) {
      const double xc = e.ax + (static_cast<double>(y) - e.ay) * slope_x;
      lo = std::max(lo, xc - half);
      hi = std::min(hi, xc + half);
    }
    const int64_t c0 = std::max<int64_t>(origin_x, static_cast<int64_t>(std::ceil(lo)));
    const int64_t c1 = std::min<int64_t>(origin_x + cols - 1, static_cast<int64_t>(std::floor(hi)));
    if (c0 > c1) continue;
    const int n = static_cast<int>(c1 - c0 + 1);
    float* values = s.values.data();
    const double yd = static_cast<double>(y), x0 = static_cast<double>(c0);
    if (mode == BorderDistance::kExact) {
      ExactRow(e, yd, x0, n, inv_d, values);
    } else {
      ReferenceRow(e, yd, x0, n, inv_d, values);
      if (AnyNegative(values, n)) {
        const PointD a{e.ax, e.ay}, b{e.bx, e.by};
        for (int k = 0; k < n; ++k) {
          if (values[k] < 0.0f) values[k] = ReferenceEdgeValue(x0 + k, yd, a, b, distance);
        }
      }
    }
    const int64_t r = y - origin_y;
    MergeMin(values, n, s.region.data() + r * cols + (c0 - origin_x));
    s.span_lo[r] = std::min<int32_t>(s.span_lo[r], static_cast<int32_t>(c0 - origin_x));
    s.span_hi[r] = std::max<int32_t>(s.span_hi[r], static_cast<int32_t>(c0 - origin_x + n));
  }
}

}  // namespace

float ReferenceEdgeValue(double x, double y, PointD a, PointD b, double distance) {
  const double d1 = (x - a.x) * (x - a.x) + (y - a.y) * (y - a.y);
  const double d2 = (x - b.x) * (x - b.x) + (y - b.y) * (y - b.y);
  const double len2 = (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
  const double cosine = (len2 - d1 - d2) / (2 * std::sqrt(d1 * d2));
  double square_sin = 1 - cosine * cosine;
  if (std::isnan(square_sin)) {
    square_sin = 0;  // np.nan_to_num
  } else if (std::isinf(square_sin)) {
    square_sin = square_sin > 0 ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::max();
  }
  double result = std::sqrt(d1 * d2 * square_sin / len2);
  if (cosine < 0) result = std::sqrt(std::fmin(d1, d2));
  const double v = result / distance;
  if (std::isnan(v)) return std::numeric_limits<float>::quiet_NaN();
  return static_cast<float>(std::clamp(v, 0.0, 1.0));
}

Status DrawBorderMap(std::span<const PointD> polygon, double distance, BorderDistance mode,
                     ThresholdTransform transform, FloatPlane thresh_map, FloatPlane mask,
                     BorderScratch& scratch) {
  FloatPlane& canvas = thresh_map;
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<IntPath> padded, OffsetPolygon(polygon, distance));
  if (padded.empty() || padded[0].empty()) return Status::Ok();
  FillPolygonLikeOpenCv(mask, padded[0], 1.0f);

  Box box{INT64_MAX, INT64_MAX, INT64_MIN, INT64_MIN};
  for (const IntPoint64& p : padded[0]) {
    box.x0 = std::min(box.x0, p.x);
    box.x1 = std::max(box.x1, p.x);
    box.y0 = std::min(box.y0, p.y);
    box.y1 = std::max(box.y1, p.y);
  }
  // The part of the padded box inside the image; the reference writes nothing elsewhere.
  const Box region{std::max<int64_t>(box.x0, 0), std::max<int64_t>(box.y0, 0),
                   std::min<int64_t>(box.x1, canvas.width - 1), std::min<int64_t>(box.y1, canvas.height - 1)};
  if (region.x0 > region.x1 || region.y0 > region.y1) return Status::Ok();
  const int64_t cols = region.x1 - region.x0 + 1, rows = region.y1 - region.y0 + 1;
  scratch.region.assign(static_cast<size_t>(rows * cols), 1.0f);
  scratch.span_lo.assign(static_cast<size_t>(rows), INT32_MAX);
  scratch.span_hi.assign(static_cast<size_t>(rows), 0);
  scratch.values.resize(static_cast<size_t>(cols));

  const size_t n = polygon.size();
  for (size_t i = 0; i < n; ++i) {
    const PointD& p = polygon[i];
    const PointD& q = polygon[(i + 1) % n];
    Edge e;
    e.ax = p.x - static_cast<double>(box.x0);
    e.ay = p.y - static_cast<double>(box.y0);
    e.bx = q.x - static_cast<double>(box.x0);
    e.by = q.y - static_cast<double>(box.y0);
    e.ex = e.bx - e.ax;
    e.ey = e.by - e.ay;
    e.len2 = (e.ax - e.bx) * (e.ax - e.bx) + (e.ay - e.by) * (e.ay - e.by);
    e.inv_len2 = e.len2 > 0 ? 1.0 / e.len2 : (mode == BorderDistance::kExact ? 0.0
                                                       : std::numeric_limits<double>::infinity());
    AccumulateEdge(e, distance, mode, region, region.x0 - box.x0, region.y0 - box.y0, scratch);
  }

  for (int64_t r = 0; r < rows; ++r) {
    const int32_t lo = scratch.span_lo[r], hi = scratch.span_hi[r];
    if (lo >= hi) continue;  // no edge came near this row
    const float* values = scratch.region.data() + r * cols + lo;
    float* out = canvas.data + (region.y0 + r) * canvas.width + region.x0 + lo;
    FoldIntoCanvas(values, hi - lo, transform, out);
  }
  return Status::Ok();
}

}  // namespace docpipe::ocr
