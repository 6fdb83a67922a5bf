// The rasterisation follows OpenCV's modules/imgproc/src/drawing.cpp (Apache-2.0):
// clipLine, the 8-connected LineIterator, CollectPolyEdges and FillEdgeCollection
// for line types below LINE_AA, as of OpenCV 4.6 (Debian 12's python3-opencv). Integer arithmetic and edge ordering are kept as
// they are there, because the point is to produce the same pixels.
#include "ocr/db_targets_fill.h"

#include <algorithm>
#include <climits>
#include <utility>

namespace docpipe::ocr {
namespace {

constexpr int kXyShift = 16;
constexpr int64_t kXyOne = int64_t{1} << kXyShift;

struct PolyEdge {
  int y0 = 0;
  int y1 = 0;
  int64_t x = 0;
  int64_t dx = 0;
  PolyEdge* next = nullptr;
};

bool Outside(const IntPoint64& p, const FloatPlane& plane) {
  return static_cast<uint64_t>(p.x) >= static_cast<uint64_t>(plane.width) ||
         static_cast<uint64_t>(p.y) >= static_cast<uint64_t>(plane.height);
}

// Cohen-Sutherland as OpenCV does it; returns false when the segment misses the image.
bool ClipLine(int64_t width, int64_t height, IntPoint64& p1, IntPoint64& p2) {
  const int64_t right = width - 1, bottom = height - 1;
  if (width <= 0 || height <= 0) return false;
  int64_t &x1 = p1.x, &y1 = p1.y, &x2 = p2.x, &y2 = p2.y;
  int c1 = (x1 < 0) + (x1 > right) * 2 + (y1 < 0) * 4 + (y1 > bottom) * 8;
  int c2 = (x2 < 0) + (x2 > right) * 2 + (y2 < 0) * 4 + (y2 > bottom) * 8;
  if ((c1 & c2) == 0 && (c1 | c2) != 0) {
    int64_t a;
    if (c1 & 12) {
      a = c1 < 8 ? 0 : bottom;
      x1 += (a - y1) * (x2 - x1) / (y2 - y1);
      y1 = a;
      c1 = (x1 < 0) + (x1 > right) * 2;
    }
    if (c2 & 12) {
      a = c2 < 8 ? 0 : bottom;
      x2 += (a - y2) * (x2 - x1) / (y2 - y1);
      y2 = a;
      c2 = (x2 < 0) + (x2 > right) * 2;
    }
    if ((c1 & c2) == 0 && (c1 | c2) != 0) {
      if (c1) {
        a = c1 == 1 ? 0 : right;
        y1 += (a - x1) * (y2 - y1) / (x2 - x1);
        x1 = a;
        c1 = 0;
      }
      if (c2) {
        a = c2 == 1 ? 0 : right;
        y2 += (a - x2) * (y2 - y1) / (x2 - x1);
        x2 = a;
        c2 = 0;
      }
    }
  }
  return (c1 | c2) == 0;
}

// cv::Line with connectivity 8 (LineIterator with left_to_right = true).
void DrawLine(FloatPlane plane, IntPoint64 p1, IntPoint64 p2, float value) {
  if (Outside(p1, plane) || Outside(p2, plane)) {
    if (!ClipLine(plane.width, plane.height, p1, p2)) return;
  }
  int64_t dx = p2.x - p1.x;
  int64_t dy = p2.y - p1.y;
  if (dx < 0) {  // always walk left to right
    dx = -dx;
    dy = -dy;
    p1 = p2;
  }
  int64_t step_x_major = 1, step_y_major = 0, step_x_minor = 0, step_y_minor = 1;
  if (dy < 0) {
    dy = -dy;
    step_y_minor = -1;
  }
  if (dy > dx) {  // steep: y is the major axis
    std::swap(dx, dy);
    step_x_major = 0;
    step_y_major = step_y_minor;
    step_x_minor = 1;
    step_y_minor = 0;
  }
  int64_t err = dx - (dy + dy);
  const int64_t plus_delta = dx + dx, minus_delta = -(dy + dy);
  int64_t x = p1.x, y = p1.y;
  for (int64_t i = 0; i <= dx; ++i) {
    plane.data[y * plane.width + x] = value;
    const bool minor = err < 0;
    err += minus_delta + (minor ? plus_delta : 0);
    x += step_x_major + (minor ? step_x_minor : 0);
    y += step_y_major + (minor ? step_y_minor : 0);
  }
}

// CollectPolyEdges: draws the outline and returns the non-horizontal edges in 16.16 fixed point.
std::vector<PolyEdge> CollectEdges(FloatPlane plane, std::span<const IntPoint64> v, float value) {
  std::vector<PolyEdge> edges;
  edges.reserve(v.size() + 1);
  IntPoint64 pt0{v.back().x << kXyShift, v.back().y};
  for (const IntPoint64& vertex : v) {
    IntPoint64 pt1{vertex.x << kXyShift, vertex.y};
    IntPoint64 t0{(pt0.x + (kXyOne >> 1)) >> kXyShift, pt0.y};
    IntPoint64 t1{(pt1.x + (kXyOne >> 1)) >> kXyShift, pt1.y};
    DrawLine(plane, t0, t1, value);
    // The edge keeps its unclipped endpoints (OpenCV 4.6 behaviour): where it
    // leaves the image the outline and the fill may disagree by a pixel.
    if (pt0.y != pt1.y) {
      PolyEdge edge;
      edge.dx = (pt1.x - pt0.x) / (pt1.y - pt0.y);
      if (pt0.y < pt1.y) {
        edge.y0 = static_cast<int>(pt0.y);
        edge.y1 = static_cast<int>(pt1.y);
        edge.x = pt0.x;
      } else {
        edge.y0 = static_cast<int>(pt1.y);
        edge.y1 = static_cast<int>(pt0.y);
        edge.x = pt1.x;
      }
      edges.push_back(edge);
    }
    pt0 = pt1;
  }
  return edges;
}

// Pixels from ceil(x1) to floor(x2), clipped to the row.
void FillSpan(FloatPlane plane, int y, int64_t x1_fixed, int64_t x2_fixed, float value) {
  int x1 = static_cast<int>((x1_fixed + kXyOne - 1) >> kXyShift);
  int x2 = static_cast<int>(x2_fixed >> kXyShift);
  if (x1 >= plane.width || x2 < 0) return;
  x1 = std::max(x1, 0);
  x2 = std::min(x2, plane.width - 1);
  std::fill(plane.data + static_cast<int64_t>(y) * plane.width + x1,
            plane.data + static_cast<int64_t>(y) * plane.width + x2 + 1, value);
}

// Bubble-sorts the active edge list by x, as OpenCV does after each scanline.
void SortActiveEdges(PolyEdge& head) {
  PolyEdge* keep_prelast = nullptr;
  do {
    PolyEdge* prelast = &head;
    PolyEdge* last = head.next;
    PolyEdge* last_exchange = nullptr;
    while (last != keep_prelast && last->next != nullptr) {
      PolyEdge* te = last->next;
      if (last->x > te->x) {
        prelast->next = te;
        last->next = te->next;
        te->next = last;
        prelast = te;
        last_exchange = prelast;
      } else {
        prelast = last;
        last = te;
      }
    }
    if (last_exchange == nullptr) break;
    keep_prelast = last_exchange;
  } while (keep_prelast != head.next && keep_prelast != &head);
}

// FillEdgeCollection for non-antialiased lines.
void FillEdges(FloatPlane plane, std::vector<PolyEdge>& edges, float value) {
  const int total = static_cast<int>(edges.size());
  if (total < 2) return;
  int y_max = INT_MIN, y_min = INT_MAX;
  int64_t x_max = -1, x_min = INT64_MAX;
  for (const PolyEdge& e : edges) {
    const int64_t x1 = e.x + (e.y1 - e.y0) * e.dx;
    y_min = std::min(y_min, e.y0);
    y_max = std::max(y_max, e.y1);
    x_min = std::min({x_min, e.x, x1});
    x_max = std::max({x_max, e.x, x1});
  }
  if (y_max < 0 || y_min >= plane.height || x_max < 0 ||
      x_min >= (static_cast<int64_t>(plane.width) << kXyShift)) {
    return;
  }
  std::sort(edges.begin(), edges.end(), [](const PolyEdge& a, const PolyEdge& b) {
    if (a.y0 != b.y0) return a.y0 < b.y0;
    if (a.x != b.x) return a.x < b.x;
    return a.dx < b.dx;
  });
  PolyEdge sentinel;
  sentinel.y0 = INT_MAX;
  edges.push_back(sentinel);
  PolyEdge head;
  int i = 0;
  PolyEdge* e = &edges[0];
  y_max = std::min(y_max, plane.height);
  for (int y = e->y0; y < y_max; ++y) {
    bool draw = false;
    const bool clip_line = y < 0;
    PolyEdge* prelast = &head;
    PolyEdge* last = head.next;
    while (last != nullptr || e->y0 == y) {
      if (last != nullptr && last->y1 == y) {  // the edge ends above this row
        prelast->next = last->next;
        last = last->next;
        continue;
      }
      PolyEdge* keep_prelast = prelast;
      if (last != nullptr && (e->y0 > y || last->x < e->x)) {
        prelast = last;
        last = last->next;
      } else if (i < total) {  // the next edge starts on this row
        prelast->next = e;
        e->next = last;
        prelast = e;
        e = &edges[++i];
      } else {
        break;
      }
      if (draw) {
        if (!clip_line) {
          if (keep_prelast->x > prelast->x) {
            FillSpan(plane, y, prelast->x, keep_prelast->x, value);
          } else {
            FillSpan(plane, y, keep_prelast->x, prelast->x, value);
          }
        }
        keep_prelast->x += keep_prelast->dx;
        prelast->x += prelast->dx;
      }
      draw = !draw;
    }
    SortActiveEdges(head);
  }
}

}  // namespace

void FillPolygonLikeOpenCv(FloatPlane plane, std::span<const IntPoint64> points, float value) {
  if (points.empty() || plane.height <= 0 || plane.width <= 0) return;
  std::vector<PolyEdge> edges = CollectEdges(plane, points, value);
  FillEdges(plane, edges, value);
}

}  // namespace docpipe::ocr
