#include "pdf/table_text.h"

#include <algorithm>

#include "core/unicode.h"

namespace docpipe::pdf {
namespace {

bool IsSpace(char32_t c) { return c == ' ' || c == '\t' || c == 0xA0; }

}  // namespace

void TextRun::Add(const TableGlyph& g) {
  if (IsSpace(g.c)) {
    space = chars > 0;
    return;
  }
  if (chars > 0 && (space || g.line != last_line || g.box.x0 - last_x1 > kWordGap * g.size)) {
    text.push_back(' ');
  }
  AppendUtf8(text, g.c);
  box = chars == 0 ? g.box
                   : BBox{std::min(box.x0, g.box.x0), std::min(box.y0, g.box.y0), std::max(box.x1, g.box.x1),
                          std::max(box.y1, g.box.y1)};
  ++chars;
  bold += g.bold;
  mono += g.mono;
  size = std::max(size, g.size);
  if (g.c == '.' || g.c == ',') point = 0.5f * (g.box.x0 + g.box.x1);
  last_line = g.line;
  last_x1 = g.box.x1;
  space = false;
}

std::vector<TextRun> Words(const std::vector<TableGlyph>& glyphs, const BBox& area) {
  std::vector<TextRun> words;
  // About one word per five glyphs in prose: growing the vector word by word
  // moved every word's text again (a page's table search did it once per page).
  words.reserve(glyphs.size() / 4 + 1);
  TextRun word;
  for (const TableGlyph& g : glyphs) {
    if (!CentreInside(g.box, area)) continue;
    const bool breaks = word.chars > 0 && (IsSpace(g.c) || g.line != word.last_line ||
                                           g.box.x0 - word.last_x1 > kWordGap * g.size);
    if (breaks) words.push_back(std::move(word)), word = TextRun();
    if (!IsSpace(g.c)) word.Add(g);
  }
  if (word.chars > 0) words.push_back(std::move(word));
  return words;
}

std::vector<std::vector<TextRun>> Rows(std::vector<TextRun> words) {
  std::sort(words.begin(), words.end(),
            [](const TextRun& a, const TextRun& b) { return a.box.y0 + a.box.y1 < b.box.y0 + b.box.y1; });
  std::vector<std::vector<TextRun>> rows;
  float row_centre = 0, row_height = 0;
  for (TextRun& w : words) {
    const float centre = 0.5f * (w.box.y0 + w.box.y1);
    if (rows.empty() || centre - row_centre > 0.5f * std::max(row_height, w.box.height())) {
      rows.emplace_back();
      row_centre = centre, row_height = w.box.height();
    }
    rows.back().push_back(std::move(w));
  }
  for (auto& row : rows) {
    std::sort(row.begin(), row.end(), [](const TextRun& a, const TextRun& b) { return a.box.x0 < b.box.x0; });
  }
  return rows;
}

std::vector<float> ColumnBoundaries(const std::vector<const std::vector<TextRun>*>& rows, float min_gap) {
  std::vector<std::pair<float, float>> spans;
  for (const auto* row : rows) {
    for (const TextRun& w : *row) spans.emplace_back(w.box.x0, w.box.x1);
  }
  std::sort(spans.begin(), spans.end());
  std::vector<float> bounds;
  float reach = spans.empty() ? 0 : spans.front().second;
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].first - reach >= min_gap) bounds.push_back(0.5f * (reach + spans[i].first));
    reach = std::max(reach, spans[i].second);
  }
  return bounds;
}

CutRows CutIntoCells(const std::vector<std::vector<TextRun>>& rows,
                     const std::vector<const std::vector<TextRun>*>& body, const std::vector<float>& bounds,
                     int header_rows) {
  CutRows cut;
  Table& table = cut.table;
  table.rows = static_cast<int>(rows.size());
  table.cols = static_cast<int>(bounds.size()) + 1;
  table.header_rows = header_rows;
  auto column_of = [&](float x) {
    return static_cast<int>(std::upper_bound(bounds.begin(), bounds.end(), x) - bounds.begin());
  };
  std::vector<float> col_lo(table.cols, 1e9f), col_hi(table.cols, -1e9f);
  for (const auto* row : body) {
    for (const TextRun& w : *row) {
      const int c = column_of(0.5f * (w.box.x0 + w.box.x1));
      col_lo[c] = std::min(col_lo[c], w.box.x0), col_hi[c] = std::max(col_hi[c], w.box.x1);
    }
  }
  for (int r = 0; r < table.rows; ++r) {
    TableCell* open = nullptr;
    int open_last_col = -1;
    for (const TextRun& w : rows[r]) {
      int first = column_of(0.5f * (w.box.x0 + w.box.x1)), last = first;
      while (first > 0 && w.box.x0 < col_hi[first - 1] - 1) --first;
      while (last + 1 < table.cols && w.box.x1 > col_lo[last + 1] + 1) ++last;
      if (open && first <= open_last_col) {
        open->text += ' ' + w.text;
        open->bbox.x1 = std::max(open->bbox.x1, w.box.x1);
        open->bbox.y0 = std::min(open->bbox.y0, w.box.y0);
        open->bbox.y1 = std::max(open->bbox.y1, w.box.y1);
        open_last_col = std::max(open_last_col, last);
        open->col_span = open_last_col - open->col + 1;
        cut.words.back()++;
        cut.points.back() = w.point;
        continue;
      }
      TableCell cell;
      cell.row = r, cell.col = first, cell.col_span = last - first + 1;
      cell.text = w.text;
      cell.bbox = w.box;
      cell.header = r < header_rows;
      table.cells.push_back(std::move(cell));
      cut.words.push_back(1);
      cut.points.push_back(w.point);
      open = &table.cells.back();
      open_last_col = last;
    }
  }
  return cut;
}

float MedianSize(const std::vector<TextRun>& words) {
  std::vector<float> sizes;
  for (const TextRun& w : words) sizes.push_back(w.box.height());
  std::nth_element(sizes.begin(), sizes.begin() + sizes.size() / 2, sizes.end());
  return sizes[sizes.size() / 2];
}

bool CentreInside(const BBox& box, const BBox& area) {
  const float cx = 0.5f * (box.x0 + box.x1), cy = 0.5f * (box.y0 + box.y1);
  return cx >= area.x0 && cx <= area.x1 && cy >= area.y0 && cy <= area.y1;
}

bool Overlaps(const BBox& a, const BBox& b) {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

}  // namespace docpipe::pdf
