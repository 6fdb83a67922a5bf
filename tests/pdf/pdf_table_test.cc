// Tables of digital PDFs: ruled grids, spans, rule-delimited (booktabs)
// tables, captions, continuation across pages, and the near-misses and bad
// inputs that must not become tables. Pages are written as content streams
// with exact geometry, so the expected cells are known exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "docpipe/pdf.h"
#include "docpipe/render.h"
#include "pdf/text_rules.h"
#include "page_draw.h"
#include "pdf_test_support.h"

namespace docpipe {
namespace {

using pdf_test::DrawGrid;
using pdf_test::Grid;
using pdf_test::ItemGrid;
using pdf_test::NumberWidth;
using pdf_test::PageDraw;

const std::vector<std::string> kIntro = {"The measurements below were taken over three weeks in the spring.",
                                         "Each value is the mean of five runs on the same machine and disk."};
const std::vector<std::string> kOutro = {"The second device was slower on every workload that we have tried.",
                                         "We return to the reasons for this difference in the next section."};

Grid SampleGrid() {
  Grid grid;
  grid.rows = {
      {"Device", "Reads", "Writes"}, {"alpha", "120", "80"}, {"beta", "95", "61"}, {"gamma", "77", "40"}};
  return grid;
}

class PdfTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = PdfEngine::Make();
    ASSERT_TRUE(engine.ok());
    auto worker = PdfWorker::Make(*engine);
    ASSERT_TRUE(worker.ok());
    worker_ = std::move(worker).value();
  }

  Document Convert(const std::vector<std::string>& pages, const std::string& name, bool tables = true,
                   int rotate = 0) {
    const std::string path =
        pdf_test::WritePdf(pdf_test::ScratchDir("tables") + "/" + name + ".pdf", pages, {}, rotate);
    PdfOptions options;
    options.detect_tables = tables;
    auto document = worker_->Convert(path, options);
    EXPECT_TRUE(document.ok()) << document.status().ToString();
    return document.ok() ? std::move(document).value() : Document();
  }

  std::unique_ptr<PdfWorker> worker_;
};

std::vector<const Block*> Tables(const Document& document) {
  std::vector<const Block*> tables;
  for (const Block* block : pdf_test::AllBlocks(document)) {
    if (block->type == BlockType::kTable) tables.push_back(block);
  }
  return tables;
}

// The table's text as rows of cells (spans at their top-left position).
std::vector<std::vector<std::string>> Cells(const Table& table) {
  std::vector<std::vector<std::string>> grid(table.rows, std::vector<std::string>(table.cols));
  for (const TableCell& cell : table.cells) grid[cell.row][cell.col] = cell.text;
  return grid;
}

std::string AllText(const Document& document) { return DocumentText(document); }

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + 1)) ++n;
  return n;
}

TEST(TableCaptionTest, TableCaptionPrefixes) {
  EXPECT_TRUE(pdf::IsTableCaption("Table 3: Results"));
  EXPECT_TRUE(pdf::IsTableCaption("Tab. 1 Sizes"));
  EXPECT_TRUE(pdf::IsTableCaption("TABLE II. Throughput"));
  EXPECT_TRUE(pdf::IsTableCaption("TABLE IV"));
  EXPECT_FALSE(pdf::IsTableCaption("Figure 2: A plot"));
  EXPECT_FALSE(pdf::IsTableCaption("TABLE OF CONTENTS"));
  EXPECT_FALSE(pdf::IsTableCaption("Tables are useful"));
  EXPECT_TRUE(pdf::IsCaption("FIGURE 2. A plot"));
}

TEST_F(PdfTableTest, RuledGridBecomesOneTableInReadingOrder) {
  PageDraw page;
  page.Prose(72, 120, kIntro);
  DrawGrid(SampleGrid(), &page);
  page.Prose(72, 320, kOutro);
  const Document document = Convert({page.str()}, "ruled");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  const Table& table = *tables[0]->table;
  EXPECT_EQ(table.rows, 4);
  EXPECT_EQ(table.cols, 3);
  EXPECT_EQ(table.header_rows, 1);
  EXPECT_EQ(Cells(table), SampleGrid().rows);
  EXPECT_TRUE(table.cells[0].header);
  EXPECT_FALSE(table.cells[3].header);
  EXPECT_NEAR(tables[0]->bbox.x0, 72, 1);
  EXPECT_NEAR(tables[0]->bbox.y1, 280, 1);
  EXPECT_EQ(tables[0]->text, RenderTableMarkdown(table));
  // Reading order: intro, table, outro; no cell text in the paragraphs.
  const auto blocks = pdf_test::AllBlocks(document);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0]->type, BlockType::kParagraph);
  EXPECT_EQ(blocks[1]->type, BlockType::kTable);
  EXPECT_EQ(blocks[2]->type, BlockType::kParagraph);
  EXPECT_EQ(Count(AllText(document), "gamma"), 1u);
  EXPECT_EQ(Count(AllText(document), "Writes"), 1u);
}

TEST_F(PdfTableTest, DetectionOffKeepsTheTextInTheFlow) {
  PageDraw page;
  page.Prose(72, 120, kIntro);
  DrawGrid(SampleGrid(), &page);
  const Document document = Convert({page.str()}, "ruled_off", false);
  EXPECT_TRUE(Tables(document).empty());
  EXPECT_EQ(Count(AllText(document), "gamma"), 1u);
}

TEST_F(PdfTableTest, MissingInnerRulingsBecomeSpans) {
  // Row 0: "Group" spans columns 1-2 (no ruling between them); column 0:
  // "Name" spans rows 0-1 (no ruling between them).
  PageDraw page;
  const float x = 72, y = 200, h = 20;
  const float xs[] = {72, 192, 292, 392};
  page.HLine(x, 392, y).HLine(192, 392, y + h).HLine(x, 392, y + 2 * h).HLine(x, 392, y + 3 * h);
  page.VLine(xs[0], y, y + 3 * h).VLine(xs[1], y, y + 3 * h).VLine(xs[3], y, y + 3 * h);
  page.VLine(xs[2], y + h, y + 3 * h);
  page.Text(76, y + 24, "Name", true).Text(196, y + 14, "Group", true);
  page.Text(196, y + 34, "left", true).Text(296, y + 34, "right", true);
  page.Text(76, y + 54, "first").Text(196, y + 54, "1").Text(296, y + 54, "2");
  const Document document = Convert({page.str()}, "spans");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  const Table& table = *tables[0]->table;
  ASSERT_EQ(table.rows, 3);
  ASSERT_EQ(table.cols, 3);
  ASSERT_EQ(table.cells.size(), 7u);
  EXPECT_EQ(table.cells[0].text, "Name");
  EXPECT_EQ(table.cells[0].row_span, 2);
  EXPECT_EQ(table.cells[0].col_span, 1);
  EXPECT_EQ(table.cells[1].text, "Group");
  EXPECT_EQ(table.cells[1].col_span, 2);
  EXPECT_EQ(table.cells[1].row_span, 1);
  EXPECT_EQ(table.cells[2].text, "left");
  EXPECT_EQ(table.cells[2].row, 1);
  EXPECT_EQ(table.cells[2].col, 1);
  EXPECT_EQ(table.header_rows, 2);
}

TEST_F(PdfTableTest, CaptionAboveOrBelowIsAttachedAndReadFirst) {
  for (const bool below : {false, true}) {
    PageDraw page;
    page.Prose(72, 120, kIntro);
    const std::string caption = below ? "TABLE II. Throughput per device" : "Table 3: Throughput per device";
    page.Text(72, below ? 300 : 190, caption);
    DrawGrid(SampleGrid(), &page);
    page.Prose(72, 340, kOutro);
    const Document document = Convert({page.str()}, below ? "caption_below" : "caption_above");
    const auto blocks = pdf_test::AllBlocks(document);
    ASSERT_EQ(blocks.size(), 4u) << below;
    EXPECT_EQ(blocks[1]->type, BlockType::kCaption) << below;
    EXPECT_EQ(blocks[1]->text, caption);
    ASSERT_EQ(blocks[2]->type, BlockType::kTable) << below;
    EXPECT_EQ(blocks[2]->table->caption, caption);
  }
}

// A booktabs table (top, mid and bottom rules as filled rectangles) from `top`.
void DrawBooktabs(float top, PageDraw* page) {
  const float x0 = 150, x1 = 450;
  page->FillRect(x0, top, x1 - x0, 0.8f);
  page->Text(160, top + 15, "Method", true)
      .Text(280, top + 15, "Recall", true)
      .Text(390, top + 15, "Time (s)", true);
  page->FillRect(x0, top + 20, x1 - x0, 0.5f);
  page->Text(160, top + 35, "exact search").Text(280, top + 35, "0.991").Text(390, top + 35, "12.5");
  page->Text(160, top + 49, "graph").Text(280, top + 49, "0.953").Text(390, top + 49, "1.2");
  page->Text(160, top + 63, "quantised").Text(280, top + 63, "0.902").Text(396, top + 63, "0.4");
  page->FillRect(x0, top + 69, x1 - x0, 0.8f);
}

const std::vector<std::vector<std::string>> kBooktabsCells = {{"Method", "Recall", "Time (s)"},
                                                              {"exact search", "0.991", "12.5"},
                                                              {"graph", "0.953", "1.2"},
                                                              {"quantised", "0.902", "0.4"}};

TEST_F(PdfTableTest, BooktabsRulesGiveRowsAndColumnsFromTheText) {
  PageDraw page;
  page.Prose(72, 120, kIntro);
  DrawBooktabs(190, &page);
  page.Prose(72, 290, kOutro);
  const Document document = Convert({page.str()}, "booktabs");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  const Table& table = *tables[0]->table;
  EXPECT_EQ(table.header_rows, 1);
  EXPECT_EQ(Cells(table), kBooktabsCells);
  EXPECT_EQ(Count(AllText(document), "quantised"), 1u);
}

TEST_F(PdfTableTest, TwoBooktabsTablesOfOneWidthWithProseBetween) {
  PageDraw page;
  DrawBooktabs(100, &page);
  page.Prose(72, 220, kIntro);
  DrawBooktabs(300, &page);
  const Document document = Convert({page.str()}, "booktabs_two");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(Cells(*tables[0]->table), kBooktabsCells);
  EXPECT_EQ(Cells(*tables[1]->table), kBooktabsCells);
  EXPECT_EQ(Count(AllText(document), "three weeks"), 1u);
}

TEST_F(PdfTableTest, HeaderAboveARuleUnderItAndARuleUnderTheTable) {
  PageDraw page;
  page.Prose(72, 120, kIntro);
  page.Text(72, 200, "Month", true)
      .Text(200, 200, "Documents", true)
      .Text(330, 200, "Pages per second", true);
  page.HLine(72, 480, 203);
  page.Text(72, 217, "July").Text(200, 217, "512,000").Text(330, 217, "410");
  page.Text(72, 231, "August").Text(200, 231, "634,000").Text(330, 231, "520");
  page.Text(72, 245, "September").Text(200, 245, "781,000").Text(330, 245, "655");
  page.HLine(72, 480, 249);
  page.Prose(72, 280, kOutro);
  const Document document = Convert({page.str()}, "header_above");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  const std::vector<std::vector<std::string>> expected = {{"Month", "Documents", "Pages per second"},
                                                          {"July", "512,000", "410"},
                                                          {"August", "634,000", "520"},
                                                          {"September", "781,000", "655"}};
  EXPECT_EQ(Cells(*tables[0]->table), expected);
  EXPECT_EQ(tables[0]->table->header_rows, 1);
  EXPECT_EQ(Count(AllText(document), "Documents"), 1u);
}

TEST_F(PdfTableTest, EmptyCellsAndHeaderOnlyTables) {
  Grid sparse = SampleGrid();
  sparse.rows[1][1] = "";
  sparse.rows[2][2] = "";
  PageDraw page;
  DrawGrid(sparse, &page);
  Grid header_only;
  header_only.y = 400;
  header_only.rows = {{"Name", "Size", "Owner"}};
  DrawGrid(header_only, &page);
  const Document document = Convert({page.str()}, "sparse");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(Cells(*tables[0]->table), sparse.rows);
  EXPECT_EQ(Cells(*tables[1]->table), header_only.rows);
}

TEST_F(PdfTableTest, RulingsDrawnTwiceGiveTheSameTable) {
  PageDraw once, twice;
  DrawGrid(SampleGrid(), &once);
  DrawGrid(SampleGrid(), &twice);
  Grid shifted = SampleGrid();
  shifted.x += 0.4f, shifted.y += 0.4f;
  for (auto& row : shifted.rows) row.assign(row.size(), "");
  DrawGrid(shifted, &twice);
  const Document first = Convert({once.str()}, "once");
  const Document second = Convert({twice.str()}, "twice");
  const auto a = Tables(first);
  const auto b = Tables(second);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0]->text, b[0]->text);
  EXPECT_EQ(b[0]->table->rows, 4);
  EXPECT_EQ(b[0]->table->cols, 3);
}

TEST_F(PdfTableTest, ThousandTinyRectanglesAreNoTable) {
  PageDraw page;
  page.Prose(72, 100, kIntro);
  for (int i = 0; i < 1000; ++i) {
    const float x = 72 + static_cast<float>(i % 40) * 3, y = 150 + static_cast<float>(i / 40) * 3;
    if (i % 2) {
      page.StrokeRect(x, y, 3, 3);  // a grid of touching boxes, like a chart's or a QR code's
    } else {
      page.FillRect(x, y, 2.5f, 2.5f);
    }
  }
  for (int i = 0; i < 60; ++i) page.FillRect(300 + 2.5f * static_cast<float>(i), 150, 1, 60);  // a barcode
  page.Text(80, 170, "A label over the chart");
  const Document document = Convert({page.str()}, "rectangles");
  EXPECT_TRUE(Tables(document).empty());
  EXPECT_EQ(Count(AllText(document), "label over the chart"), 1u);
}

TEST_F(PdfTableTest, FormWithEmptyBoxesIsNoTable) {
  PageDraw page;
  const char* labels[] = {"Name", "Address", "City", "Phone"};
  for (int i = 0; i < 4; ++i) {
    const float y = 150 + 30.0f * static_cast<float>(i);
    page.Text(72, y + 14, labels[i]);
    page.StrokeRect(160, y, 250, 20);
    page.StrokeRect(420, y, 80, 20);
  }
  // A grid of date boxes that touch one another: one row, all empty.
  for (int i = 0; i < 8; ++i) page.StrokeRect(160 + 16.0f * static_cast<float>(i), 300, 16, 20);
  page.Text(72, 314, "Date");
  const Document document = Convert({page.str()}, "form");
  EXPECT_TRUE(Tables(document).empty());
  EXPECT_EQ(Count(AllText(document), "Address"), 1u);
}

TEST_F(PdfTableTest, ProseBetweenRulesIsNoTable) {
  PageDraw page;
  page.HLine(72, 540, 60);
  page.Prose(72, 100,
             {"Results of the survey are summarised in this short note for the board.",
              "The numbers are preliminary and will change as late replies arrive.",
              "A full report with every table follows at the end of the quarter."});
  // Two columns of prose between a header rule and a footer rule.
  for (int i = 0; i < 12; ++i) {
    const float y = 180 + 14.0f * static_cast<float>(i);
    page.Text(72, y, "left column text that runs on for a while");
    page.Text(320, y, "right column text that also runs on a bit");
  }
  page.HLine(72, 540, 740);
  const Document document = Convert({page.str()}, "prose_rules");
  EXPECT_TRUE(Tables(document).empty());
}

// A frame with rules between its rows and none between its columns, its
// 11-point numbers 7 points apart (cells padded by 3.5 points a side): the
// columns come from those narrow gaps. A boxed listing with single word
// spaces ("name: off") stays text.
TEST_F(PdfTableTest, FrameWithRowRulesTakesColumnsFromNarrowGaps) {
  const std::vector<std::vector<std::string>> cells = {
      {"1001", "2002", "3003"}, {"4104", "5205", "6306"}, {"7407", "8508", "9609"}, {"1710", "2811", "3912"}};
  const float x = 72, top = 200, row = 16, digits = 4 * 5.56f * 1.1f, gap = 7;
  PageDraw page;
  page.Prose(72, 120, kIntro);
  page.StrokeRect(x, top, 3 * digits + 2 * gap + 7, row * 4);
  for (int r = 0; r < 4; ++r) {
    const float y = top + row * static_cast<float>(r);
    if (r > 0) page.HLine(x, x + 3 * digits + 2 * gap + 7, y);
    for (int c = 0; c < 3; ++c) page.Text(x + 3.5f + (digits + gap) * static_cast<float>(c), y + 12, cells[r][c], false, 11);
  }
  page.StrokeRect(x, 320, 200, 48);
  page.Text(76, 334, "resource name: off").Text(76, 348, "other resource: on").Text(76, 362, "third one: off");
  const Document document = Convert({page.str()}, "frame_rows");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(Cells(*tables[0]->table), cells);
  EXPECT_EQ(Count(AllText(document), "resource name: off"), 1u);
}

// Rows of `lines` per cell (each row's cells as lists of lines), drawn from
// `top` between horizontal rules 12 points a line plus 8 of padding; returns
// the y of the last rule. Text starts 4 points inside each column of `xs`.
float DrawWrappedRows(const std::vector<std::vector<std::vector<std::string>>>& rows, const std::vector<float>& xs,
                      float top, bool bold_header, PageDraw* page) {
  float y = top;
  page->HLine(xs.front(), xs.back(), y);
  for (size_t r = 0; r < rows.size(); ++r) {
    size_t lines = 1;
    for (const auto& cell : rows[r]) lines = std::max(lines, cell.size());
    for (size_t c = 0; c < rows[r].size(); ++c) {
      for (size_t l = 0; l < rows[r][c].size(); ++l) {
        page->Text(xs[c] + 4, y + 13 + 12 * static_cast<float>(l), rows[r][c][l], bold_header && r == 0);
      }
    }
    y += 12 * static_cast<float>(lines) + 8;
    page->HLine(xs.front(), xs.back(), y);
  }
  return y;
}

const std::vector<std::vector<std::vector<std::string>>> kWrappedRows = {
    {{"Option"}, {"Default"}, {"Meaning"}},
    {{"width"}, {"80"}, {"Line width in", "characters"}},
    {{"height"}, {"24"}, {"Lines per page"}},
    {{"tabs"}, {"8"}, {"Tab stops every", "eight columns"}},
    {{"wrap"}, {"on"}, {"Long lines wrap", "at the right", "margin"}},
};
const std::vector<std::vector<std::string>> kWrappedCells = {
    {"Option", "Default", "Meaning"},
    {"width", "80", "Line width in characters"},
    {"height", "24", "Lines per page"},
    {"tabs", "8", "Tab stops every eight columns"},
    {"wrap", "on", "Long lines wrap at the right margin"}};

// Cells of several lines between the rules of a frame, of a stack of rules
// with one under every row, and of a fully ruled grid: each cell gathers its
// lines (joined with spaces) and each band between rules is one row.
TEST_F(PdfTableTest, CellsOfSeveralLinesBetweenRulesAreOneCell) {
  const std::vector<float> xs = {72, 172, 242, 402};
  PageDraw framed;
  framed.Prose(72, 120, kIntro);
  const float bottom = DrawWrappedRows(kWrappedRows, xs, 200, true, &framed);
  framed.VLine(xs.front(), 200, bottom).VLine(xs.back(), 200, bottom);
  PageDraw stack;  // the same rules without the frame's sides
  stack.Prose(72, 120, kIntro);
  DrawWrappedRows(kWrappedRows, xs, 200, true, &stack);
  PageDraw grid;  // and with every column ruled
  grid.Prose(72, 120, kIntro);
  const float grid_bottom = DrawWrappedRows(kWrappedRows, xs, 200, true, &grid);
  for (float x : xs) grid.VLine(x, 200, grid_bottom);
  const Document document = Convert({framed.str(), stack.str(), grid.str()}, "wrapped_cells");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 3u);
  for (const Block* table : tables) {
    SCOPED_TRACE("page " + std::to_string(table->page));
    EXPECT_EQ(Cells(*table->table), kWrappedCells);
    EXPECT_EQ(table->table->header_rows, 1);
  }
  EXPECT_NE(tables[0]->text.find("| tabs | 8 | Tab stops every eight columns |"), std::string::npos) << tables[0]->text;
}

// A title set across a framed table with a rule under every row (gnuplot's
// "Math library functions", a \multicolumn over the columns): one cell across
// every column, and the column names under it a header row as well.
TEST_F(PdfTableTest, TitleRowAcrossAFramedTableIsOneCellAboveTheColumnNames) {
  const std::vector<float> xs = {72, 172, 242, 402};
  PageDraw page;
  page.Prose(72, 120, kIntro);
  const std::vector<std::vector<std::vector<std::string>>> rows = {
      {{"Function"}, {"Arguments"}, {"Returns"}}, {{"abs(x)"}, {"any"}, {"absolute value of x"}},
      {{"acos(x)"}, {"any"}, {"inverse cosine"}}, {{"ceil(x)"}, {"real"}, {"smallest integer not less"}}};
  page.HLine(xs.front(), xs.back(), 200);
  page.Text(190, 213, "Math library functions");  // centred on 237, across the gap at 242
  const float bottom = DrawWrappedRows(rows, xs, 220, false, &page);
  page.VLine(xs.front(), 200, bottom).VLine(xs.back(), 200, bottom);
  const Document document = Convert({page.str()}, "title_row");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  const Table& table = *tables[0]->table;
  EXPECT_EQ(table.header_rows, 2);
  ASSERT_FALSE(table.cells.empty());
  EXPECT_EQ(table.cells[0].text, "Math library functions");
  EXPECT_EQ(table.cells[0].col, 0);
  EXPECT_EQ(table.cells[0].col_span, 3);
  EXPECT_EQ(Cells(table), (std::vector<std::vector<std::string>>{{"Math library functions", "", ""},
                                                                 {"Function", "Arguments", "Returns"},
                                                                 {"abs(x)", "any", "absolute value of x"},
                                                                 {"acos(x)", "any", "inverse cosine"},
                                                                 {"ceil(x)", "real", "smallest integer not less"}}));
}

// A booktabs table (three rules: top, under the header, bottom) has one band
// of body lines: each line stays a row.
TEST_F(PdfTableTest, BooktabsBodyKeepsARowPerLine) {
  const std::vector<float> xs = {72, 172, 242, 402};
  PageDraw page;
  page.Prose(72, 120, kIntro);
  page.HLine(xs.front(), xs.back(), 200, 0.8f).HLine(xs.front(), xs.back(), 220, 0.5f);
  page.Text(76, 213, "Option", true).Text(176, 213, "Default", true).Text(246, 213, "Meaning", true);
  const std::vector<std::vector<std::string>> body = {
      {"width", "80", "Line width"}, {"height", "24", "Lines per page"}, {"tabs", "8", "Tab stops"}};
  for (size_t r = 0; r < body.size(); ++r) {
    for (size_t c = 0; c < 3; ++c) page.Text(xs[c] + 4, 233 + 12 * static_cast<float>(r), body[r][c]);
  }
  page.HLine(xs.front(), xs.back(), 262, 0.8f);
  const Document document = Convert({page.str()}, "booktabs_lines");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(Cells(*tables[0]->table),
            (std::vector<std::vector<std::string>>{{"Option", "Default", "Meaning"}, body[0], body[1], body[2]}));
}

TEST_F(PdfTableTest, TableInsideOneColumnOfATwoColumnPage) {
  PageDraw page;
  std::vector<std::string> left, right;
  for (int i = 0; i < 6; ++i) left.push_back("Left column line number " + std::to_string(i) + " of text");
  for (int i = 0; i < 20; ++i) right.push_back("Right column line " + std::to_string(i) + " of text");
  page.Prose(54, 100, left);
  Grid grid = SampleGrid();
  grid.x = 54, grid.y = 200;
  grid.widths = {90, 70, 70};
  DrawGrid(grid, &page);
  page.Prose(54, 310, {"Left column after the table goes on here", "and ends the left column."});
  page.Prose(320, 100, right);
  const Document document = Convert({page.str()}, "two_column");
  const auto blocks = pdf_test::AllBlocks(document);
  ASSERT_EQ(Tables(document).size(), 1u);
  EXPECT_EQ(Cells(*Tables(document)[0]->table), grid.rows);
  // Read as: left column (text, table, text), then the right column.
  size_t table_index = 0, right_index = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i]->type == BlockType::kTable) table_index = i;
    if (right_index == 0 && blocks[i]->text.starts_with("Right column")) right_index = i;
  }
  EXPECT_GT(table_index, 0u);
  EXPECT_LT(table_index, right_index);
  EXPECT_EQ(Count(AllText(document), "gamma"), 1u);
}

TEST_F(PdfTableTest, TableContinuedOnTheNextPageIsMarkedAndKeepsItsHeader) {
  const Grid first = ItemGrid(600, 0, 6, "1.00");
  Grid second = ItemGrid(72, 6, 30, "2.00");
  second.bold_header = false;
  PageDraw one, two;
  one.Prose(72, 100, kIntro);
  DrawGrid(first, &one);
  DrawGrid(second, &two);
  two.Prose(72, 720, kOutro);
  const Document document = Convert({one.str(), two.str()}, "continued");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_FALSE(tables[0]->table->continued);
  EXPECT_TRUE(tables[1]->table->continued);
  EXPECT_EQ(tables[1]->table->header_rows, 1);
  EXPECT_EQ(tables[1]->page, 2);
  EXPECT_EQ(tables[1]->table->rows, 25);
}

// A huge table: 500 rows over 10 pages, its header row repeated (not bold)
// on each later page. Ten tables, each later one continuing the one before
// with its header kept; every row once.
TEST_F(PdfTableTest, HugeTableOverTenPages) {
  std::vector<std::string> pages;
  for (int p = 0; p < 10; ++p) {
    Grid grid;
    grid.y = 40;
    grid.row_height = 14;
    grid.bold_header = p == 0;
    grid.rows = {{"Item", "Count", "Price"}};
    for (int i = 50 * p; i < 50 * (p + 1); ++i) {
      grid.rows.push_back({"item " + std::to_string(i), std::to_string(i * 7), std::to_string(i) + ".50"});
    }
    PageDraw page;
    DrawGrid(grid, &page);
    pages.push_back(page.str());
  }
  const Document document = Convert(pages, "huge_table");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 10u);
  for (size_t t = 0; t < tables.size(); ++t) {
    const Table& table = *tables[t]->table;
    EXPECT_EQ(tables[t]->page, static_cast<int>(t) + 1);
    EXPECT_EQ(table.rows, 51);
    EXPECT_EQ(table.cols, 3);
    EXPECT_EQ(table.header_rows, 1);
    EXPECT_EQ(table.continued, t > 0);
    EXPECT_EQ(Cells(table)[50][0], "item " + std::to_string(50 * t + 49));
  }
  const std::string text = AllText(document);
  EXPECT_EQ(Count(text, "| item 0 |"), 1u);
  EXPECT_EQ(Count(text, "| item 499 | 3493 | 499.50 |"), 1u);
  EXPECT_EQ(Count(text, "| Item | Count | Price |"), 10u);
}

TEST_F(PdfTableTest, NestedTableStaysInsideTheOuterCell) {
  PageDraw page;
  Grid outer;
  outer.widths = {120, 260};
  outer.row_height = 80;
  outer.rows = {{"Outer A", ""}, {"Outer B", "plain"}};
  outer.bold_header = false;
  DrawGrid(outer, &page);
  Grid inner;
  inner.x = 200, inner.y = 220;
  inner.widths = {60, 60};
  inner.rows = {{"in1", "in2"}, {"in3", "in4"}};
  inner.bold_header = false;
  DrawGrid(inner, &page);
  const Document document = Convert({page.str()}, "nested");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0]->table->rows, 2);
  EXPECT_EQ(tables[0]->table->cols, 2);
  EXPECT_EQ(tables[0]->table->cells[1].text, "in1 in2 in3 in4");
}

TEST_F(PdfTableTest, MarkdownAndJsonCarryTheTable) {
  PageDraw page;
  page.Prose(72, 120, kIntro);
  page.Text(72, 190, "Table 1: Throughput");
  Grid grid = SampleGrid();
  grid.rows[2][0] = "be|ta";
  DrawGrid(grid, &page);
  const Document document = Convert({page.str()}, "render");
  const std::string markdown = RenderMarkdown(document);
  EXPECT_NE(markdown.find("*Table 1: Throughput*\n\n| Device | Reads | Writes |\n| --- | --- | --- |\n"
                          "| alpha | 120 | 80 |\n| be\\|ta | 95 | 61 |\n"),
            std::string::npos)
      << markdown;
  const auto json = nlohmann::json::parse(RenderJson(document));
  const auto& blocks = json["pages"][0]["blocks"];
  ASSERT_EQ(blocks.size(), 3u);
  const auto& table = blocks[2]["table"];
  EXPECT_EQ(blocks[2]["type"], "table");
  EXPECT_EQ(table["rows"], 4);
  EXPECT_EQ(table["cols"], 3);
  EXPECT_EQ(table["header_rows"], 1);
  EXPECT_EQ(table["caption"], "Table 1: Throughput");
  EXPECT_EQ(table["cells"].size(), 12u);
  EXPECT_EQ(table["cells"][6]["text"], "be|ta");
  EXPECT_EQ(table["cells"][6]["row_span"], 1);
  EXPECT_EQ(table["rotation"], 0);
  EXPECT_FALSE(blocks[0].contains("table"));
}

TEST_F(PdfTableTest, CodeListingInABoxIsNoTable) {
  PageDraw page;
  page.Prose(72, 100, kIntro);
  page.StrokeRect(66, 140, 420, 100);
  for (int i = 0; i < 6; ++i) {
    const float y = 160 + 14.0f * static_cast<float>(i);
    const std::string n = std::to_string(i + 1);
    page.Mono(72, y, "x" + n + " = compute(" + n + ")").Mono(300, y, "# step " + n);
  }
  const Document document = Convert({page.str()}, "boxed_code");
  EXPECT_TRUE(Tables(document).empty());
  EXPECT_EQ(Count(AllText(document), "# step 4"), 1u);
}

// Helvetica's advance widths at 10 points: digits and '.' are all the
// unruled fixtures right- or decimal-align.
struct UnruledRow {
  std::string name, count, ratio;
};

// A whitespace-aligned table: names left-aligned at x 72, counts
// right-aligned at x 240, ratios decimal-aligned at x 330; a bold header.
void DrawUnruled(const std::vector<UnruledRow>& rows, float top, PageDraw* page) {
  page->Text(72, top, "Device", true).Text(200, top, "Reads", true).Text(300, top, "Ratio", true);
  for (size_t r = 0; r < rows.size(); ++r) {
    const float y = top + 16 * static_cast<float>(r + 1);
    page->Text(72, y, rows[r].name);
    page->Text(240 - NumberWidth(rows[r].count), y, rows[r].count);
    const std::string whole = rows[r].ratio.substr(0, rows[r].ratio.find('.'));
    page->Text(330 - NumberWidth(whole) - 1.39f, y, rows[r].ratio);
  }
}

const std::vector<UnruledRow> kUnruledRows = {
    {"alpha", "120", "3.5"}, {"beta", "95", "12.25"}, {"gamma", "1024", "100.0"}, {"delta", "7", "0.125"}};

TEST_F(PdfTableTest, UnruledAlignedColumnsBecomeATable) {
  PageDraw page;
  page.Prose(72, 120, kIntro);
  DrawUnruled(kUnruledRows, 200, &page);
  page.Prose(72, 320, kOutro);
  const Document document = Convert({page.str()}, "unruled");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  const Table& table = *tables[0]->table;
  const std::vector<std::vector<std::string>> expected = {{"Device", "Reads", "Ratio"},
                                                          {"alpha", "120", "3.5"},
                                                          {"beta", "95", "12.25"},
                                                          {"gamma", "1024", "100.0"},
                                                          {"delta", "7", "0.125"}};
  EXPECT_EQ(Cells(table), expected);
  EXPECT_EQ(table.header_rows, 1);
  // Read between the paragraphs, its text once.
  const auto blocks = pdf_test::AllBlocks(document);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[1]->type, BlockType::kTable);
  EXPECT_EQ(Count(AllText(document), "gamma"), 1u);
  EXPECT_EQ(Count(AllText(document), "12.25"), 1u);
}

TEST_F(PdfTableTest, UnruledTableNeedsThreeRowsAndStaysTextWhenDetectionIsOff) {
  PageDraw two_rows;
  DrawUnruled({kUnruledRows[0]}, 200, &two_rows);
  PageDraw full;
  DrawUnruled(kUnruledRows, 200, &full);
  EXPECT_TRUE(Tables(Convert({two_rows.str()}, "unruled_two_rows")).empty());
  const Document off = Convert({full.str()}, "unruled_off", false);
  EXPECT_TRUE(Tables(off).empty());
  EXPECT_EQ(Count(AllText(off), "gamma"), 1u);
}

// Text laid out in aligned columns that is not a table: each page must give none.
TEST_F(PdfTableTest, AlignedNearMissesAreNoUnruledTable) {
  PageDraw two_columns, contents, code, list, equations, index;
  for (int i = 0; i < 12; ++i) {
    const float y = 100 + 14.0f * static_cast<float>(i);
    const std::string n = std::to_string(i + 1);
    two_columns.Text(72, y, "left column text that runs on for a while");
    two_columns.Text(320, y, "right column text that also runs on a bit");
    contents.Text(72, y, n + " Section title " + n).Text(200, y, ". . . . . . . . . . . . . .");
    contents.Text(500 - NumberWidth(n), y, n);
    code.Mono(72, y, "x" + n + " = compute(" + n + ")").Mono(300, y, "# step " + n);
    index.Text(72, y, "entry" + n + ", " + n).Text(320, y, "term" + n + ", " + n + "0, 2" + n);
  }
  for (int i = 0; i < 5; ++i) {
    const float y = 100 + 14.0f * static_cast<float>(i);
    const std::string n = std::to_string(i + 1);
    list.Text(72, y, n + ".").Text(96, y, "Install package " + n);
    equations.Text(220, y, "y = a x + " + n).Text(500, y, "(" + n + ")");
  }
  const std::vector<std::pair<std::string, const PageDraw*>> pages = {
      {"two_columns", &two_columns}, {"contents", &contents}, {"code", &code}, {"list", &list},
      {"equations", &equations}, {"index", &index}};
  for (const auto& [name, page] : pages) {
    const Document document = Convert({page->str()}, "near_" + name);
    EXPECT_TRUE(Tables(document).empty()) << name;
    EXPECT_FALSE(AllText(document).empty()) << name;
  }
}

// Names in three columns, sorted by surname down each column and on to the
// next, or along each row and on to the next (a manual's contributors): one
// list, no table. The same names out of order, a table of people's names,
// still are one.
TEST_F(PdfTableTest, AlphabeticalListSetInColumnsIsNoUnruledTable) {
  const std::vector<std::string> names = {
      "Ann Abel",    "Bo Baker",   "Cy Carr",     "Di Dunn",   "Ed Evans",   "Flo Ford",   "Gus Gray",
      "Hal Hart",    "Ivy Innes",  "Jo Jones",    "Kay Kerr",  "Lou Lane",   "Max Moore",  "Ned Nash",
      "Olga Owens",  "Pat Price",  "Quin Quick",  "Rob Ross",  "Sam Shaw",   "Tom Tate",   "Uma Upton"};
  auto draw = [](const std::vector<std::string>& cells, bool by_rows = false) {
    PageDraw page;
    page.Prose(72, 120, kIntro);
    for (size_t i = 0; i < cells.size(); ++i) {
      const size_t col = by_rows ? i % 3 : i / 7, row = by_rows ? i / 3 : i % 7;
      page.Text(72 + 168 * static_cast<float>(col), 200 + 14 * static_cast<float>(row), cells[i]);
    }
    return page.str();
  };
  std::vector<std::string> shuffled = names;
  for (size_t i = 0; i < shuffled.size(); i += 3) std::swap(shuffled[i], shuffled[shuffled.size() - 1 - i]);
  const Document list = Convert({draw(names)}, "names_in_columns");
  EXPECT_TRUE(Tables(list).empty());
  EXPECT_EQ(Count(AllText(list), "Olga Owens"), 1u);
  EXPECT_TRUE(Tables(Convert({draw(names, true)}, "names_in_rows")).empty());
  EXPECT_EQ(Tables(Convert({draw(shuffled)}, "names_table")).size(), 1u);
}

TEST_F(PdfTableTest, UnruledTableBesideTheOtherColumnsText) {
  PageDraw page;
  std::vector<std::string> right;
  for (int i = 0; i < 20; ++i) right.push_back("Right column line " + std::to_string(i) + " of text");
  page.Prose(72, 100,
             {"Left column text comes first", "and runs on for a few lines", "before the table",
              "that follows it here."});
  DrawUnruled(kUnruledRows, 170, &page);
  page.Prose(72, 270, {"Left column text after the table", "goes on for a while", "and ends the column."});
  page.Prose(380, 100, right);
  const Document document = Convert({page.str()}, "unruled_beside_text");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  const std::vector<std::vector<std::string>> expected = {{"Device", "Reads", "Ratio"},
                                                          {"alpha", "120", "3.5"},
                                                          {"beta", "95", "12.25"},
                                                          {"gamma", "1024", "100.0"},
                                                          {"delta", "7", "0.125"}};
  EXPECT_EQ(Cells(*tables[0]->table), expected);
  EXPECT_LT(tables[0]->bbox.x1, 380);
  const std::string text = AllText(document);
  EXPECT_EQ(Count(text, "gamma"), 1u);
  EXPECT_EQ(Count(text, "Right column line 7 of text"), 1u);
  EXPECT_EQ(Count(text, "before the table"), 1u);
}

// A landscape page (792 x 612, drawn by a PageDraw of height 612) printed
// sideways on a portrait page: turned a quarter counter-clockwise (its text
// reads upwards, as LaTeX's sidewaystable prints it) or clockwise.
std::string Sideways(const PageDraw& landscape, bool counter_clockwise) {
  const std::string turn = counter_clockwise ? "0 1 -1 0 612 0 cm\n" : "0 -1 1 0 0 792 cm\n";
  return "q " + turn + landscape.str() + "Q\n";
}

constexpr float kLandscapeHeight = 612;

TEST_F(PdfTableTest, SidewaysTablesAreFoundAndCutLikeUprightOnes) {
  PageDraw ruled(kLandscapeHeight), booktabs(kLandscapeHeight), unruled(kLandscapeHeight);
  ruled.Prose(72, 120, kIntro);
  DrawGrid(SampleGrid(), &ruled);
  ruled.Prose(72, 320, kOutro);
  booktabs.Prose(72, 120, kIntro);
  DrawBooktabs(190, &booktabs);
  unruled.Prose(72, 120, kIntro);
  DrawUnruled(kUnruledRows, 200, &unruled);
  unruled.Prose(72, 320, kOutro);
  const std::vector<std::vector<std::string>> unruled_cells = {{"Device", "Reads", "Ratio"},
                                                               {"alpha", "120", "3.5"},
                                                               {"beta", "95", "12.25"},
                                                               {"gamma", "1024", "100.0"},
                                                               {"delta", "7", "0.125"}};
  for (const bool counter_clockwise : {true, false}) {
    SCOPED_TRACE(counter_clockwise ? "counter-clockwise" : "clockwise");
    const Document document =
        Convert({Sideways(ruled, counter_clockwise), Sideways(booktabs, counter_clockwise),
                 Sideways(unruled, counter_clockwise)},
                counter_clockwise ? "sideways_ccw" : "sideways_cw");
    const auto tables = Tables(document);
    ASSERT_EQ(tables.size(), 3u);
    EXPECT_EQ(Cells(*tables[0]->table), SampleGrid().rows);
    EXPECT_EQ(tables[0]->table->header_rows, 1);
    EXPECT_EQ(Cells(*tables[1]->table), kBooktabsCells);
    EXPECT_EQ(tables[1]->table->header_rows, 1);
    EXPECT_EQ(Cells(*tables[2]->table), unruled_cells);
    const auto json = nlohmann::json::parse(RenderJson(document));
    for (const Block* table : tables) {
      // A ccw turn reads upwards: 90 degrees counter-clockwise; cw, 270.
      EXPECT_EQ(table->table->rotation, counter_clockwise ? 90 : 270);
      for (const auto& block : json["pages"][table->page - 1]["blocks"]) {
        if (block["type"] == "table") {
          EXPECT_EQ(block["table"]["rotation"], counter_clockwise ? 90 : 270);
        }
      }
      // Boxes are on the portrait page: the sideways table is taller than wide.
      EXPECT_GT(table->bbox.height(), table->bbox.width());
      EXPECT_GE(table->bbox.x0, 0);
      EXPECT_LE(table->bbox.x1, 612);
      EXPECT_LE(table->bbox.y1, 792);
      for (const TableCell& cell : table->table->cells) {
        EXPECT_TRUE(cell.bbox.x0 >= table->bbox.x0 - 1 && cell.bbox.x1 <= table->bbox.x1 + 1 &&
                    cell.bbox.y0 >= table->bbox.y0 - 1 && cell.bbox.y1 <= table->bbox.y1 + 1)
            << cell.text;
      }
    }
    // The grid's 80-point rows run across the portrait page.
    EXPECT_NEAR(tables[0]->bbox.width(), 80, 1);
    EXPECT_NEAR(tables[0]->bbox.height(), 320, 1);
    // Cell text once, and the prose still there.
    const std::string text = AllText(document);
    EXPECT_EQ(Count(text, "gamma"), 2u);
    EXPECT_EQ(Count(text, "quantised"), 1u);
    EXPECT_EQ(Count(text, "12.25"), 1u);
    EXPECT_EQ(Count(text, "three weeks"), 3u);
  }
}

// The paragraphs around a sideways table read in their order, whichever
// way the page is turned, with their boxes on the portrait page.
TEST_F(PdfTableTest, SidewaysPageReadsItsParagraphsInOrder) {
  PageDraw landscape(kLandscapeHeight);
  landscape.Prose(72, 120, kIntro);
  DrawGrid(SampleGrid(), &landscape);
  landscape.Prose(72, 320, kOutro);
  for (const bool counter_clockwise : {true, false}) {
    SCOPED_TRACE(counter_clockwise ? "counter-clockwise" : "clockwise");
    const Document document = Convert({Sideways(landscape, counter_clockwise)},
                                      counter_clockwise ? "sideways_order_ccw" : "sideways_order_cw");
    const std::string text = AllText(document);
    size_t at = 0;
    for (const char* piece : {"three weeks", "five runs", "| gamma |", "second device", "next section"}) {
      const size_t found = text.find(piece);
      ASSERT_NE(found, std::string::npos) << piece << "\n" << text;
      EXPECT_GE(found, at) << piece << "\n" << text;
      at = found;
    }
    int paragraphs = 0;
    for (const Block* block : pdf_test::AllBlocks(document)) {
      if (block->type != BlockType::kParagraph) continue;
      ++paragraphs;
      EXPECT_GT(block->bbox.height(), block->bbox.width()) << block->text;
      EXPECT_TRUE(block->bbox.x0 >= 0 && block->bbox.x1 <= 612 && block->bbox.y0 >= 0 && block->bbox.y1 <= 792)
          << block->text;
    }
    EXPECT_EQ(paragraphs, 2);
  }
}

TEST_F(PdfTableTest, RotatedPageIsReadUpright) {
  PageDraw landscape(kLandscapeHeight);
  landscape.Prose(72, 120, kIntro);
  DrawGrid(SampleGrid(), &landscape);
  // /Rotate 90 turns the page clockwise for display, so its content is drawn counter-clockwise.
  const Document document = Convert({Sideways(landscape, true)}, "rotated_page", true, 90);
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(Cells(*tables[0]->table), SampleGrid().rows);
  EXPECT_NEAR(tables[0]->bbox.width(), 320, 1);
  EXPECT_NEAR(tables[0]->bbox.x0, 72, 1);
  EXPECT_EQ(tables[0]->table->rotation, 0);  // read as displayed
  EXPECT_EQ(Count(AllText(document), "gamma"), 1u);
}

// A grid whose column heads read upwards, with more characters than its
// upright body: an upright table with the heads as its first row, each piece
// of its text there once.
TEST_F(PdfTableTest, GridWithTurnedHeadsKeepsEveryCellTextOnce) {
  PageDraw page;
  page.Prose(72, 100, kIntro);
  const std::vector<std::string> heads = {"Transmission kind", "Cylinder count", "Forward gears"};
  const float x = 72, top = 150, head = 110, row = 20, col = 60;
  for (int r = 0; r <= 4; ++r) page.HLine(x, x + 3 * col, top + (r == 0 ? 0 : head + row * (r - 1)));
  for (int c = 0; c <= 3; ++c) page.VLine(x + col * c, top, top + head + 3 * row);
  for (int c = 0; c < 3; ++c) {
    page.TurnedText(x + col * c + 34, top + head - 6, heads[c]);
    for (int r = 0; r < 3; ++r) {
      page.Text(x + col * c + 6, top + head + row * r + 14, std::string(1, "abc"[c]) + std::to_string(r));
    }
  }
  const Document document = Convert({page.str()}, "turned_heads");
  const auto tables = Tables(document);
  ASSERT_EQ(tables.size(), 1u);
  const std::vector<std::vector<std::string>> expected = {
      heads, {"a0", "b0", "c0"}, {"a1", "b1", "c1"}, {"a2", "b2", "c2"}};
  EXPECT_EQ(Cells(*tables[0]->table), expected);
  const std::string text = AllText(document);
  for (const char* piece : {"Transmission kind", "Cylinder count", "Forward gears", "a0", "b1", "c2"}) {
    EXPECT_EQ(Count(text, piece), 1u) << piece << "\n" << text;
  }
  EXPECT_EQ(Count(text, "three weeks"), 1u);
}

TEST_F(PdfTableTest, SidewaysProseAndTurnedNearMissesAreNoTable) {
  PageDraw prose(kLandscapeHeight), list(kLandscapeHeight);
  prose.Prose(72, 100, kIntro).Prose(72, 140, kOutro).Prose(72, 180, kIntro);
  for (int i = 0; i < 12; ++i) {
    const float y = 250 + 14.0f * static_cast<float>(i);
    prose.Text(72, y, "left column text that runs on for a while");
    prose.Text(420, y, "right column text that also runs on a bit");
  }
  for (int i = 0; i < 5; ++i) {
    const std::string n = std::to_string(i + 1);
    list.Text(72, 100 + 14.0f * static_cast<float>(i), n + ".")
        .Text(96, 100 + 14.0f * static_cast<float>(i), "Install package " + n);
  }
  for (const bool counter_clockwise : {true, false}) {
    const Document document =
        Convert({Sideways(prose, counter_clockwise), Sideways(list, counter_clockwise)}, "sideways_prose");
    EXPECT_TRUE(Tables(document).empty());
    EXPECT_EQ(Count(AllText(document), "three weeks"), 2u);
  }
}

}  // namespace
}  // namespace docpipe
