#include "ocr/db_targets_geometry.h"

#include <cmath>
#include <exception>
#include <string>

#include <polyclipping/clipper.hpp>

namespace docpipe::ocr {
namespace {

// shapely closes a ring by repeating the first vertex unless it is already last.
std::vector<PointD> ClosedRing(std::span<const PointD> polygon) {
  std::vector<PointD> ring(polygon.begin(), polygon.end());
  if (!ring.empty() && (ring.front().x != ring.back().x || ring.front().y != ring.back().y)) {
    ring.push_back(ring.front());
  }
  return ring;
}

}  // namespace

double GeosArea(std::span<const PointD> polygon) {
  const std::vector<PointD> ring = ClosedRing(polygon);
  const size_t n = ring.size();
  if (n < 3) return 0.0;
  // GEOS shifts x by the first vertex before the shoelace sum; the order of
  // operations is kept so the result is bit-identical.
  const double x0 = ring[0].x;
  PointD p0, p1 = ring[0], p2 = ring[1];
  p2.x -= x0;
  double sum = 0.0;
  for (size_t i = 1; i < n - 1; ++i) {
    p0.y = p1.y;
    p1.x = p2.x;
    p1.y = p2.y;
    p2 = ring[i + 1];
    p2.x -= x0;
    sum += p1.x * (p0.y - p2.y);
  }
  return std::abs(sum / 2.0);
}

double GeosLength(std::span<const PointD> polygon) {
  const std::vector<PointD> ring = ClosedRing(polygon);
  if (ring.size() < 2) return 0.0;
  double length = 0.0;
  double x0 = ring[0].x, y0 = ring[0].y;
  for (size_t i = 1; i < ring.size(); ++i) {
    const double dx = ring[i].x - x0;
    const double dy = ring[i].y - y0;
    length += std::sqrt(dx * dx + dy * dy);
    x0 = ring[i].x;
    y0 = ring[i].y;
  }
  return length;
}

double DbSignedArea(std::span<const PointD> polygon) {
  double edge = 0;
  const size_t n = polygon.size();
  for (size_t i = 0; i < n; ++i) {
    const PointD& a = polygon[i];
    const PointD& b = polygon[(i + 1) % n];
    edge += (b.x - a.x) * (b.y + a.y);
  }
  return edge / 2.0;
}

double PaddleSignedArea(std::span<const PointD> polygon) {
  double area = 0;
  if (polygon.empty()) return 0;
  PointD q = polygon.back();
  for (const PointD& p : polygon) {
    area += p.x * q.y - p.y * q.x;
    q = p;
  }
  return area / 2.0;
}

IntPath TruncateToInt(std::span<const PointD> polygon) {
  IntPath path;
  path.reserve(polygon.size());
  for (const PointD& p : polygon) {
    path.push_back({static_cast<int64_t>(static_cast<int32_t>(p.x)),
                    static_cast<int64_t>(static_cast<int32_t>(p.y))});
  }
  return path;
}

Result<std::vector<IntPath>> OffsetPolygon(std::span<const PointD> polygon, double delta) {
  ClipperLib::Path subject;
  subject.reserve(polygon.size());
  for (const PointD& p : polygon) {
    subject.emplace_back(static_cast<ClipperLib::cInt>(p.x), static_cast<ClipperLib::cInt>(p.y));
  }
  ClipperLib::Paths solution;
  try {
    // One per thread, cleared between uses, so its buffers are allocated once.
    thread_local ClipperLib::ClipperOffset offset;  // miter limit 2, arc tolerance 0.25: pyclipper's defaults
    offset.Clear();
    offset.AddPath(subject, ClipperLib::jtRound, ClipperLib::etClosedPolygon);
    offset.Execute(solution, delta);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("polygon offset failed: ") + e.what());
  }
  std::vector<IntPath> paths;
  paths.reserve(solution.size());
  for (const ClipperLib::Path& path : solution) {
    IntPath out;
    out.reserve(path.size());
    for (const ClipperLib::IntPoint& p : path) out.push_back({p.X, p.Y});
    paths.push_back(std::move(out));
  }
  return paths;
}

}  // namespace docpipe::ocr
