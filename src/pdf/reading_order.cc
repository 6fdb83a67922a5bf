#include "pdf/reading_order.h"

#include <algorithm>
#include <cmath>

#include "pdf/recognized_order.h"

namespace docpipe::pdf {
namespace {

// Lines wider than this share of the text area are full-width, never column text.
constexpr float kNarrowShare = 0.6f;
constexpr float kMinGutterWidth = 6.0f;  // points
constexpr int kMinColumnLines = 3;

struct Extent {
  float x0 = 0, x1 = 0;
};

Extent TextExtent(const std::vector<RawLine>& lines) {
  Extent extent{lines.front().bbox.x0, lines.front().bbox.x1};
  for (const RawLine& line : lines) {
    extent.x0 = std::min(extent.x0, line.bbox.x0);
    extent.x1 = std::max(extent.x1, line.bbox.x1);
  }
  return extent;
}

bool Crosses(const BBox& box, const Gutter& gutter) {
  return box.x0 < gutter.x0 - 1 && box.x1 > gutter.x1 + 1;
}

// A candidate strip is a gutter when real column text lies on both sides,
// side by side, and few lines cross it (a table inside one column does not
// turn a page into columns).
bool IsGutter(const std::vector<RawLine>& lines, const Gutter& gutter) {
  int left = 0, right = 0, crossing = 0;
  float left_y0 = 1e9f, left_y1 = -1e9f, right_y0 = 1e9f, right_y1 = -1e9f;
  for (const RawLine& line : lines) {
    if (Crosses(line.bbox, gutter)) {
      ++crossing;
    } else if (line.bbox.x1 <= gutter.x0 + 0.5f) {
      ++left, left_y0 = std::min(left_y0, line.bbox.y0), left_y1 = std::max(left_y1, line.bbox.y1);
    } else if (line.bbox.x0 >= gutter.x1 - 0.5f) {
      ++right, right_y0 = std::min(right_y0, line.bbox.y0);
      right_y1 = std::max(right_y1, line.bbox.y1);
    }
  }
  if (left < kMinColumnLines || right < kMinColumnLines || crossing > left + right) return false;
  const float overlap = std::min(left_y1, right_y1) - std::max(left_y0, right_y0);
  return overlap > 0;
}

// Groups lines of one region into visual rows and concatenates each row.
void AppendRows(std::vector<RawLine> region, int cell, std::vector<PageLine>* out) {
  if (region.empty()) return;
  std::sort(region.begin(), region.end(),
            [](const RawLine& a, const RawLine& b) { return a.baseline < b.baseline; });
  const Extent extent = TextExtent(region);
  size_t i = 0;
  while (i < region.size()) {
    size_t j = i + 1;
    const RawLine& first = region[i];
    while (j < region.size()) {
      const RawLine& next = region[j];
      if (first.table >= 0 || next.table >= 0) break;  // a table is a row of its own
      const float overlap = std::min(first.bbox.y1, next.bbox.y1) - std::max(first.bbox.y0, next.bbox.y0);
      if (overlap < 0.5f * std::min(first.bbox.height(), next.bbox.height())) break;
      ++j;
    }
    std::sort(region.begin() + i, region.begin() + j,
              [](const RawLine& a, const RawLine& b) { return a.bbox.x0 < b.bbox.x0; });
    PageLine row{std::move(region[i]), cell, extent.x0, extent.x1};
    int best_chars = row.line.chars, bold_chars = row.line.bold ? row.line.chars : 0;
    for (size_t k = i + 1; k < j; ++k) {
      RawLine& part = region[k];
      row.line.text.push_back(' ');
      row.line.text += part.text;
      row.line.bbox.x0 = std::min(row.line.bbox.x0, part.bbox.x0);
      row.line.bbox.y0 = std::min(row.line.bbox.y0, part.bbox.y0);
      row.line.bbox.x1 = std::max(row.line.bbox.x1, part.bbox.x1);
      row.line.bbox.y1 = std::max(row.line.bbox.y1, part.bbox.y1);
      if (part.chars > best_chars) best_chars = part.chars, row.line.size = part.size;
      bold_chars += part.bold ? part.chars : 0;
      row.line.chars += part.chars;
    }
    row.line.bold = bold_chars * 2 > row.line.chars;
    out->push_back(std::move(row));
    i = j;
  }
}

}  // namespace

std::vector<Gutter> FindGutters(const std::vector<RawLine>& lines) {
  std::vector<Gutter> gutters;
  if (lines.size() < 2 * kMinColumnLines) return gutters;
  const Extent extent = TextExtent(lines);
  const float width = extent.x1 - extent.x0;
  if (width < 100) return gutters;
  const int bins = static_cast<int>(std::ceil(width)) + 1;
  std::vector<int> coverage(bins, 0);
  for (const RawLine& line : lines) {
    if (line.bbox.width() >= kNarrowShare * width) continue;
    const int b0 = std::max(0, static_cast<int>(std::floor(line.bbox.x0 - extent.x0)));
    const int b1 = std::min(bins - 1, static_cast<int>(std::ceil(line.bbox.x1 - extent.x0)));
    for (int b = b0; b <= b1; ++b) coverage[b]++;
  }
  // A few narrow lines may cross a real gutter (a centred author line, the
  // short last line of a full-width paragraph): tolerate a small count.
  const int allowed = *std::max_element(coverage.begin(), coverage.end()) / 8;
  const int lo = static_cast<int>(0.1f * width), hi = static_cast<int>(0.9f * width);
  for (int b = lo; b < hi;) {
    if (coverage[b] > allowed) {
      ++b;
      continue;
    }
    int end = b;
    while (end < hi && coverage[end] <= allowed) ++end;
    Gutter gutter{extent.x0 + b, extent.x0 + end};
    if (gutter.x1 - gutter.x0 >= kMinGutterWidth && IsGutter(lines, gutter)) gutters.push_back(gutter);
    b = end;
  }
  return gutters;
}

std::vector<PageLine> OrderLines(std::vector<RawLine> lines) {
  if (HasRecognizedLayout(lines)) return OrderRecognizedLines(std::move(lines));
  std::vector<PageLine> ordered;
  if (lines.empty()) return ordered;
  const std::vector<Gutter> gutters = FindGutters(lines);
  std::stable_sort(lines.begin(), lines.end(), [](const RawLine& a, const RawLine& b) {
    return a.bbox.y0 < b.bbox.y0;
  });
  ordered.reserve(lines.size());
  int cell = 0;
  std::vector<std::vector<RawLine>> columns(gutters.size() + 1);
  std::vector<RawLine> full;
  auto flush_columns = [&] {
    for (auto& column : columns) {
      if (!column.empty()) AppendRows(std::move(column), cell++, &ordered);
      column.clear();
    }
  };
  auto flush_full = [&] {
    if (!full.empty()) AppendRows(std::move(full), cell++, &ordered);
    full.clear();
  };
  for (RawLine& line : lines) {
    const bool spanning = std::any_of(gutters.begin(), gutters.end(),
                                      [&](const Gutter& g) { return Crosses(line.bbox, g); });
    if (spanning || gutters.empty()) {
      flush_columns();
      full.push_back(std::move(line));
      continue;
    }
    flush_full();
    const float center = 0.5f * (line.bbox.x0 + line.bbox.x1);
    size_t column = 0;
    while (column < gutters.size() && center > gutters[column].x1) ++column;
    columns[column].push_back(std::move(line));
  }
  flush_columns();
  flush_full();
  return ordered;
}

}  // namespace docpipe::pdf
