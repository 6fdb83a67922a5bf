// Golden tables: a few generated fixtures (ruled, booktabs, unruled, spans,
// a table continued on the next page, cells of several lines in a frame),
// converted, and their Markdown and JSON table blocks compared with the
// files checked in under tests/pdf/golden/tables. A change to table output
// shows there as a diff to review.
//
// To regenerate them deliberately (after a change that is meant to alter the
// output), run the test with DOCPIPE_UPDATE_GOLDEN=1, which writes the files
// instead of comparing, then read `git diff tests/pdf/golden`:
//   DOCPIPE_UPDATE_GOLDEN=1 build/tests/pdf/docpipe_pdf_tests --gtest_filter='*TableGolden*'
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "docpipe/pdf.h"
#include "docpipe/render.h"
#include "page_draw.h"
#include "pdf_test_support.h"

namespace docpipe {
namespace {

using pdf_test::Grid;
using pdf_test::ItemGrid;
using pdf_test::NumberWidth;
using pdf_test::PageDraw;

const std::vector<std::string> kBefore = {"The figures below were measured on one machine in the spring.",
                                          "Each is the mean of five runs."};
const std::vector<std::string> kAfter = {"The second device was the slower one on every workload."};

std::vector<std::string> Ruled() {
  PageDraw page;
  page.Prose(72, 120, kBefore);
  page.Text(72, 186, "Table 1: Reads and writes per device");
  Grid grid;
  grid.rows = {{"Device", "Reads", "Writes"}, {"alpha", "120", "80"}, {"be|ta", "95", "61"}, {"gamma", "", "40"}};
  DrawGrid(grid, &page);
  page.Prose(72, 300, kAfter);
  return {page.str()};
}

std::vector<std::string> Booktabs() {
  PageDraw page;
  page.Prose(72, 120, kBefore);
  const float x0 = 150, x1 = 450, top = 190;
  page.FillRect(x0, top, x1 - x0, 0.8f);
  page.Text(160, top + 15, "Method", true).Text(280, top + 15, "Recall", true).Text(390, top + 15, "Time (s)", true);
  page.FillRect(x0, top + 20, x1 - x0, 0.5f);
  page.Text(160, top + 35, "exact search").Text(280, top + 35, "0.991").Text(390, top + 35, "12.5");
  page.Text(160, top + 49, "graph").Text(280, top + 49, "0.953").Text(390, top + 49, "1.2");
  page.Text(160, top + 63, "quantised").Text(280, top + 63, "0.902").Text(396, top + 63, "0.4");
  page.FillRect(x0, top + 69, x1 - x0, 0.8f);
  page.Text(150, top + 86, "Table 2. Recall and time of three searches");
  page.Prose(72, 300, kAfter);
  return {page.str()};
}

// Helvetica's advance width of digits and '.' at 10 points.
std::vector<std::string> Unruled() {
  PageDraw page;
  page.Prose(72, 120, kBefore);
  page.Text(72, 200, "Device", true).Text(200, 200, "Reads", true).Text(300, 200, "Ratio", true);
  const std::vector<std::vector<std::string>> rows = {
      {"alpha", "120", "3.5"}, {"beta", "95", "12.25"}, {"gamma", "1024", "100.0"}, {"delta", "7", "0.125"}};
  for (size_t r = 0; r < rows.size(); ++r) {
    const float y = 216 + 16 * static_cast<float>(r);
    page.Text(72, y, rows[r][0]);
    page.Text(240 - NumberWidth(rows[r][1]), y, rows[r][1]);  // right-aligned
    const std::string whole = rows[r][2].substr(0, rows[r][2].find('.'));
    page.Text(330 - NumberWidth(whole) - 1.39f, y, rows[r][2]);  // on the decimal point
  }
  page.Prose(72, 320, kAfter);
  return {page.str()};
}

// "Name" spans two rows (no ruling under it), "Group" two columns.
std::vector<std::string> Spans() {
  PageDraw page;
  const float x = 72, y = 200, h = 20;
  page.HLine(x, 392, y).HLine(192, 392, y + h).HLine(x, 392, y + 2 * h).HLine(x, 392, y + 3 * h);
  page.VLine(72, y, y + 3 * h).VLine(192, y, y + 3 * h).VLine(392, y, y + 3 * h).VLine(292, y + h, y + 3 * h);
  page.Text(76, y + 24, "Name", true).Text(196, y + 14, "Group", true);
  page.Text(196, y + 34, "left", true).Text(296, y + 34, "right", true);
  page.Text(76, y + 54, "first").Text(196, y + 54, "1").Text(296, y + 54, "2");
  return {page.str()};
}

// A table that runs to the bottom of page 1 and on at the top of page 2,
// its header row repeated (not bold) there.
std::vector<std::string> Continued() {
  const Grid first = ItemGrid(640, 0, 5, "1.00");
  Grid second = ItemGrid(72, 5, 9, "2.50");
  second.bold_header = false;
  PageDraw one, two;
  one.Prose(72, 100, kBefore);
  DrawGrid(first, &one);
  DrawGrid(second, &two);
  two.Prose(72, 200, kAfter);
  return {one.str(), two.str()};
}

// A frame with a rule under every row and cells of one to three lines.
std::vector<std::string> WrappedCells() {
  const std::vector<std::vector<std::vector<std::string>>> rows = {
      {{"Option"}, {"Default"}, {"Meaning"}},
      {{"width"}, {"80"}, {"Line width in", "characters"}},
      {{"height"}, {"24"}, {"Lines per page"}},
      {{"wrap"}, {"on"}, {"Long lines wrap", "at the right", "margin"}},
  };
  const float x0 = 72, x1 = 402, top = 200;
  const float cols[] = {72, 172, 242};
  PageDraw page;
  float y = top;
  page.HLine(x0, x1, y);
  for (size_t r = 0; r < rows.size(); ++r) {
    size_t lines = 1;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      lines = std::max(lines, rows[r][c].size());
      for (size_t l = 0; l < rows[r][c].size(); ++l) {
        page.Text(cols[c] + 4, y + 13 + 12 * static_cast<float>(l), rows[r][c][l], r == 0);
      }
    }
    y += 12 * static_cast<float>(lines) + 8;
    page.HLine(x0, x1, y);
  }
  page.VLine(x0, top, y).VLine(x1, top, y);
  return {page.str()};
}

struct GoldenCase {
  std::string name;
  std::vector<std::string> (*draw)();
};

const std::vector<GoldenCase> kCases = {{"ruled", Ruled},   {"booktabs", Booktabs},   {"unruled", Unruled},
                                        {"spans", Spans},   {"continued", Continued}, {"wrapped_cells", WrappedCells}};

// The table blocks of the document's JSON, as the renderer writes them.
std::string TableBlocksJson(const Document& document) {
  const nlohmann::json json = nlohmann::json::parse(RenderJson(document));
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& page : json["pages"]) {
    for (const auto& block : page["blocks"]) {
      if (block["type"] == "table") tables.push_back(block);
    }
  }
  return tables.dump(2) + "\n";
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TableGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(TableGoldenTest, MarkdownAndJsonMatchTheCheckedInFiles) {
  const GoldenCase& golden = GetParam();
  const std::string pdf =
      pdf_test::WritePdf(pdf_test::ScratchDir("table_golden") + "/" + golden.name + ".pdf", golden.draw());
  auto engine = PdfEngine::Make();
  ASSERT_TRUE(engine.ok());
  auto worker = PdfWorker::Make(*engine);
  ASSERT_TRUE(worker.ok());
  auto document = (*worker)->Convert(pdf, PdfOptions{});
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  const std::string base = std::string(DOCPIPE_SOURCE_DIR) + "/tests/pdf/golden/tables/" + golden.name;
  const std::string markdown = RenderMarkdown(*document);
  const std::string json = TableBlocksJson(*document);
  const char* update = std::getenv("DOCPIPE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(base + ".md", std::ios::binary) << markdown;
    std::ofstream(base + ".json", std::ios::binary) << json;
    std::printf("wrote %s.md and .json\n", base.c_str());
  }
  EXPECT_EQ(markdown, ReadText(base + ".md")) << "Markdown of " << golden.name << " differs from its golden file";
  EXPECT_EQ(json, ReadText(base + ".json")) << "JSON of " << golden.name << " differs from its golden file";
}

INSTANTIATE_TEST_SUITE_P(Tables, TableGoldenTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) { return info.param.name; });

}  // namespace
}  // namespace docpipe
