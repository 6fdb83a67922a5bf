// The type of a file comes from its content; the extension decides only
// where the content names no format.
#include <gtest/gtest.h>

#include "format_test_util.h"

namespace docpipe {
namespace {

using formats_test::Fixture;

TEST(FileFormatTest, ContentDecides) {
  const std::vector<std::pair<std::string, FileFormat>> cases = {
      {"manual.html", FileFormat::kHtml},     {"manual.epub", FileFormat::kEpub},
      {"manual.docx", FileFormat::kDocx},     {"scan.png", FileFormat::kImage},
      {"scan.jpg", FileFormat::kImage},       {"scan.tif", FileFormat::kImage},
      {"scan.gif", FileFormat::kImage},       {"scan.bmp", FileFormat::kImage},
      {"scan.webp", FileFormat::kImage},      {"hostile/webp-named.png", FileFormat::kImage},
      {"utf16.txt", FileFormat::kText},       {"undeclared.htm", FileFormat::kHtml},
      {"utf16.html", FileFormat::kHtml},      {"mixed/letter.pdf", FileFormat::kPdf},
      {"hostile/renamed-pdf.docx", FileFormat::kPdf},  // a PDF whatever its name says
  };
  for (const auto& [name, format] : cases) {
    EXPECT_EQ(DetectFileFormat(Fixture(name)).format, format) << name << ": " << DetectFileFormat(Fixture(name)).description;
  }
}

TEST(FileFormatTest, WebpIsToldByItsRiffHeader) {
  EXPECT_EQ(DetectFileFormat(Fixture("hostile/webp-named.png")).description, "WebP image");
}

TEST(FileFormatTest, UnknownTypesNameWhatTheyAre) {
  const DetectedFormat gzip = DetectFileFormat(Fixture("mixed/archive.gz"));
  EXPECT_EQ(gzip.format, FileFormat::kUnknown);
  EXPECT_EQ(gzip.description, "gzip data");
  Result<Document> converted = formats_test::Convert(Fixture("mixed/archive.gz"));
  ASSERT_FALSE(converted.ok());
  EXPECT_EQ(converted.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(converted.status().message().find("gzip data"), std::string::npos);
}

TEST(FileFormatTest, DamagedContainersFailInsteadOfBeingSkipped) {
  EXPECT_EQ(DetectFileFormat(Fixture("hostile/truncated-manual.docx")).format, FileFormat::kDocx);
  EXPECT_EQ(DetectFileFormat(Fixture("hostile/truncated-manual.epub")).format, FileFormat::kEpub);
  EXPECT_EQ(DetectFileFormat(Fixture("hostile/stub-scan.bmp")).format, FileFormat::kImage);
}

// MuPDF picks a reader by the file's name; docpipe opens what the content is,
// and only with MuPDF's PDF and image readers.
TEST(FileFormatTest, PdfNamedAsAnotherFormatIsReadAsPdf) {
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"hostile/renamed-pdf.html", "This PDF was renamed to html"},
           {"hostile/late-header.epub", "This PDF was renamed to html"}}) {
    EXPECT_EQ(DetectFileFormat(Fixture(name)).format, FileFormat::kPdf) << name;
    Result<Document> converted = formats_test::Convert(Fixture(name));
    ASSERT_TRUE(converted.ok()) << name << ": " << converted.status().ToString();
    EXPECT_NE(DocumentText(*converted).find(text), std::string::npos) << name;
  }
}

// A header in the first kilobyte makes a PDF, but not of a file that opens as
// markup: an HTML page about PDFs stays HTML.
TEST(FileFormatTest, HtmlThatMentionsAPdfHeaderIsHtml) {
  EXPECT_EQ(DetectFileFormat(Fixture("hostile/mentions-pdf.html")).format, FileFormat::kHtml);
  Result<Document> converted = formats_test::Convert(Fixture("hostile/mentions-pdf.html"));
  ASSERT_TRUE(converted.ok()) << converted.status().ToString();
  EXPECT_NE(DocumentText(*converted).find("starts with a line such as %PDF-1.7"), std::string::npos);
}

TEST(FileFormatTest, RenamedPdfConvertsAsPdf) {
  Result<Document> converted = formats_test::Convert(Fixture("hostile/renamed-pdf.docx"));
  ASSERT_TRUE(converted.ok()) << converted.status().ToString();
  EXPECT_NE(DocumentText(*converted).find("This PDF was renamed to docx"), std::string::npos);
}

}  // namespace
}  // namespace docpipe
