// Pages of PDF content streams written in top-left coordinates, with exact
// geometry, for tests whose expected tables are known exactly: text in
// Helvetica (/F1), Helvetica-Bold (/F2) and Courier (/F3), rulings, boxes,
// and ruled grids.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace docpipe::pdf_test {

constexpr float kPageHeight = 792;

// A content stream written in top-left page coordinates.
class PageDraw {
 public:
  // `height`: of the page the coordinates are on (a landscape page drawn sideways is 612 high).
  explicit PageDraw(float height = kPageHeight) : height_(height) {}

  PageDraw& Text(float x, float baseline, const std::string& text, bool bold = false, float size = 10) {
    out_ += "BT /" + std::string(bold ? "F2 " : "F1 ") + Num(size) + " Tf " + Num(x) + " " +
            Num(height_ - baseline) + " Td (" + text + ") Tj ET\n";
    return *this;
  }
  // Text turned a quarter counter-clockwise (reading upwards) from (x, baseline).
  PageDraw& TurnedText(float x, float baseline, const std::string& text) {
    out_ += "BT /F1 10 Tf 0 1 -1 0 " + Num(x) + " " + Num(height_ - baseline) + " Tm (" + text + ") Tj ET\n";
    return *this;
  }
  // Text in Courier, a fixed-pitch font.
  PageDraw& Mono(float x, float baseline, const std::string& text, float size = 10) {
    out_ += "BT /F3 " + Num(size) + " Tf " + Num(x) + " " + Num(height_ - baseline) + " Td (" + text +
            ") Tj ET\n";
    return *this;
  }
  PageDraw& HLine(float x0, float x1, float y, float width = 0.5f) {
    out_ += Num(width) + " w " + Num(x0) + " " + Num(height_ - y) + " m " + Num(x1) + " " + Num(height_ - y) +
            " l S\n";
    return *this;
  }
  PageDraw& VLine(float x, float y0, float y1, float width = 0.5f) {
    out_ += Num(width) + " w " + Num(x) + " " + Num(height_ - y0) + " m " + Num(x) + " " + Num(height_ - y1) +
            " l S\n";
    return *this;
  }
  PageDraw& StrokeRect(float x, float y, float w, float h) {
    out_ += "0.5 w " + Num(x) + " " + Num(height_ - y - h) + " " + Num(w) + " " + Num(h) + " re S\n";
    return *this;
  }
  PageDraw& FillRect(float x, float y, float w, float h) {
    out_ += Num(x) + " " + Num(height_ - y - h) + " " + Num(w) + " " + Num(h) + " re f\n";
    return *this;
  }
  // Lines of prose, one per baseline, 14 points apart from `top`.
  PageDraw& Prose(float x, float top, const std::vector<std::string>& lines) {
    for (size_t i = 0; i < lines.size(); ++i) Text(x, top + 14 * static_cast<float>(i), lines[i]);
    return *this;
  }
  const std::string& str() const { return out_; }

 private:
  static std::string Num(float v) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.2f", v);
    return buffer;
  }
  float height_;
  std::string out_;
};

struct Grid {
  float x = 72, y = 200;
  std::vector<float> widths = {120, 100, 100};
  float row_height = 20;
  std::vector<std::vector<std::string>> rows;
  bool bold_header = true;
};

// Width (points) of a number in 10-point Helvetica: digits 5.56, the decimal point 2.78.
inline float NumberWidth(const std::string& text) {
  float width = 0;
  for (char c : text) width += c == '.' ? 2.78f : 5.56f;
  return width;
}

// A price list at `y`: the header "Item | Count | Price" and the rows
// "item i | i | price" for i in [first, last).
inline Grid ItemGrid(float y, int first, int last, const std::string& price) {
  Grid grid;
  grid.y = y;
  grid.rows = {{"Item", "Count", "Price"}};
  for (int i = first; i < last; ++i) grid.rows.push_back({"item " + std::to_string(i), std::to_string(i), price});
  return grid;
}

// Text of every cell, and every ruling of the full grid.
inline void DrawGrid(const Grid& grid, PageDraw* page) {
  const float height = grid.row_height * static_cast<float>(grid.rows.size());
  float total = 0;
  for (float w : grid.widths) total += w;
  for (size_t r = 0; r <= grid.rows.size(); ++r) {
    page->HLine(grid.x, grid.x + total, grid.y + grid.row_height * static_cast<float>(r));
  }
  float x = grid.x;
  for (size_t c = 0; c <= grid.widths.size(); ++c) {
    page->VLine(x, grid.y, grid.y + height);
    if (c < grid.widths.size()) x += grid.widths[c];
  }
  for (size_t r = 0; r < grid.rows.size(); ++r) {
    float cx = grid.x;
    for (size_t c = 0; c < grid.rows[r].size(); ++c) {
      if (!grid.rows[r][c].empty()) {
        page->Text(cx + 4, grid.y + grid.row_height * static_cast<float>(r) + 14, grid.rows[r][c],
                   grid.bold_header && r == 0);
      }
      cx += grid.widths[c];
    }
  }
}

}  // namespace docpipe::pdf_test
