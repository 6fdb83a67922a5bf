#include "docpipe/text_document.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "docpipe/render.h"

namespace docpipe {
namespace {

namespace fs = std::filesystem;

class TextDocumentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(DOCPIPE_TEST_TMP_DIR) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  std::string Write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  const std::vector<Block>& Blocks(const Document& document) { return document.pages.at(0).blocks; }

  fs::path dir_;
};

TEST_F(TextDocumentTest, PlainTextParagraphsSplitOnBlankLines) {
  const std::string path =
      Write("notes.txt",
            "\xEF\xBB\xBF"
            "First line\r\nsame paragraph  \r\n\r\n\n# not a heading\n  \n- nor a list\n");
  const Result<Document> document = ParseTextFile(path);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  EXPECT_EQ(document->path, path);
  EXPECT_EQ(document->kind, DocumentKind::kText);
  EXPECT_EQ(document->metadata.page_count, 1);
  ASSERT_EQ(document->pages.size(), 1u);
  EXPECT_EQ(document->pages[0].number, 1);
  const std::vector<Block>& blocks = Blocks(*document);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].text, "First line\nsame paragraph");
  EXPECT_EQ(blocks[1].text, "# not a heading");
  EXPECT_EQ(blocks[2].text, "- nor a list");
  for (const Block& block : blocks) {
    EXPECT_EQ(block.type, BlockType::kParagraph);
    EXPECT_EQ(block.page, 1);
    EXPECT_TRUE(block.heading_path.empty());
  }
  EXPECT_EQ(DocumentText(*document), "First line\nsame paragraph\n\n# not a heading\n\n- nor a list");
}

TEST_F(TextDocumentTest, MarkdownHeadingsListsAndPaths) {
  const std::string path = Write("guide.MD",
                                 "# Guide #\n"
                                 "Intro text\n"
                                 "continues here.\n"
                                 "\n"
                                 "## Install\n"
                                 "- one\n"
                                 "- two\n"
                                 "  - nested\n"
                                 "    lazy continuation\n"
                                 "1. first\n"
                                 "2) second\n"
                                 "\n"
                                 "### Details\n"
                                 "#hashtag is text\n"
                                 "## Usage\n"
                                 "Run it.\n");
  const Result<Document> document = ParseTextFile(path);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  EXPECT_EQ(document->metadata.title, "Guide");
  const std::vector<Block>& b = Blocks(*document);
  ASSERT_EQ(b.size(), 12u);
  EXPECT_EQ(b[0].type, BlockType::kHeading);
  EXPECT_EQ(b[0].level, 1);
  EXPECT_EQ(b[0].text, "Guide");
  EXPECT_EQ(b[1].type, BlockType::kParagraph);
  EXPECT_EQ(b[1].text, "Intro text continues here.");
  EXPECT_EQ(b[1].heading_path, (std::vector<std::string>{"Guide"}));
  EXPECT_EQ(b[2].text, "Install");
  EXPECT_EQ(b[2].level, 2);
  EXPECT_EQ(b[2].heading_path, (std::vector<std::string>{"Guide"}));
  EXPECT_EQ(b[3].type, BlockType::kListItem);
  EXPECT_EQ(b[3].text, "one");
  EXPECT_EQ(b[3].level, 0);
  EXPECT_FALSE(b[3].ordered);
  EXPECT_EQ(b[3].heading_path, (std::vector<std::string>{"Guide", "Install"}));
  EXPECT_EQ(b[5].text, "nested lazy continuation");
  EXPECT_EQ(b[5].level, 1);
  EXPECT_EQ(b[6].text, "first");
  EXPECT_TRUE(b[6].ordered);
  EXPECT_EQ(b[6].level, 0);
  EXPECT_EQ(b[7].text, "second");
  EXPECT_EQ(b[8].text, "Details");
  EXPECT_EQ(b[8].level, 3);
  EXPECT_EQ(b[9].text, "#hashtag is text");
  EXPECT_EQ(b[9].heading_path, (std::vector<std::string>{"Guide", "Install", "Details"}));
  EXPECT_EQ(b[10].text, "Usage");
  EXPECT_EQ(b[10].heading_path, (std::vector<std::string>{"Guide"}));
  EXPECT_EQ(b[11].text, "Run it.");
  EXPECT_EQ(b[11].heading_path, (std::vector<std::string>{"Guide", "Usage"}));
}

TEST_F(TextDocumentTest, MarkdownFencesTablesQuotesSetextAndFrontMatter) {
  const std::string path = Write("doc.markdown",
                                 "---\n"
                                 "title: \"Front Title\"\n"
                                 "---\n"
                                 "Setext Title\n"
                                 "============\n"
                                 "```cpp\n"
                                 "# not a heading\n"
                                 "int x = 1;\n"
                                 "```\n"
                                 "| a | b |\n"
                                 "|---|---|\n"
                                 "| 1 | 2 |\n"
                                 "\n"
                                 "> quoted\n"
                                 "> text\n"
                                 "\n"
                                 "***\n"
                                 "Sub\n"
                                 "---\n");
  const Result<Document> document = ParseTextFile(path);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  EXPECT_EQ(document->metadata.title, "Front Title");
  const std::vector<Block>& b = Blocks(*document);
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(b[0].type, BlockType::kHeading);
  EXPECT_EQ(b[0].text, "Setext Title");
  EXPECT_EQ(b[0].level, 1);
  EXPECT_EQ(b[1].type, BlockType::kCode);  // a fence is code
  EXPECT_EQ(b[1].text, "# not a heading\nint x = 1;");
  EXPECT_EQ(b[2].type, BlockType::kTable);
  EXPECT_EQ(b[2].text, "| a | b |\n|---|---|\n| 1 | 2 |");
  EXPECT_EQ(b[3].text, "quoted text");
  EXPECT_EQ(b[4].type, BlockType::kHeading);
  EXPECT_EQ(b[4].text, "Sub");
  EXPECT_EQ(b[4].level, 2);
  EXPECT_EQ(b[4].heading_path, (std::vector<std::string>{"Setext Title"}));
}

TEST_F(TextDocumentTest, InvalidUtf8IsRepairedAndTextIsNfc) {
  // An invalid byte, a lone continuation byte, and "e" + combining acute (NFC: é).
  const std::string path = Write("bad.txt", "caf\xFF \x80ok e\xCC\x81t\xC3\xA9\n");
  const Result<Document> document = ParseTextFile(path);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(Blocks(*document).size(), 1u);
  EXPECT_EQ(Blocks(*document)[0].text, "caf\xEF\xBF\xBD \xEF\xBF\xBDok \xC3\xA9t\xC3\xA9");
}

TEST_F(TextDocumentTest, EmptyFileIsAnEmptyPage) {
  const Result<Document> document = ParseTextFile(Write("empty.md", "\n\n  \n"));
  ASSERT_TRUE(document.ok());
  ASSERT_EQ(document->pages.size(), 1u);
  EXPECT_TRUE(document->pages[0].blocks.empty());
  EXPECT_EQ(document->pages[0].kind, PageKind::kEmpty);
}

TEST_F(TextDocumentTest, MissingFileIsAnIoError) {
  const Result<Document> document = ParseTextFile((dir_ / "missing.txt").string());
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().code(), StatusCode::kIoError);
  EXPECT_NE(document.status().message().find("missing.txt"), std::string::npos);
}

TEST_F(TextDocumentTest, DirectoryIsAnInvalidArgument) {
  fs::create_directories(dir_ / "folder.md");
  const Result<Document> document = ParseTextFile((dir_ / "folder.md").string());
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().code(), StatusCode::kInvalidArgument);
}

TEST(TextFilePathTest, KnowsTextExtensions) {
  EXPECT_TRUE(IsTextFilePath("a/b.txt"));
  EXPECT_TRUE(IsTextFilePath("README.MD"));
  EXPECT_TRUE(IsTextFilePath("x.markdown"));
  EXPECT_FALSE(IsTextFilePath("paper.pdf"));
  EXPECT_FALSE(IsTextFilePath("md"));
}

}  // namespace
}  // namespace docpipe

namespace docpipe {
namespace {

// What RenderMarkdown writes, ParseTextFile reads back as the same blocks.
TEST_F(TextDocumentTest, RenderedMarkdownReadsBackAsTheSameBlocks) {
  const auto make = [](BlockType type, std::string text, int level = 0, bool ordered = false) {
    Block block;
    block.type = type;
    block.text = std::move(text);
    block.level = level;
    block.ordered = ordered;
    return block;
  };
  Document original;
  Page page;
  page.number = 1;
  page.blocks = {
      make(BlockType::kHeading, "Title", 1),
      make(BlockType::kParagraph, "# not a heading"),
      make(BlockType::kParagraph, "1. not a list"),
      make(BlockType::kParagraph, "- nor this"),
      make(BlockType::kParagraph, "> nor a quote"),
      make(BlockType::kParagraph, "***"),
      make(BlockType::kParagraph, "```"),
      make(BlockType::kHeading, "Issue #", 3),
      make(BlockType::kHeading, "C# notes", 2),
      make(BlockType::kListItem, "first", 0, true),
      make(BlockType::kListItem, "second", 0, true),
      make(BlockType::kListItem, "# nested", 1, false),
      make(BlockType::kListItem, "10. deeper", 2, true),
      make(BlockType::kListItem, "back", 0, true),
      make(BlockType::kParagraph, "Plain \\ backslash and *stars*."),
      make(BlockType::kCode, "def area(r):\n    return 3 * r  # ```"),
      make(BlockType::kParagraph, "Ada Lovelace\n12 Harbour Road\nends in C:\\"),
      make(BlockType::kParagraph, "C:\\\nnext line"),
      make(BlockType::kHeading, "Six", 6),
  };
  original.pages.push_back(page);
  const std::string path = Write("round.md", RenderMarkdown(original));
  const Result<Document> parsed = ParseTextFile(path);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const std::vector<Block>& got = Blocks(*parsed);
  ASSERT_EQ(got.size(), page.blocks.size()) << RenderMarkdown(original);
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("block " + std::to_string(i));
    EXPECT_EQ(got[i].type, page.blocks[i].type);
    EXPECT_EQ(got[i].text, page.blocks[i].text);
    EXPECT_EQ(got[i].level, page.blocks[i].level);
    EXPECT_EQ(got[i].ordered, page.blocks[i].ordered);
  }
}

}  // namespace
}  // namespace docpipe
