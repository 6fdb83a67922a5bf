// Tables drawn with neither rules nor boxes: columns of words aligned by
// whitespace alone. Found from the page's text geometry: rows are visual text
// lines; a row is a table row candidate when a gap at least kUnruledColumnGap
// font sizes wide splits it; consecutive candidate rows whose gaps line up
// (a gap no word of any of the rows covers) make a block, and a block of at
// least three rows and two columns is a table when every column is aligned
// (left, right, centre or decimal point) and its cells are short. Deliberately
// conservative (docs/tables.md, "What is not a table"): rows with dot leaders
// (tables of contents, indexes), rows set mostly in a fixed-pitch font (code,
// terminal output), blocks whose cells read like prose (a two-column page),
// lists (a first column of bullets or numbers, or one alphabetical list set
// in columns), numbered equations and
// indexes ("abs, 37" side by side) are not tables. Pure functions; thread-safe.
#pragma once

#include <vector>

#include "pdf/raw_page.h"
#include "pdf/table_text.h"

namespace docpipe::pdf {

// A gap at least this many font sizes wide separates two columns.
inline constexpr float kUnruledColumnGap = 1.0f;
// A table has at least this many rows.
inline constexpr int kUnruledMinRows = 3;

// Counts, glyph by glyph, the visual lines split by a column gap, from
// MuPDF's lines alone (no words, no strings): a page with fewer than
// kUnruledMinRows of them holds no unruled table. Most pages of prose are
// ruled out by it at the cost of one pass over their characters.
class SplitLineCount {
 public:
  void NewLine() { new_line_ = true; }
  // The current line's next glyph that is not a space.
  void Add(const BBox& box, float size);
  // Whether the page may hold an unruled table; sorts the lines, call once.
  bool MayHoldTable();

 private:
  struct Extent {
    float centre, x0, x1, size;
  };
  std::vector<Extent> lines_;
  int split_ = 0;
  bool new_line_ = true;
  float last_x1_ = 0;
};

// The unruled tables among `glyphs` (a page's glyphs outside its ruled
// tables, horizontal text only), top to bottom.
std::vector<RawTable> FindUnruledTables(const std::vector<TableGlyph>& glyphs);

}  // namespace docpipe::pdf
