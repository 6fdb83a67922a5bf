#include "pdf/recognized_order.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace docpipe::pdf {
namespace {

// Lines of one Tesseract block that fall into one span of columns.
struct Unit {
  int first = 0;           // index of its first line in Tesseract's order
  int column0 = 0, column1 = 0;  // leftmost and rightmost column it covers
  float y0 = 0, y1 = 0;
  std::vector<int> lines;  // indices into the page's lines, in Tesseract's order
};

// Columns left of x: gutters whose middle lies before it.
int ColumnAt(const std::vector<Gutter>& gutters, float x) {
  int column = 0;
  for (const Gutter& gutter : gutters) column += 0.5f * (gutter.x0 + gutter.x1) < x;
  return column;
}

// How one block's lines map to units, by their column spans. A block whose
// lines lie in two or more single columns is one Tesseract ran over a
// gutter: each column (and each line crossing one) is a unit of its own.
// Otherwise the block is one unit over all its columns: a pull quote whose
// lines cover one or two columns stays whole.
std::vector<std::pair<int, int>> BlockUnitSpans(const std::vector<std::pair<int, int>>& line_spans) {
  std::vector<int> single;
  std::pair<int, int> all{line_spans.front()};
  for (const auto& span : line_spans) {
    if (span.first == span.second && std::find(single.begin(), single.end(), span.first) == single.end()) {
      single.push_back(span.first);
    }
    all.first = std::min(all.first, span.first);
    all.second = std::max(all.second, span.second);
  }
  if (single.size() < 2) return std::vector<std::pair<int, int>>(line_spans.size(), all);
  return line_spans;
}

std::vector<Unit> MakeUnits(const std::vector<RawLine>& lines, const std::vector<Gutter>& gutters) {
  std::map<int, std::vector<int>> block_lines;
  std::vector<std::pair<int, int>> spans(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    spans[i] = {ColumnAt(gutters, lines[i].bbox.x0), ColumnAt(gutters, lines[i].bbox.x1)};
    block_lines[lines[i].layout_block].push_back(static_cast<int>(i));
  }
  for (const auto& [block, members] : block_lines) {
    std::vector<std::pair<int, int>> line_spans;
    for (int i : members) line_spans.push_back(spans[i]);
    line_spans = BlockUnitSpans(line_spans);
    for (size_t k = 0; k < members.size(); ++k) spans[members[k]] = line_spans[k];
  }
  std::vector<Unit> units;
  std::map<std::tuple<int, int, int>, size_t> index;  // (block, first column, last column) -> unit
  for (int i = 0; i < static_cast<int>(lines.size()); ++i) {
    const RawLine& line = lines[i];
    const auto [c0, c1] = spans[i];
    auto [it, added] = index.try_emplace({line.layout_block, c0, c1}, units.size());
    if (added) units.push_back(Unit{i, c0, c1, line.bbox.y0, line.bbox.y1, {}});
    Unit& unit = units[it->second];
    unit.y0 = std::min(unit.y0, line.bbox.y0);
    unit.y1 = std::max(unit.y1, line.bbox.y1);
    unit.lines.push_back(i);
  }
  return units;
}

// A unit over several columns with no text beside it in the others (a
// headline, a deck, a second article's headline over two of three columns,
// a pull quote beside a photo) spans the page's text there: it splits the
// page into bands.
bool SplitsBand(const std::vector<Unit>& units, size_t i) {
  const Unit& u = units[i];
  if (u.column0 == u.column1) return false;
  for (size_t j = 0; j < units.size(); ++j) {
    const Unit& v = units[j];
    const bool other_columns = v.column1 < u.column0 || v.column0 > u.column1;
    if (j != i && other_columns && v.y0 < u.y1 && v.y1 > u.y0) return false;
  }
  return true;
}

// Bands top to bottom, split by units spanning the text (SplitsBand); inside
// a band, units by leftmost column, then from the top.
void SortUnits(std::vector<Unit>& units, int columns) {
  if (columns <= 1) return;  // one column: Tesseract's own order
  std::stable_sort(units.begin(), units.end(), [](const Unit& a, const Unit& b) { return a.y0 < b.y0; });
  int band = 0;
  std::vector<int> bands(units.size());
  for (size_t i = 0; i < units.size(); ++i) {
    const bool full = SplitsBand(units, i);
    if (full && i > 0) ++band;
    bands[i] = band;
    if (full) ++band;
  }
  std::vector<size_t> order(units.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (bands[a] != bands[b]) return bands[a] < bands[b];
    return units[a].column0 < units[b].column0;
  });
  std::vector<Unit> sorted;
  sorted.reserve(units.size());
  for (size_t i : order) sorted.push_back(std::move(units[i]));
  units = std::move(sorted);
}

// Pieces of one Tesseract line that stayed in one unit are one line again.
void AppendUnit(std::vector<RawLine>& lines, const Unit& unit, int cell, std::vector<PageLine>* out) {
  const size_t start = out->size();
  for (int i : unit.lines) {
    RawLine& line = lines[i];
    if (out->size() > start && out->back().line.layout_line == line.layout_line) {
      RawLine& joined = out->back().line;
      joined.text += ' ';
      joined.text += line.text;
      joined.bbox.x0 = std::min(joined.bbox.x0, line.bbox.x0);
      joined.bbox.y0 = std::min(joined.bbox.y0, line.bbox.y0);
      joined.bbox.x1 = std::max(joined.bbox.x1, line.bbox.x1);
      joined.bbox.y1 = std::max(joined.bbox.y1, line.bbox.y1);
      joined.confidence = (joined.confidence * joined.chars + line.confidence * line.chars) /
                          std::max(1, joined.chars + line.chars);
      joined.chars += line.chars;
      continue;
    }
    out->push_back(PageLine{std::move(line), cell, 0, 0});
  }
}

}  // namespace

bool HasRecognizedLayout(const std::vector<RawLine>& lines) {
  return !lines.empty() && std::all_of(lines.begin(), lines.end(), [](const RawLine& line) {
    return line.source == TextSource::kOcr && line.layout_block >= 0 && line.layout_line >= 0;
  });
}

std::vector<PageLine> OrderRecognizedLines(std::vector<RawLine> lines) {
  std::vector<PageLine> ordered;
  if (lines.empty()) return ordered;
  const std::vector<Gutter> gutters = FindGutters(lines);
  std::vector<Unit> units = MakeUnits(lines, gutters);
  SortUnits(units, static_cast<int>(gutters.size()) + 1);
  ordered.reserve(lines.size());
  // A cell is a run of units over the same columns: the block rules see a
  // column's text as one region, as on digital pages.
  int cell = -1;
  const Unit* previous = nullptr;
  std::vector<size_t> cell_starts;
  for (const Unit& unit : units) {
    if (!previous || previous->column0 != unit.column0 || previous->column1 != unit.column1) {
      ++cell;
      cell_starts.push_back(ordered.size());
    }
    AppendUnit(lines, unit, cell, &ordered);
    previous = &unit;
  }
  cell_starts.push_back(ordered.size());
  for (size_t c = 0; c + 1 < cell_starts.size(); ++c) {
    float x0 = 1e9f, x1 = -1e9f;
    for (size_t i = cell_starts[c]; i < cell_starts[c + 1]; ++i) {
      x0 = std::min(x0, ordered[i].line.bbox.x0);
      x1 = std::max(x1, ordered[i].line.bbox.x1);
    }
    for (size_t i = cell_starts[c]; i < cell_starts[c + 1]; ++i) ordered[i].cell_x0 = x0, ordered[i].cell_x1 = x1;
  }
  return ordered;
}

}  // namespace docpipe::pdf
