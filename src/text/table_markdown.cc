#include <algorithm>
#include <string>
#include <vector>

#include "docpipe/render.h"

namespace docpipe {
namespace {

// Cell text made safe for one pipe-table cell.
std::string EscapeCell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void AppendRow(const std::vector<std::string>& cells, std::string* out) {
  *out += '|';
  for (const std::string& cell : cells) {
    *out += ' ';
    *out += cell;
    *out += cell.empty() ? "|" : " |";
  }
}

}  // namespace

std::string RenderTableMarkdown(const Table& table) {
  const int cols = std::max(table.cols, 1);
  const int rows = std::max(table.rows, 0);
  std::vector<std::vector<std::string>> grid(rows, std::vector<std::string>(cols));
  for (const TableCell& cell : table.cells) {
    if (cell.row < 0 || cell.row >= rows || cell.col < 0 || cell.col >= cols) continue;
    grid[cell.row][cell.col] = EscapeCell(cell.text);
  }
  const int header_rows = std::clamp(table.header_rows, 0, rows);
  std::vector<std::string> header(cols);
  for (int r = 0; r < header_rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      if (grid[r][c].empty()) continue;
      if (!header[c].empty()) header[c] += ' ';
      header[c] += grid[r][c];
    }
  }
  std::string out;
  AppendRow(header, &out);
  out += "\n|";
  for (int c = 0; c < cols; ++c) out += " --- |";
  for (int r = header_rows; r < rows; ++r) {
    out += '\n';
    AppendRow(grid[r], &out);
  }
  return out;
}

}  // namespace docpipe
