// Images rendered from known text go straight into OCR as one page each
// (a TIFF one page per image), through the PDF engine's scanned-page path.
#include <gtest/gtest.h>

#include "format_test_util.h"

namespace docpipe {
namespace {

std::string Join(const nlohmann::json& lines) {
  std::string text;
  for (const auto& line : lines) text += line.get<std::string>() + "\n";
  return text;
}

class ImageTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ImageTest, TextIsRecognised) {
  Result<Document> document = formats_test::ConvertWithOcr(formats_test::Fixture(GetParam()));
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_GE(document->pages.size(), 1u);
  const Page& page = document->pages[0];
  EXPECT_GE(page.ocr_confidence, 0.5f);
  std::string text;
  for (const Block& block : page.blocks) {
    EXPECT_EQ(block.source, TextSource::kOcr);
    text += block.text + "\n";
  }
  EXPECT_GE(formats_test::WordRecall(Join(formats_test::Truth("scan")["lines"]), text), 0.95) << text;
}

INSTANTIATE_TEST_SUITE_P(Formats, ImageTest,
                         ::testing::Values("scan.png", "scan.jpg", "scan.gif", "scan.bmp", "scan.tif", "scan.webp"),
                         [](const auto& info) { return info.param.substr(info.param.find('.') + 1); });

TEST(ImageTest, MultiPageTiffGivesOnePagePerImage) {
  Result<Document> document = formats_test::ConvertWithOcr(formats_test::Fixture("scan.tif"));
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->pages.size(), 2u);
  std::string text;
  for (const Block& block : document->pages[1].blocks) text += block.text + "\n";
  EXPECT_GE(formats_test::WordRecall(Join(formats_test::Truth("scan")["second_page"]), text), 0.95) << text;
}

}  // namespace
}  // namespace docpipe
