// HTML text details: <br> as a line break (in the model and in Markdown), the
// HTML5 named entities libxml2 does not know, <pre> as code with its
// indentation, and dates from <meta>.
#include <gtest/gtest.h>

#include <fstream>

#include "docpipe/render.h"
#include "format_test_util.h"

namespace docpipe {
namespace {

Document ConvertHtml(const std::string& name, const std::string& html) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << html;
  Result<Document> converted = formats_test::Convert(path);
  EXPECT_TRUE(converted.ok()) << converted.status().ToString();
  return converted.ok() ? std::move(converted).value() : Document{};
}

std::vector<Block> Blocks(const Document& document) {
  std::vector<Block> blocks;
  for (const Page& page : document.pages) blocks.insert(blocks.end(), page.blocks.begin(), page.blocks.end());
  return blocks;
}

TEST(HtmlTextTest, BrBreaksTheLineAndSourceLineEndsAreSpaces) {
  const Document document = ConvertHtml(
      "br.html",
      "<html><body><p>Ada Lovelace<br>12 Harbour Road<br/>\nLondon</p>\n"
      "<p>one\nparagraph\r\nwrapped in the source</p><ul><li>item<br>second line</li></ul></body></html>");
  const std::vector<Block> blocks = Blocks(document);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].text, "Ada Lovelace\n12 Harbour Road\nLondon");
  EXPECT_EQ(blocks[1].text, "one paragraph wrapped in the source");
  EXPECT_EQ(blocks[2].type, BlockType::kListItem);
  EXPECT_EQ(blocks[2].text, "item\nsecond line");
  EXPECT_EQ(RenderMarkdown(document),
            "Ada Lovelace\\\n12 Harbour Road\\\nLondon\n\none paragraph wrapped in the source\n\n"
            "- item\\\n  second line\n");
}

TEST(HtmlTextTest, Html5NamedEntitiesAreDecoded) {
  const Document document = ConvertHtml(
      "entities.html",
      "<html><body><p>a &NotEqual; b &lbrace;x&rbrace; c&nbsp;d &amp;NotEqual; &LT;tag&GT; &fjlig; "
      "&eacute; &nosuchentity; &CounterClockwiseContourIntegral;</p>"
      "<p title=\"&Implies;\">&NotEqualTilde; &#x41;</p></body></html>");
  const std::vector<Block> blocks = Blocks(document);
  ASSERT_EQ(blocks.size(), 2u);
  // &nbsp; is a no-break space, collapsed like any space; "&amp;NotEqual;"
  // is text; "&LT;" a character, never markup; "&fjlig;" two code points.
  EXPECT_EQ(blocks[0].text, "a \u2260 b {x} c d &NotEqual; <tag> fj \u00e9 &nosuchentity; \u2233");
  EXPECT_EQ(blocks[1].text, "\u2242\u0338 A");
}

TEST(HtmlTextTest, PreIsCodeWithItsIndentationInMarkdown) {
  const Document document = ConvertHtml(
      "pre.html", "<html><body><pre>def area(r):\n    if r &lt; 0:\n        raise ValueError\n    return 3 * r</pre>"
                  "<pre>a ``` fence inside</pre></body></html>");
  const std::vector<Block> blocks = Blocks(document);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].type, BlockType::kCode);
  EXPECT_EQ(blocks[0].text, "def area(r):\n    if r < 0:\n        raise ValueError\n    return 3 * r");
  EXPECT_EQ(RenderMarkdown(document),
            "```\ndef area(r):\n    if r < 0:\n        raise ValueError\n    return 3 * r\n```\n\n"
            "````\na ``` fence inside\n````\n");
}

TEST(HtmlTextTest, DatesFromMeta) {
  const Document dc = ConvertHtml(
      "dates.html",
      "<html><head><title>T</title><meta name=\"DC.date.created\" content=\"2021-07-08\">"
      "<meta http-equiv=\"last-modified\" content=\"2022-02-03 04:05:06+02:00\"></head><body><p>x</p></body></html>");
  EXPECT_EQ(dc.metadata.created, "2021-07-08");
  EXPECT_EQ(dc.metadata.modified, "2022-02-03T04:05:06+02:00");
  const Document http = ConvertHtml(
      "http-dates.html",
      "<html><head><meta http-equiv=\"Last-Modified\" content=\"Tue, 15 Nov 1994 08:12:31 GMT\">"
      "<meta name=\"date\" content=\"Sunday, 06-Nov-94 08:49:37 GMT\"></head><body><p>x</p></body></html>");
  EXPECT_EQ(http.metadata.created, "1994-11-06T08:49:37Z");
  EXPECT_EQ(http.metadata.modified, "1994-11-15T08:12:31Z");
  const Document unreadable = ConvertHtml(
      "bad-dates.html", "<html><head><meta name=\"date\" content=\"last Tuesday\"></head><body><p>x</p></body></html>");
  EXPECT_EQ(unreadable.metadata.created, "");
  EXPECT_EQ(unreadable.metadata.modified, "");
}

}  // namespace
}  // namespace docpipe
