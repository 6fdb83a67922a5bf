// Places the cells of a table given row by row (HTML <tr>/<td>, DOCX
// <w:tr>/<w:tc>) on a grid, honouring column and row spans, and makes the
// document model's Table. Single-threaded.
#pragma once

#include <string>
#include <vector>

#include "docpipe/document.h"

namespace docpipe::formats {

class TableGrid {
 public:
  // Spans are clamped to [1, kMaxSpan]; a table of more than kMaxPositions
  // grid positions keeps its first cells and drops the rest.
  static constexpr int kMaxSpan = 1000;
  static constexpr long kMaxPositions = 1'000'000;

  void StartRow(bool header_row);
  // The next free position of the current row (a row is started if none is).
  void AddCell(std::string text, int col_span, int row_span, bool header);
  // A DOCX vMerge continuation: the cell above grows one row down instead.
  void ContinueCellAbove(int col_span);
  // Leading rows that are all header cells (or were started as header rows)
  // become Table::header_rows.
  Table Finish(std::string caption);

 private:
  bool Occupied(int row, int col) const;
  void Occupy(int row, int col, int row_span, int col_span);
  int NextFreeColumn() const;

  std::vector<TableCell> cells_;
  std::vector<std::vector<bool>> occupied_;  // [row][col]
  std::vector<bool> header_rows_;            // per row: started as a header row
  int row_ = -1;
  int cursor_ = 0;
  long positions_ = 0;
};

}  // namespace docpipe::formats
