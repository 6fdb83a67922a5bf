// The words and visual rows of a table's glyphs, and the column gaps rows
// share: the text geometry that rule-delimited (table_builder.h) and unruled
// (table_unruled.h) tables are both cut from. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "docpipe/document.h"

namespace docpipe::pdf {

// One character of the page. `line` numbers MuPDF's text lines on the page;
// spaces are kept (c == ' ') as word boundaries.
struct TableGlyph {
  char32_t c = 0;
  BBox box;
  float size = 0;
  bool bold = false;
  bool mono = false;  // a fixed-pitch font: code and terminal output
  int line = 0;
  int turns = 0;  // its line's quarter turns from upright (QuarterTurns in table_frame.h); 0 upright
};

// A gap between glyphs wider than this many font sizes separates words.
inline constexpr float kWordGap = 0.25f;

// Text of one cell or word accumulated glyph by glyph, with single spaces
// between words and between lines.
struct TextRun {
  std::string text;
  BBox box;
  int chars = 0, bold = 0, mono = 0;
  float size = 0;    // largest font size
  float point = -1;  // centre of the last '.' (decimal point), -1 if none
  int last_line = -1;
  float last_x1 = 0;
  bool space = false;

  void Add(const TableGlyph& g);
  bool IsBold() const { return chars > 0 && bold * 2 > chars; }
};

// Words (runs of glyphs without a word gap) whose centre is inside `area`, in glyph order.
std::vector<TextRun> Words(const std::vector<TableGlyph>& glyphs, const BBox& area);

// Words grouped into visual rows, top to bottom, each row left to right.
std::vector<std::vector<TextRun>> Rows(std::vector<TextRun> words);

// Column boundaries: the middles of the gaps at least `min_gap` wide that no
// word of `rows` covers.
std::vector<float> ColumnBoundaries(const std::vector<const std::vector<TextRun>*>& rows, float min_gap);

// `rows` cut into cells at the column `bounds`: a word goes to the column its
// centre is in and spans the columns whose `body` text it overlaps (a header
// over two columns), not those whose gap it merely enters; words of one row
// that fall in one cell are joined. Rows before `header_rows` are headers.
struct CutRows {
  Table table;
  std::vector<int> words;     // per cell: how many words it holds
  std::vector<float> points;  // per cell: its last word's decimal point, -1 if none
};
CutRows CutIntoCells(const std::vector<std::vector<TextRun>>& rows,
                     const std::vector<const std::vector<TextRun>*>& body, const std::vector<float>& bounds,
                     int header_rows);

// Median height of the words' boxes (non-empty `words`).
float MedianSize(const std::vector<TextRun>& words);

// Whether the centre of `box` lies inside `area`.
bool CentreInside(const BBox& box, const BBox& area);

// Whether the boxes share some area (touching edges do not count).
bool Overlaps(const BBox& a, const BBox& b);

}  // namespace docpipe::pdf
