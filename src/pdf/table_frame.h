// A quarter-turned view of a page, for tables printed sideways (a landscape
// table on a portrait page, as LaTeX's sidewaystable draws it): in the frame
// where their text reads left to right, rotated tables are found and cut into
// cells by the same code as upright ones, and their boxes are then mapped
// back to the page. Coordinates stay non-negative in every frame (the table
// code uses -1 as "none"). Pure values; thread-safe.
#pragma once

#include "docpipe/document.h"
#include "pdf/raw_page.h"
#include "pdf/table_rulings.h"

namespace docpipe::pdf {

// How far a text line with direction (dx, dy) (page points, y down) is turned
// from upright, in quarter turns counter-clockwise: 0 reads left to right, 1
// bottom to top, 2 upside down, 3 top to bottom; -1 for any other angle.
int QuarterTurns(float dx, float dy);

class TableFrame {
 public:
  // The frame where text turned by `turns` quarter turns reads upright, on a
  // page whose right and bottom edges are at `page_right` and `page_bottom`.
  TableFrame(int turns, float page_right, float page_bottom)
      : turns_(turns), right_(page_right), bottom_(page_bottom) {}

  int turns() const { return turns_; }
  BBox ToFrame(const BBox& box) const;
  BBox ToPage(const BBox& box) const;
  // A ruling of the page as the frame sees it: a quarter turn makes a
  // horizontal ruling vertical.
  Ruling ToFrame(const Ruling& ruling) const;
  // A table found in the frame, with its box and its cells' boxes on the page.
  RawTable ToPage(const RawTable& table) const;

 private:
  int turns_;
  float right_, bottom_;
};

}  // namespace docpipe::pdf
