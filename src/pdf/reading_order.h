// Reading order of one page: columns found from the gaps between line
// x-extents; full-width lines (titles, wide captions) split the page into
// bands, and each band is read column by column, top to bottom. Pieces of
// one visual row inside a column (a bullet and its text, table cells) are
// merged back into one line.
// Pure functions; thread-safe.
#pragma once

#include <vector>

#include "pdf/raw_page.h"

namespace docpipe::pdf {

struct Gutter {
  float x0 = 0, x1 = 0;
};

// A line placed in reading order. `cell` numbers the (band, column) regions
// of the page in reading order; cell_x0/x1 are that region's horizontal extent.
struct PageLine {
  RawLine line;
  int cell = 0;
  float cell_x0 = 0, cell_x1 = 0;
};

// Vertical white strips that separate text columns, left to right; empty
// for a single-column page.
std::vector<Gutter> FindGutters(const std::vector<RawLine>& lines);

// A page of recognised lines that carry Tesseract's layout is ordered by
// OrderRecognizedLines (recognized_order.h) instead.
std::vector<PageLine> OrderLines(std::vector<RawLine> lines);

}  // namespace docpipe::pdf
