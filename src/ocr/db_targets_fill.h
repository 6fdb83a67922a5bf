// Polygon fill that reproduces cv2.fillPoly (OpenCV 4.x, 8-connected lines,
// shift 0) on float planes, pixel for pixel: the outline is drawn with
// Bresenham lines, the interior with OpenCV's edge-list scanline rule in 16.16
// fixed point. The reference label maps are defined by that rasterisation, so
// a "nicer" fill would change which pixels are text.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace docpipe::ocr {

struct IntPoint64 {
  int64_t x = 0;
  int64_t y = 0;
};

// A height x width float plane, row-major.
struct FloatPlane {
  float* data = nullptr;
  int height = 0;
  int width = 0;
};

// Fills the closed polygon `points` into `plane` with `value`, as
// cv2.fillPoly(plane, [points], value) does.
void FillPolygonLikeOpenCv(FloatPlane plane, std::span<const IntPoint64> points, float value);

}  // namespace docpipe::ocr
