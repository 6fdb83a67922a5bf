#include "pdf/table_frame.h"

#include <algorithm>
#include <cmath>
#include <memory>

namespace docpipe::pdf {
namespace {

// Lines within this much of a quarter turn (as a sine, about 3 degrees) count as turned by it.
constexpr float kTurnTolerance = 0.05f;

struct Point {
  float x, y;
};

BBox Around(Point a, Point b) {
  return BBox{std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y)};
}

}  // namespace

int QuarterTurns(float dx, float dy) {
  const float length = std::hypot(dx, dy);
  if (length <= 0) return -1;
  dx /= length, dy /= length;
  if (std::fabs(dy) < kTurnTolerance) return dx > 0 ? 0 : 2;
  if (std::fabs(dx) < kTurnTolerance) return dy < 0 ? 1 : 3;
  return -1;
}

// Each turn maps the page so that text turned by it runs left to right and its
// lines follow each other downwards (page y grows downwards):
//   1: reads upwards, lines go right     -> (bottom - y, x)
//   2: reads leftwards, lines go up      -> (right - x, bottom - y)
//   3: reads downwards, lines go left    -> (y, right - x)
BBox TableFrame::ToFrame(const BBox& box) const {
  auto map = [this](Point p) -> Point {
    switch (turns_) {
      case 1:
        return {bottom_ - p.y, p.x};
      case 2:
        return {right_ - p.x, bottom_ - p.y};
      case 3:
        return {p.y, right_ - p.x};
      default:
        return p;
    }
  };
  return Around(map({box.x0, box.y0}), map({box.x1, box.y1}));
}

BBox TableFrame::ToPage(const BBox& box) const {
  auto map = [this](Point p) -> Point {
    switch (turns_) {
      case 1:
        return {p.y, bottom_ - p.x};
      case 2:
        return {right_ - p.x, bottom_ - p.y};
      case 3:
        return {right_ - p.y, p.x};
      default:
        return p;
    }
  };
  return Around(map({box.x0, box.y0}), map({box.x1, box.y1}));
}

Ruling TableFrame::ToFrame(const Ruling& ruling) const {
  const BBox on_page = ruling.horizontal ? BBox{ruling.lo, ruling.pos, ruling.hi, ruling.pos}
                                         : BBox{ruling.pos, ruling.lo, ruling.pos, ruling.hi};
  const BBox box = ToFrame(on_page);
  const bool horizontal = ruling.horizontal == (turns_ % 2 == 0);
  if (horizontal) return Ruling{true, box.y0, box.x0, box.x1};
  return Ruling{false, box.x0, box.y0, box.y1};
}

RawTable TableFrame::ToPage(const RawTable& table) const {
  auto turned = std::make_shared<Table>(*table.table);
  for (TableCell& cell : turned->cells) cell.bbox = ToPage(cell.bbox);
  turned->rotation = 90 * turns_;
  return RawTable{ToPage(table.bbox), std::move(turned)};
}

}  // namespace docpipe::pdf
