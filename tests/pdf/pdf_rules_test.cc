// The structurer's rules on hand-made lines: list markers, hyphenation,
// header keys, columns and bands.
#include <gtest/gtest.h>

#include "pdf/page_furniture.h"
#include "pdf/reading_order.h"
#include "pdf/text_rules.h"

namespace docpipe::pdf {
namespace {

TEST(PdfListMarkerTest, BulletsAndNumbers) {
  EXPECT_TRUE(ParseListMarker("\xE2\x80\xA2 item").found);
  EXPECT_FALSE(ParseListMarker("\xE2\x80\xA2 item").ordered);
  EXPECT_EQ(ParseListMarker("- item").length, 2u);
  EXPECT_EQ(ParseListMarker("\xE2\x80\x93  item").length, 5u);
  for (const char* ordered : {"1. item", "12) item", "a. item", "b) item", "iv. item", "(c) item", "(2) item"}) {
    const ListMarker marker = ParseListMarker(ordered);
    EXPECT_TRUE(marker.found && marker.ordered) << ordered;
  }
  for (const char* plain : {"-5 degrees", "e.g. this", "1.2 Methods", "3.14 is pi", "word. next",
                            "Section 2.", "*emphasis*", "2024)"}) {
    EXPECT_FALSE(ParseListMarker(plain).found) << plain;
  }
}

TEST(PdfCaptionTest, Prefixes) {
  EXPECT_TRUE(IsCaption("Figure 1: Recall"));
  EXPECT_TRUE(IsCaption("Table 3. Results"));
  EXPECT_TRUE(IsCaption("Fig. 2 A plot"));
  EXPECT_FALSE(IsCaption("Figure out the answer"));
  EXPECT_FALSE(IsCaption("Tables are useful"));
}

TEST(PdfJoinLinesTest, HyphenationRules) {
  EXPECT_EQ(JoinLines({"valuable infor-", "mation across"}, nullptr), "valuable information across");
  EXPECT_EQ(JoinLines({"a state-of-", "the-art system"}, nullptr), "a state-of-the-art system");
  EXPECT_EQ(JoinLines({"is well-", "known"}, nullptr), "is well-known");
  EXPECT_EQ(JoinLines({"Jean-", "Paul wrote"}, nullptr), "Jean-Paul wrote");
  EXPECT_EQ(JoinLines({"pre-", "1990 data"}, nullptr), "pre-1990 data");
  EXPECT_EQ(JoinLines({"one -", "two"}, nullptr), "one - two");
  EXPECT_EQ(JoinLines({"soft\xC2\xAD", "ware and hy\xC2\xAD" "phen"}, nullptr), "software and hyphen");
  EXPECT_EQ(JoinLines({"plain", "lines"}, nullptr), "plain lines");
}

TEST(PdfJoinLinesTest, DocumentVocabularyDecidesCompounds) {
  Vocabulary vocabulary;
  vocabulary.AddLine("the co-operate spelling and cooperation", false);
  EXPECT_EQ(JoinLines({"we co-", "operate"}, &vocabulary), "we co-operate");
  EXPECT_EQ(JoinLines({"a coop-", "eration"}, &vocabulary), "a cooperation");
  // Fragments at line breaks are not words of the document.
  Vocabulary fragments;
  fragments.AddLine("a long infor-", false);
  fragments.AddLine("mation line", true);
  EXPECT_FALSE(fragments.Contains("infor"));
  EXPECT_FALSE(fragments.Contains("mation"));
  EXPECT_TRUE(fragments.Contains("line"));
}

TEST(PdfFurnitureKeyTest, NormalisesDigitsAndCase) {
  EXPECT_EQ(FurnitureKey("Page 12 of 40"), "page # of #");
  EXPECT_EQ(FurnitureKey("  Chapter   3  "), "chapter #");
  EXPECT_EQ(FurnitureKey("xiv"), "#");
  EXPECT_EQ(FurnitureKey("17"), "#");
}

RawLine Line(const std::string& text, float x0, float y0, float x1, float size = 10) {
  RawLine line;
  line.text = text;
  line.bbox = BBox{x0, y0, x1, y0 + size * 1.2f};
  line.baseline = y0 + size;
  line.size = size;
  line.chars = static_cast<int>(text.size());
  return line;
}

TEST(PdfRemovePageFurnitureTest, RepeatedMarginLinesGoBodyStays) {
  std::vector<RawPage> pages(4);
  for (int p = 0; p < 4; ++p) {
    pages[p].number = p + 1;
    pages[p].width = 612;
    pages[p].height = 792;
    pages[p].lines = {Line("Journal of Examples", 72, 30, 300, 8),
                      Line("Body line " + std::to_string(p), 72, 100, 540),
                      Line(std::to_string(p + 1), 300, 760, 310, 8)};
  }
  RemovePageFurniture(pages);
  for (const RawPage& page : pages) {
    ASSERT_EQ(page.lines.size(), 1u);
    EXPECT_EQ(page.lines[0].text.rfind("Body line", 0), 0u);
  }
}

// Two columns of 6 lines under a full-width title, then a full-width line
// and another two-column band.
std::vector<RawLine> TwoColumnPage() {
  std::vector<RawLine> lines = {Line("Title across both columns of the page", 72, 60, 540, 16)};
  for (int band = 0; band < 2; ++band) {
    const float top = band == 0 ? 100 : 400;
    for (int i = 0; i < 6; ++i) {
      const float y = top + 12.0f * i;
      lines.push_back(Line("R" + std::to_string(band) + "." + std::to_string(i), 318, y, 540));
      lines.push_back(Line("L" + std::to_string(band) + "." + std::to_string(i), 72, y, 294));
    }
    if (band == 0) lines.push_back(Line("Figure 1: a caption as wide as the page", 72, 300, 540));
  }
  return lines;
}

TEST(PdfReadingOrderTest, ColumnsWithinBands) {
  const std::vector<RawLine> lines = TwoColumnPage();
  const std::vector<Gutter> gutters = FindGutters(lines);
  ASSERT_EQ(gutters.size(), 1u);
  EXPECT_GE(gutters[0].x0, 294);
  EXPECT_LE(gutters[0].x1, 318);
  std::vector<std::string> order;
  for (const PageLine& line : OrderLines(lines)) order.push_back(line.line.text);
  std::vector<std::string> expected = {"Title across both columns of the page"};
  for (int band = 0; band < 2; ++band) {
    for (const char* side : {"L", "R"}) {
      for (int i = 0; i < 6; ++i) expected.push_back(side + std::to_string(band) + "." + std::to_string(i));
    }
    if (band == 0) expected.push_back("Figure 1: a caption as wide as the page");
  }
  EXPECT_EQ(order, expected);
}

TEST(PdfReadingOrderTest, SingleColumnAndRowPiecesMerged) {
  std::vector<RawLine> lines;
  for (int i = 0; i < 8; ++i) lines.push_back(Line("line " + std::to_string(i), 72, 100 + 12.0f * i, 540));
  lines.push_back(Line("\xE2\x80\xA2", 72, 300, 76));
  lines.push_back(Line("bullet text", 90, 300, 200));
  EXPECT_TRUE(FindGutters(lines).empty());
  const std::vector<PageLine> ordered = OrderLines(lines);
  ASSERT_EQ(ordered.size(), 9u);
  EXPECT_EQ(ordered.front().line.text, "line 0");
  EXPECT_EQ(ordered.back().line.text, "\xE2\x80\xA2 bullet text");
}

}  // namespace
}  // namespace docpipe::pdf
