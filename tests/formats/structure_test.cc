// HTML, EPUB and DOCX fixtures of one document model against their truth:
// headings with levels, nested lists, the table with spans, code, captions,
// metadata, boilerplate left out, word recall, and golden Markdown.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "docpipe/render.h"
#include "format_test_util.h"

namespace docpipe {
namespace {

using formats_test::BlocksOf;
using formats_test::Convert;
using formats_test::Fixture;
using formats_test::Truth;

class StructureTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    Result<Document> converted = Convert(Fixture(GetParam()));
    ASSERT_TRUE(converted.ok()) << converted.status().ToString();
    document_ = std::move(converted).value();
    truth_ = Truth(GetParam());
  }
  Document document_;
  nlohmann::json truth_;
};

TEST_P(StructureTest, HeadingsHaveTheirLevels) {
  std::vector<std::pair<int, std::string>> expected, found;
  for (const auto& block : truth_["blocks"]) {
    if (block["type"] == "heading") expected.emplace_back(block["level"], block["text"]);
  }
  for (const Block* block : BlocksOf(document_, BlockType::kHeading)) found.emplace_back(block->level, block->text);
  EXPECT_EQ(found, expected);
}

TEST_P(StructureTest, ListsKeepNestingAndNumbering) {
  std::vector<std::tuple<int, bool, std::string>> expected, found;
  for (const auto& block : truth_["blocks"]) {
    if (block["type"] == "list_item") expected.emplace_back(block["level"], block["ordered"], block["text"]);
  }
  for (const Block* block : BlocksOf(document_, BlockType::kListItem)) {
    found.emplace_back(block->level, block->ordered, block->text);
  }
  EXPECT_EQ(found, expected);
}

TEST_P(StructureTest, TableCellsAndSpansAreExact) {
  std::vector<const Block*> tables = BlocksOf(document_, BlockType::kTable);
  ASSERT_EQ(tables.size(), 1u);
  ASSERT_NE(tables[0]->table, nullptr);
  const Table& table = *tables[0]->table;
  EXPECT_EQ(table.rows, 4);
  EXPECT_EQ(table.cols, 3);
  EXPECT_EQ(table.header_rows, 1);
  std::vector<std::string> expected, found;
  for (const auto& block : truth_["blocks"]) {
    if (block["type"] != "table") continue;
    for (const auto& row : block["rows"]) {
      for (const auto& cell : row) expected.push_back(cell);
    }
  }
  for (const TableCell& cell : table.cells) found.push_back(cell.text);
  EXPECT_EQ(found, expected);
  for (const TableCell& cell : table.cells) {
    if (cell.text == "Gear") {
      EXPECT_EQ(cell.row_span, 2);
    }
    if (cell.text == "Spring assembly complete") {
      EXPECT_EQ(cell.col_span, 2);
    }
  }
  EXPECT_EQ(tables[0]->text, RenderTableMarkdown(table));
}

TEST_P(StructureTest, CodeKeepsLineBreaksAndCaptionsAreCaptions) {
  const Block* code = nullptr;
  for (const Page& page : document_.pages) {
    for (const Block& block : page.blocks) {
      if (block.text.find("widget --assemble\n") == 0) code = &block;
    }
  }
  ASSERT_NE(code, nullptr) << RenderMarkdown(document_);
  if (GetParam() == "manual.docx") {
    // A plain paragraph with <w:br/>s: its line breaks, as Markdown hard breaks.
    EXPECT_EQ(code->type, BlockType::kParagraph);
    EXPECT_NE(RenderMarkdown(document_).find("widget --assemble\\\n--gears 4\\\n--verbose"), std::string::npos);
  } else {
    // <pre>: code, indentation kept, fenced in Markdown.
    EXPECT_EQ(code->type, BlockType::kCode);
    EXPECT_EQ(code->text, "widget --assemble\n  --gears 4\n  --verbose");
    EXPECT_NE(RenderMarkdown(document_).find("```\nwidget --assemble\n  --gears 4\n  --verbose\n```"),
              std::string::npos);
  }
  std::vector<const Block*> captions = BlocksOf(document_, BlockType::kCaption);
  ASSERT_EQ(captions.size(), 1u);
  EXPECT_EQ(captions[0]->text, "Figure 1: the finished widget on its bench");
}

TEST_P(StructureTest, MetadataAndHeadingPaths) {
  EXPECT_EQ(document_.metadata.title, truth_["title"]);
  EXPECT_EQ(document_.metadata.created, truth_["created"]);  // core properties, the package, <meta>
  EXPECT_EQ(document_.metadata.modified, truth_["modified"]);
  if (!truth_["author"].get<std::string>().empty()) {
    EXPECT_EQ(document_.metadata.author, truth_["author"]);
  }
  for (const Block* block : BlocksOf(document_, BlockType::kTable)) {
    EXPECT_EQ(block->heading_path, (std::vector<std::string>{"Installing the widget", "Parts table"}));
  }
}

TEST_P(StructureTest, BoilerplateIsLeftOutAndWordsAreAllThere) {
  const std::string text = DocumentText(document_);
  for (const auto& word : truth_["absent"]) {
    EXPECT_EQ(text.find(word.get<std::string>()), std::string::npos) << word;
  }
  EXPECT_GE(formats_test::WordRecall(formats_test::TruthText(truth_), text), 0.99) << text;
}

TEST_P(StructureTest, MarkdownMatchesTheGolden) {
  const std::string golden_path = std::string(DOCPIPE_FORMATS_GOLDEN_DIR) + "/" + GetParam() + ".md";
  std::ifstream in(golden_path);
  ASSERT_TRUE(in) << "missing " << golden_path;
  std::stringstream golden;
  golden << in.rdbuf();
  EXPECT_EQ(RenderMarkdown(document_), golden.str());
}

INSTANTIATE_TEST_SUITE_P(Formats, StructureTest, ::testing::Values("manual.html", "manual.epub", "manual.docx"),
                         [](const auto& info) { return info.param.substr(info.param.find('.') + 1); });

TEST(EpubTest, SpineDocumentsArePagesInOrder) {
  Result<Document> document = Convert(Fixture("manual.epub"));
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->pages.size(), 2u);
  EXPECT_EQ(document->pages[0].blocks.front().text, "Installing the widget");
  EXPECT_EQ(document->pages[1].blocks.front().text, "Parts table");
  EXPECT_EQ(document->pages[1].blocks.front().page, 2);
}

TEST(DocxTest, FootnotesHyperlinksAndPageFurniture) {
  Result<Document> document = Convert(Fixture("manual.docx"));
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  const std::string text = DocumentText(*document);
  EXPECT_NE(text.find("The widget turns gears into motion."), std::string::npos);  // partly hyperlink text
  EXPECT_NE(text.find("Replace worn gears promptly. [1]"), std::string::npos) << text;
  const Page& page = document->pages.back();
  ASSERT_FALSE(page.blocks.empty());
  EXPECT_EQ(page.blocks.back().text, "[1] Use light machine oil only.");  // the footnote, after the body
  EXPECT_EQ(text.find("running head"), std::string::npos);
  EXPECT_EQ(text.find("page footer"), std::string::npos);
}

}  // namespace
}  // namespace docpipe
