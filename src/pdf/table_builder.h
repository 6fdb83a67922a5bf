// Turns a table candidate (table_detector.h) and the glyphs inside it into a
// Table, or decides it is not one: a ruled grid takes each glyph into the cell
// its centre lies in; a stack of rules finds rows from the text lines between
// the rules and columns from the gaps every body row shares. Pure functions;
// thread-safe.
#pragma once

#include <vector>

#include "pdf/raw_page.h"
#include "pdf/table_detector.h"

namespace docpipe::pdf {

// One character of the page. `line` numbers MuPDF's text lines on the page;
// spaces are kept (c == ' ') as word boundaries.
struct TableGlyph {
  char32_t c = 0;
  BBox box;
  float size = 0;
  bool bold = false;
  int line = 0;
};

// The tables of `candidate`: none when its text does not make a table (too
// few filled cells, a single column, prose between rules); a stack of rules
// may hold several tables of the same width. `glyphs` may hold glyphs outside
// the candidate; only those whose centre is inside count.
std::vector<RawTable> BuildTables(const TableCandidate& candidate, const std::vector<TableGlyph>& glyphs);

// Whether the centre of `box` lies inside `area`.
bool CentreInside(const BBox& box, const BBox& area);

}  // namespace docpipe::pdf
