#include "formats/table_grid.h"

#include <algorithm>

namespace docpipe::formats {

bool TableGrid::Occupied(int row, int col) const {
  return row < static_cast<int>(occupied_.size()) && col < static_cast<int>(occupied_[row].size()) &&
         occupied_[row][col];
}

void TableGrid::Occupy(int row, int col, int row_span, int col_span) {
  if (static_cast<int>(occupied_.size()) < row + row_span) occupied_.resize(row + row_span);
  for (int r = row; r < row + row_span; ++r) {
    if (static_cast<int>(occupied_[r].size()) < col + col_span) occupied_[r].resize(col + col_span, false);
    for (int c = col; c < col + col_span; ++c) occupied_[r][c] = true;
  }
  positions_ += static_cast<long>(row_span) * col_span;
}

int TableGrid::NextFreeColumn() const {
  int col = cursor_;
  while (Occupied(row_, col)) ++col;
  return col;
}

void TableGrid::StartRow(bool header_row) {
  ++row_;
  cursor_ = 0;
  header_rows_.resize(row_ + 1, false);
  header_rows_[row_] = header_row;
}

void TableGrid::AddCell(std::string text, int col_span, int row_span, bool header) {
  if (row_ < 0) StartRow(false);
  col_span = std::clamp(col_span, 1, kMaxSpan);
  row_span = std::clamp(row_span, 1, kMaxSpan);
  const int col = NextFreeColumn();
  if (positions_ + static_cast<long>(row_span) * col_span > kMaxPositions) return;
  TableCell cell;
  cell.row = row_;
  cell.col = col;
  cell.row_span = row_span;
  cell.col_span = col_span;
  cell.text = std::move(text);
  cell.header = header || header_rows_[row_];
  Occupy(row_, col, row_span, col_span);
  cells_.push_back(std::move(cell));
  cursor_ = col + col_span;
}

void TableGrid::ContinueCellAbove(int col_span) {
  if (row_ < 0) StartRow(false);
  col_span = std::clamp(col_span, 1, kMaxSpan);
  const int col = NextFreeColumn();
  for (auto it = cells_.rbegin(); it != cells_.rend(); ++it) {
    if (it->row + it->row_span == row_ && it->col == col) {
      ++it->row_span;
      Occupy(row_, col, 1, it->col_span);
      cursor_ = col + it->col_span;
      return;
    }
  }
  AddCell("", col_span, 1, false);  // nothing above to continue: an empty cell
}

Table TableGrid::Finish(std::string caption) {
  Table table;
  table.rows = row_ + 1;
  for (TableCell& cell : cells_) {
    cell.row_span = std::min(cell.row_span, table.rows - cell.row);
    table.cols = std::max(table.cols, cell.col + cell.col_span);
  }
  for (int row = 0; row < table.rows; ++row) {
    bool any = false, all_header = true;
    for (const TableCell& cell : cells_) {
      if (cell.row != row) continue;
      any = true;
      all_header = all_header && cell.header;
    }
    if (!any || !all_header) break;
    table.header_rows = row + 1;
  }
  table.cells = std::move(cells_);
  table.caption = std::move(caption);
  *this = TableGrid();
  return table;
}

}  // namespace docpipe::formats
