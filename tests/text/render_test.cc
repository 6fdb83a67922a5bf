#include "docpipe/render.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "chunk_test_util.h"
#include "docpipe/document.h"

namespace docpipe {
namespace {

using test_docs::Heading;
using test_docs::Paragraph;

Block MakeBlock(BlockType type, std::string text, int level = 0, bool ordered = false) {
  Block block;
  block.type = type;
  block.text = std::move(text);
  block.level = level;
  block.ordered = ordered;
  return block;
}

Block Item(std::string text, int level, bool ordered) {
  return MakeBlock(BlockType::kListItem, std::move(text), level, ordered);
}

Document OnePage(std::vector<Block> blocks) {
  Document document;
  Page page;
  page.number = 1;
  page.blocks = std::move(blocks);
  document.pages.push_back(std::move(page));
  return document;
}

TEST(RenderMarkdownTest, HeadingsParagraphsAndLists) {
  const Document document = OnePage({
      Heading("Title", 1),
      Paragraph("First paragraph."),
      Heading("Steps", 2),
      Item("one", 0, true),
      Item("two", 0, true),
      Item("detail", 1, false),
      Item("more", 1, false),
      Item("three", 0, true),
      Paragraph("Between lists."),
      Item("again", 0, true),
      Item("bullet", 0, false),
      MakeBlock(BlockType::kTable, "a | b\nc | d"),
      MakeBlock(BlockType::kCaption, "Table 1: values"),
  });
  EXPECT_EQ(RenderMarkdown(document),
            "# Title\n\n"
            "First paragraph.\n\n"
            "## Steps\n\n"
            "1. one\n"
            "2. two\n"
            "   - detail\n"
            "   - more\n"
            "3. three\n\n"
            "Between lists.\n\n"
            "1. again\n"
            "- bullet\n\n"
            "a | b\nc | d\n\n"
            "*Table 1: values*\n");
}

TEST(RenderMarkdownTest, NestedNumberingRestartsAndDepthIsClamped) {
  const Document document = OnePage({
      Item("deep first", 3, false),  // no parent: rendering it deeper would make a code block
      Item("child", 1, true),
      Item("child two", 1, true),
      Item("top", 0, false),
      Item("new child", 1, true),
  });
  EXPECT_EQ(RenderMarkdown(document),
            "- deep first\n"
            "  1. child\n"
            "  2. child two\n"
            "- top\n"
            "  1. new child\n");
}

TEST(RenderMarkdownTest, EscapesLineStartsThatWouldChangeMeaning) {
  const Document document = OnePage({
      Paragraph("# not a heading"),
      Paragraph("1. not a list"),
      Paragraph("2) nor this"),
      Paragraph("- nor this\n+ nor this\n> nor a quote"),
      Paragraph("Line\n---"),
      Paragraph("Line\n==="),
      Paragraph("```\ncode?"),
      Paragraph("<div>html?</div>"),
      Paragraph("[1]: http://example.com"),
      Paragraph("3.14 is fine, -5 is fine, *emphasis* is fine, 2020. is fine"),
      Heading("C# and F#", 2),
      Heading("Issue #", 3),
      Heading("###", 4),
      Item("# inside an item\nsecond line", 0, false),
  });
  EXPECT_EQ(RenderMarkdown(document),
            "\\# not a heading\n\n"
            "1\\. not a list\n\n"
            "2\\) nor this\n\n"
            "\\- nor this\\\n\\+ nor this\\\n\\> nor a quote\n\n"
            "Line\\\n\\---\n\n"
            "Line\\\n\\===\n\n"
            "\\```\\\ncode?\n\n"
            "\\<div>html?</div>\n\n"
            "\\[1]: http://example.com\n\n"
            "3.14 is fine, -5 is fine, *emphasis* is fine, 2020. is fine\n\n"
            "## C# and F#\n\n"
            "### Issue \\#\n\n"
            "#### \\###\n\n"
            "- \\# inside an item\\\n  second line\n");
}

TEST(RenderMarkdownTest, PagesNeedingOcrAndFailedPagesLeaveComments) {
  Document document = OnePage({Paragraph("Page one text.")});
  Page scanned;
  scanned.number = 2;
  scanned.needs_ocr = true;
  document.pages.push_back(scanned);
  Page failed;
  failed.number = 3;
  failed.error = "timeout: took --> too long";
  document.pages.push_back(failed);
  Page empty;
  empty.number = 4;
  document.pages.push_back(empty);
  EXPECT_EQ(RenderMarkdown(document),
            "Page one text.\n\n"
            "<!-- page 2: needs OCR -->\n\n"
            "<!-- page 3: failed: timeout: took - - > too long -->\n");
}

TEST(RenderMarkdownTest, EmptyDocumentIsEmpty) {
  EXPECT_EQ(RenderMarkdown(Document{}), "");
  EXPECT_EQ(RenderMarkdown(OnePage({Paragraph("  \n ")})), "");
}

TEST(RenderTextTest, DocumentTextAndNewline) {
  Document document = OnePage({Heading("Title", 1), Paragraph("Body.")});
  Page second;
  second.number = 2;
  second.blocks.push_back(Paragraph("More."));
  document.pages.push_back(second);
  EXPECT_EQ(RenderText(document), "Title\n\nBody.\n\nMore.\n");
}

Document RichDocument() {
  Document document;
  document.path = "in/report.pdf";
  document.metadata = {"Report", "Ada", "TeX", "LaTeX", "2024-03-05", "2024-03-06T10:00:00Z", 2};
  document.kind = DocumentKind::kMixed;
  Page page;
  page.number = 1;
  page.width = 612;
  page.height = 792;
  Block heading = Heading("Intro", 1);
  heading.page = 1;
  heading.bbox = {72, 90.5f, 300, 110.25f};
  page.blocks.push_back(heading);
  Block item = Item("caf\xC3\xA9 \"quoted\"", 2, true);
  item.page = 1;
  item.heading_path = {"Intro"};
  item.source = TextSource::kOcr;
  item.confidence = 0.9f;
  page.blocks.push_back(item);
  document.pages.push_back(page);
  Page scanned;
  scanned.number = 2;
  scanned.kind = PageKind::kScanned;
  scanned.needs_ocr = true;
  scanned.error = "ocr: failed";
  scanned.ocr_confidence = 0.25f;
  document.pages.push_back(scanned);
  return document;
}

TEST(RenderJsonTest, GoldenShape) {
  Document document = RichDocument();
  document.pages.resize(1);
  document.pages[0].blocks.resize(1);
  document.pages[0].ocr_counts.words_dropped = 1;
  document.pages[0].low_confidence_words = {OcrWord{"l1ke", {10, 20, 30, 32.5f}, 0.25f}};
  EXPECT_EQ(RenderJson(document), R"({
  "path": "in/report.pdf",
  "metadata": {
    "title": "Report",
    "author": "Ada",
    "producer": "TeX",
    "creator": "LaTeX",
    "created": "2024-03-05",
    "modified": "2024-03-06T10:00:00Z",
    "page_count": 2
  },
  "kind": "mixed",
  "pages": [
    {
      "number": 1,
      "width": 612.0,
      "height": 792.0,
      "kind": "digital",
      "needs_ocr": false,
      "error": "",
      "ocr_confidence": -1.0,
      "ocr_unread_script": "",
      "ocr_counts": {
        "pictures_read": 0,
        "pictures_small": 0,
        "pictures_not_text": 0,
        "pictures_other_script": 0,
        "words_dropped": 1
      },
      "ocr_low_confidence_words": [
        {
          "text": "l1ke",
          "bbox": [
            10.0,
            20.0,
            30.0,
            32.5
          ],
          "confidence": 0.25
        }
      ],
      "blocks": [
        {
          "type": "heading",
          "text": "Intro",
          "level": 1,
          "ordered": false,
          "page": 1,
          "bbox": [
            72.0,
            90.5,
            300.0,
            110.25
          ],
          "heading_path": [],
          "source": "digital",
          "confidence": 1.0
        }
      ]
    }
  ]
}
)");
}

TEST(RenderJsonTest, ParsesAndRoundTripsFields) {
  const Document document = RichDocument();
  const nlohmann::json json = nlohmann::json::parse(RenderJson(document));
  EXPECT_EQ(json["path"], document.path);
  EXPECT_EQ(json["metadata"]["title"], "Report");
  EXPECT_EQ(json["metadata"]["page_count"], 2);
  EXPECT_EQ(json["metadata"]["created"], "2024-03-05");
  EXPECT_EQ(json["metadata"]["modified"], "2024-03-06T10:00:00Z");
  EXPECT_EQ(json["kind"], "mixed");
  ASSERT_EQ(json["pages"].size(), 2u);
  const nlohmann::json& block = json["pages"][0]["blocks"][1];
  const Block& original = document.pages[0].blocks[1];
  EXPECT_EQ(block["type"], "list_item");
  EXPECT_EQ(block["text"].get<std::string>(), original.text);
  EXPECT_EQ(block["level"], 2);
  EXPECT_EQ(block["ordered"], true);
  EXPECT_EQ(block["heading_path"], nlohmann::json::array({"Intro"}));
  EXPECT_EQ(block["source"], "ocr");
  EXPECT_EQ(block["confidence"].get<float>(), 0.9f);
  const nlohmann::json& bbox = json["pages"][0]["blocks"][0]["bbox"];
  EXPECT_EQ(bbox[1].get<float>(), 90.5f);
  EXPECT_EQ(bbox[3].get<float>(), 110.25f);
  const nlohmann::json& scanned = json["pages"][1];
  EXPECT_EQ(scanned["kind"], "scanned");
  EXPECT_EQ(scanned["needs_ocr"], true);
  EXPECT_EQ(scanned["error"], "ocr: failed");
  EXPECT_EQ(scanned["ocr_confidence"].get<float>(), 0.25f);
  EXPECT_TRUE(scanned["blocks"].empty());
}

TEST(RenderJsonTest, InvalidUtf8IsReplacedNotThrown) {
  const Document document = OnePage({Paragraph("bad \xFF byte")});
  const nlohmann::json json = nlohmann::json::parse(RenderJson(document));
  EXPECT_EQ(json["pages"][0]["blocks"][0]["text"], "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace docpipe
