#include <gtest/gtest.h>

#include <string>

#include "docpipe/document.h"
#include "docpipe/render.h"

namespace docpipe {
namespace {

TableCell Cell(int row, int col, std::string text, int row_span = 1, int col_span = 1) {
  TableCell cell;
  cell.row = row;
  cell.col = col;
  cell.text = std::move(text);
  cell.row_span = row_span;
  cell.col_span = col_span;
  return cell;
}

TEST(RenderTableMarkdownTest, HeaderDelimiterAndBodyRows) {
  Table table;
  table.rows = 3;
  table.cols = 2;
  table.header_rows = 1;
  table.cells = {Cell(0, 0, "Name"), Cell(0, 1, "Value"), Cell(1, 0, "a"), Cell(1, 1, "1"),
                 Cell(2, 0, "b"), Cell(2, 1, "2")};
  EXPECT_EQ(RenderTableMarkdown(table),
            "| Name | Value |\n| --- | --- |\n| a | 1 |\n| b | 2 |");
}

TEST(RenderTableMarkdownTest, SpansLeaveCoveredCellsEmptyAndPipesAreEscaped) {
  Table table;
  table.rows = 3;
  table.cols = 3;
  table.header_rows = 2;
  table.cells = {Cell(0, 0, "Group", 1, 2), Cell(0, 2, "Total", 2, 1), Cell(1, 0, "x"), Cell(1, 1, "y"),
                 Cell(2, 0, "a|b"), Cell(2, 1, "line\nbreak"), Cell(2, 2, "3")};
  EXPECT_EQ(RenderTableMarkdown(table),
            "| Group x | y | Total |\n| --- | --- | --- |\n| a\\|b | line break | 3 |");
}

TEST(RenderTableMarkdownTest, NoHeaderRowsGetsAnEmptyHeaderLine) {
  Table table;
  table.rows = 1;
  table.cols = 2;
  table.cells = {Cell(0, 0, "a"), Cell(0, 1, "")};
  EXPECT_EQ(RenderTableMarkdown(table), "| | |\n| --- | --- |\n| a | |");
}

}  // namespace
}  // namespace docpipe
