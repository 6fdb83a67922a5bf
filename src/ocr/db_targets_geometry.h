// Polygon measures and offsets exactly as the Python reference computes them:
// shapely's (GEOS) area and perimeter, MhLiao/DB's signed area, and pyclipper's
// offset (Clipper 6.4 with round joins, float vertices truncated toward zero).
// Bit-identical arithmetic matters: the offset distance decides which pixels the
// shrunk polygon covers.
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "docpipe/status.h"
#include "ocr/db_targets_fill.h"

namespace docpipe::ocr {

struct PointD {
  double x = 0;
  double y = 0;
};

using IntPath = std::vector<IntPoint64>;

// |area| of the polygon closed back to its first vertex (GEOS Area::ofRing).
double GeosArea(std::span<const PointD> polygon);
// Perimeter of the closed polygon (GEOS Length::ofLine over the closed ring).
double GeosLength(std::span<const PointD> polygon);
// MhLiao/DB's polygon_area: sum of (x[i+1]-x[i]) * (y[i+1]+y[i]) / 2.
double DbSignedArea(std::span<const PointD> polygon);
// PaddleOCR's polygon_area: sum of x[i]*y[i-1] - y[i]*x[i-1], over 2.
double PaddleSignedArea(std::span<const PointD> polygon);

// pyclipper.PyclipperOffset().AddPath(polygon, JT_ROUND, ET_CLOSEDPOLYGON);
// Execute(delta). Clipper's own exceptions become kInternal.
Result<std::vector<IntPath>> OffsetPolygon(std::span<const PointD> polygon, double delta);

// Vertices truncated toward zero, as numpy's astype(np.int32) does.
IntPath TruncateToInt(std::span<const PointD> polygon);

}  // namespace docpipe::ocr
