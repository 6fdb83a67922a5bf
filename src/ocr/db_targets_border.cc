#include "ocr/db_targets_border.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Row loops get an AVX2 clone chosen at load time. Not in the ThreadSanitizer build:
// the loader runs the clone resolver before the TSan runtime is set up, and the
// instrumented resolver crashes the process at start.
#if defined(__x86_64__) && !defined(DOCPIPE_TSAN)
#define DOCPIPE_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define DOCPIPE_AVX2_CLONES
#endif

namespace docpipe::ocr {
namespace {

// Pixels farther than this beyond D from an edge are never evaluated; the margin
// absorbs rounding in the band computation.
constexpr double kBandMargin = 1.0;

// Below this sin^2 of the angle at the pixel, the reference's 1 - cos^2 may round
// to a negative number (NaN after sqrt) or to 0; such pixels, which lie on the
// edge's line, are recomputed with the reference's exact arithmetic.
constexpr double kNearlyCollinear = 1e-10;

// The reference kernel works on blocks of this many pixels.
constexpr int kBlock = 4;
constexpr int RoundUpToBlock(int n) { return (n + kBlock - 1) / kBlock * kBlock; }

// The reference formula along local row y, with the edge's constants copied
// out (the vectoriser keeps them in registers). Shared by the vector loop and the
// scalar recheck of marked pixels so that both decide alike.
struct ReferenceRowTerms {
  double ax, bx, ey, len2, inv_len2;
  double dy1sq, dy2sq, dy1ex;
};

inline ReferenceRowTerms TermsOf(const BorderEdge& e, double y) {
  const double dy1 = y - e.ay, dy2 = y - e.by;
  return {e.ax, e.bx, e.ey, e.len2, e.inv_len2, dy1 * dy1, dy2 * dy2, dy1 * e.ex};
}

struct ReferenceValue {
  float value;  // clipped to [0, 1]; meaningless where marked
  bool marked;  // needs ReferenceEdgeValue
};

inline ReferenceValue ReferencePixel(const ReferenceRowTerms& t, double x, double inv_d) {
  const double dx1 = x - t.ax, dx2 = x - t.bx;
  const double d1 = dx1 * dx1 + t.dy1sq;
  const double d2 = dx2 * dx2 + t.dy2sq;
  // The branch test must match the reference bit for bit: same operands, same order.
  const double num = (t.len2 - d1) - d2;
  const double cross = dx1 * t.ey - t.dy1ex;
  const double cross2 = cross * cross;
  const bool endpoint = num < 0;
  const double dist2 = endpoint ? (d1 < d2 ? d1 : d2) : cross2 * t.inv_len2;
  const bool marked = !endpoint && cross2 <= kNearlyCollinear * d1 * d2;
  const double v = std::sqrt(dist2) * inv_d;
  return {static_cast<float>(v < 1.0 ? v : 1.0), marked};
}

// A marked pixel's candidate: above any value (at most 1), so it leaves the row as it is.
constexpr float kMarkedCandidate = 2.0f;

// row[k] = min(row[k], value at x0 + k) for k < n, skipping marked pixels (no
// other value is NaN, so a NaN already in the row stays). Returns whether any
// pixel was marked.
bool ReferenceRowMinScalar(const ReferenceRowTerms& t, double x0, int n, double inv_d, float* row) {
  bool any_marked = false;
  for (int k = 0; k < n; ++k) {
    const ReferenceValue p = ReferencePixel(t, x0 + k, inv_d);
    const float candidate = p.marked ? kMarkedCandidate : p.value;
    row[k] = candidate < row[k] ? candidate : row[k];
    any_marked |= p.marked;
  }
  return any_marked;
}

#if defined(__x86_64__)
// The same operations as ReferencePixel, four pixels at a time, for n a multiple
// of 4. Written with intrinsics because the rows are short (30 pixels on average
// for the benchmark's quadrilaterals), where the compiler's vector loop spent
// more time in its prologue and scalar tail than in the loop.
__attribute__((target("avx2")))
bool ReferenceRowMinAvx2(const ReferenceRowTerms& t, double x0, int n, double inv_d, float* row) {
  const __m256d ax = _mm256_set1_pd(t.ax), bx = _mm256_set1_pd(t.bx), ey = _mm256_set1_pd(t.ey);
  const __m256d len2 = _mm256_set1_pd(t.len2), inv_len2 = _mm256_set1_pd(t.inv_len2);
  const __m256d dy1sq = _mm256_set1_pd(t.dy1sq), dy2sq = _mm256_set1_pd(t.dy2sq);
  const __m256d dy1ex = _mm256_set1_pd(t.dy1ex);
  const __m256d collinear = _mm256_set1_pd(kNearlyCollinear), scale = _mm256_set1_pd(inv_d);
  const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0), step = _mm256_set1_pd(4.0);
  const __m256d marked_candidate = _mm256_set1_pd(kMarkedCandidate);
  __m256d x = _mm256_add_pd(_mm256_set1_pd(x0), _mm256_setr_pd(0.0, 1.0, 2.0, 3.0));
  int any_marked = 0;
  for (int k = 0; k < n; k += 4, x = _mm256_add_pd(x, step)) {
    const __m256d dx1 = _mm256_sub_pd(x, ax), dx2 = _mm256_sub_pd(x, bx);
    const __m256d d1 = _mm256_add_pd(_mm256_mul_pd(dx1, dx1), dy1sq);
    const __m256d d2 = _mm256_add_pd(_mm256_mul_pd(dx2, dx2), dy2sq);
    const __m256d num = _mm256_sub_pd(_mm256_sub_pd(len2, d1), d2);
    const __m256d cross = _mm256_sub_pd(_mm256_mul_pd(dx1, ey), dy1ex);
    const __m256d cross2 = _mm256_mul_pd(cross, cross);
    const __m256d endpoint = _mm256_cmp_pd(num, zero, _CMP_LT_OQ);
    const __m256d nearer = _mm256_min_pd(d1, d2);  // d1 < d2 ? d1 : d2
    const __m256d dist2 = _mm256_blendv_pd(_mm256_mul_pd(cross2, inv_len2), nearer, endpoint);
    const __m256d flat = _mm256_cmp_pd(cross2, _mm256_mul_pd(_mm256_mul_pd(collinear, d1), d2), _CMP_LE_OQ);
    const __m256d marked = _mm256_andnot_pd(endpoint, flat);
    const __m256d v = _mm256_min_pd(_mm256_mul_pd(_mm256_sqrt_pd(dist2), scale), one);  // v < 1 ? v : 1
    const __m128 candidate = _mm256_cvtpd_ps(_mm256_blendv_pd(v, marked_candidate, marked));
    // candidate < row ? candidate : row
    _mm_storeu_ps(row + k, _mm_min_ps(candidate, _mm_loadu_ps(row + k)));
    any_marked |= _mm256_movemask_pd(marked);
  }
  return any_marked != 0;
}
#endif

// ReferenceRowMin over n rounded up to a multiple of 4: the extra pixels get this
// edge's true value too, which is as right for them as for any pixel, and `row`
// has room for them.
bool ReferenceRowMin(const BorderEdge& e, double y, double x0, int n, double inv_d, float* row) {
  const ReferenceRowTerms t = TermsOf(e, y);
  const int padded = RoundUpToBlock(n);
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return ReferenceRowMinAvx2(t, x0, padded, inv_d, row);
#endif
  return ReferenceRowMinScalar(t, x0, padded, inv_d, row);
}

// The marked pixels of a row (the same pixels as ReferenceRowMin's): the
// reference's own arithmetic, merged as numpy's min does (NaN wins).
void MergeMarkedPixels(const BorderEdge& e, double y, double x0, int n, double distance, float* row) {
  const ReferenceRowTerms t = TermsOf(e, y);
  const PointD a{e.ax, e.ay}, b{e.bx, e.by};
  for (int k = 0; k < RoundUpToBlock(n); ++k) {
    if (!ReferencePixel(t, x0 + k, 1.0 / distance).marked) continue;
    const float v = ReferenceEdgeValue(x0 + k, y, a, b, distance);
    row[k] = (v < row[k] || v != v) ? v : row[k];
  }
}

// The true point-to-segment distance, merged into the row.
DOCPIPE_AVX2_CLONES
void ExactRowMin(const BorderEdge& e, double y, double x0, int n, double inv_d, float* __restrict row) {
  const double ax = e.ax, ex = e.ex, ey = e.ey, inv_len2 = e.inv_len2;
  const double dy1 = y - e.ay;
  for (int k = 0; k < n; ++k) {
    const double dx1 = x0 + k - ax;
    double t = (dx1 * ex + dy1 * ey) * inv_len2;
    t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
    const double px = dx1 - t * ex, py = dy1 - t * ey;
    const double v = std::sqrt(px * px + py * py) * inv_d;
    const float clipped = static_cast<float>(v < 1.0 ? v : 1.0);
    const float r = row[k];
    row[k] = clipped < r ? clipped : r;
  }
}

// np.fmax(1 - value, canvas) followed by the final canvas * scale + offset. The
// transform is monotonic (scale >= 0, checked by the caller), so applying it to
// each polygon's contribution and taking the max gives the same floats as
// transforming the finished canvas: NaN and 1 both leave the pixel as it is.
DOCPIPE_AVX2_CLONES
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

BorderEdge EdgeOf(PointD p, PointD q, const Box& box, double distance, BorderDistance mode) {
  BorderEdge e;
  e.ax = p.x - static_cast<double>(box.x0);
  e.ay = p.y - static_cast<double>(box.y0);
  e.bx = q.x - static_cast<double>(box.x0);
  e.by = q.y - static_cast<double>(box.y0);
  e.ex = e.bx - e.ax;
  e.ey = e.by - e.ay;
  e.len2 = (e.ax - e.bx) * (e.ax - e.bx) + (e.ay - e.by) * (e.ay - e.by);
  e.inv_len2 = e.len2 > 0 ? 1.0 / e.len2
                          : (mode == BorderDistance::kExact ? 0.0 : std::numeric_limits<double>::infinity());
  const double reach = distance + kBandMargin;
  e.x_lo = std::min(e.ax, e.bx) - reach;
  e.x_hi = std::max(e.ax, e.bx) + reach;
  e.row_lo = static_cast<int64_t>(std::ceil(std::min(e.ay, e.by) - reach));
  e.row_hi = static_cast<int64_t>(std::floor(std::max(e.ay, e.by) + reach));
  e.slope_x = e.ey != 0 ? e.ex / e.ey : 0.0;
  e.half = e.ey != 0 ? reach * std::sqrt(e.ex * e.ex + e.ey * e.ey) / std::abs(e.ey) : 0.0;
  return e;
}

// The columns of local row y within the edge's band, clipped to [col_lo, col_hi];
// false if none. Truncation toward zero widens the band by at most a pixel on
// either side (it never lies above ceil(lo) or below floor(hi)), which is free:
// any pixel may take an edge's value, and it is cheaper than ceil and floor.
bool BandColumns(const BorderEdge& e, int64_t y, int64_t col_lo, int64_t col_hi, int64_t& c0, int64_t& c1) {
  if (y < e.row_lo || y > e.row_hi) return false;
  double lo = e.x_lo, hi = e.x_hi;
  if (e.ey != 0) {
    const double xc = e.ax + (static_cast<double>(y) - e.ay) * e.slope_x;
    lo = std::max(lo, xc - e.half);
    hi = std::min(hi, xc + e.half);
  }
  c0 = std::max<int64_t>(col_lo, static_cast<int64_t>(lo));
  c1 = std::min<int64_t>(col_hi, static_cast<int64_t>(hi));
  return c0 <= c1;
}

// Sorts the row's edge spans by first column (insertion sort: a row meets few
// edges) and merges those that overlap or touch into `merged`.
void MergeSpans(std::vector<BorderSpan>& spans, std::vector<BorderSpan>& merged) {
  for (size_t i = 1; i < spans.size(); ++i) {
    const BorderSpan span = spans[i];
    size_t j = i;
    for (; j > 0 && spans[j - 1].lo > span.lo; --j) spans[j] = spans[j - 1];
    spans[j] = span;
  }
  merged.clear();
  merged.push_back(spans[0]);
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].lo <= merged.back().hi + 1) {
      merged.back().hi = std::max(merged.back().hi, spans[i].hi);
    } else {
      merged.push_back(spans[i]);
    }
  }
}

// One canvas row (local row y, canvas row `out`): every edge over its band, then the fold.
void DrawRow(int64_t y, int64_t origin_x, int64_t cols, double distance, BorderDistance mode,
             ThresholdTransform transform, float* out, BorderScratch& s) {
  s.edge_spans.clear();
  for (size_t i = 0; i < s.edges.size(); ++i) {
    int64_t c0, c1;
    if (BandColumns(s.edges[i], y, origin_x, origin_x + cols - 1, c0, c1)) {
      s.edge_spans.push_back({static_cast<int32_t>(c0 - origin_x), static_cast<int32_t>(c1 - origin_x),
                              static_cast<int32_t>(i)});
    }
  }
  if (s.edge_spans.empty()) return;  // no edge comes near this row
  MergeSpans(s.edge_spans, s.spans);
  for (const BorderSpan& span : s.spans) std::fill(s.row.data() + span.lo, s.row.data() + span.hi + 1, 1.0f);

  const double inv_d = 1.0 / distance, yd = static_cast<double>(y);
  for (const BorderSpan& span : s.edge_spans) {
    const BorderEdge& e = s.edges[static_cast<size_t>(span.edge)];
    const int n = span.hi - span.lo + 1;
    const double x0 = static_cast<double>(span.lo + origin_x);
    float* row = s.row.data() + span.lo;
    if (mode == BorderDistance::kExact) {
      ExactRowMin(e, yd, x0, n, inv_d, row);
    } else if (ReferenceRowMin(e, yd, x0, n, inv_d, row)) {
      MergeMarkedPixels(e, yd, x0, n, distance, row);
    }
  }
  for (const BorderSpan& span : s.spans) {
    FoldIntoCanvas(s.row.data() + span.lo, span.hi - span.lo + 1, transform, out + span.lo);
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
  const int64_t cols = region.x1 - region.x0 + 1;
  const int64_t origin_x = region.x0 - box.x0, origin_y = region.y0 - box.y0;

  const size_t n = polygon.size();
  scratch.edges.clear();
  int64_t row_lo = INT64_MAX, row_hi = INT64_MIN;
  for (size_t i = 0; i < n; ++i) {
    scratch.edges.push_back(EdgeOf(polygon[i], polygon[(i + 1) % n], box, distance, mode));
    row_lo = std::min(row_lo, scratch.edges.back().row_lo);
    row_hi = std::max(row_hi, scratch.edges.back().row_hi);
  }
  row_lo = std::max(row_lo, origin_y);
  row_hi = std::min(row_hi, origin_y + (region.y1 - region.y0));
  scratch.row.resize(static_cast<size_t>(cols + kBlock));  // room for a last block
  for (int64_t y = row_lo; y <= row_hi; ++y) {
    float* out = canvas.data + (region.y0 + y - origin_y) * canvas.width + region.x0;
    DrawRow(y, origin_x, cols, distance, mode, transform, out, scratch);
  }
  return Status::Ok();
}

}  // namespace docpipe::ocr
