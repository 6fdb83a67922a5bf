// Hostile and broken inputs: each converts or fails alone with a clear
// message; none crashes, hangs or allocates without bound.
#include <gtest/gtest.h>

#include "format_test_util.h"

namespace docpipe {
namespace {

using formats_test::Convert;
using formats_test::Fixture;
using formats_test::TextOf;

ConvertFileOptions SmallLimits() {
  ConvertFileOptions options;
  options.limits.max_entry_bytes = 16 << 20;
  options.limits.max_zip_entries = 1000;
  return options;
}

void ExpectFailure(const std::string& name, StatusCode code, const std::string& words,
                   const ConvertFileOptions& options = {}) {
  Result<Document> converted = Convert(Fixture(name), options);
  ASSERT_FALSE(converted.ok()) << name;
  EXPECT_EQ(converted.status().code(), code) << name << ": " << converted.status().ToString();
  EXPECT_NE(converted.status().message().find(words), std::string::npos) << converted.status().ToString();
}

TEST(HostileTest, ZipBombsStopAtTheirBounds) {
  ExpectFailure("hostile/bomb.docx", StatusCode::kResourceExhausted, "ZIP bomb", SmallLimits());
  ExpectFailure("hostile/many-entries.epub", StatusCode::kResourceExhausted, "entries", SmallLimits());
  ConvertFileOptions total = SmallLimits();
  total.limits.max_entry_bytes = int64_t{1} << 30;
  total.limits.max_unzipped_bytes = 8 << 20;
  ExpectFailure("hostile/bomb.docx", StatusCode::kResourceExhausted, "ZIP archive decompresses", total);
}

TEST(HostileTest, PathTraversalNamesAreRefused) {
  ExpectFailure("hostile/traversal.docx", StatusCode::kCorrupt, "escapes the archive");
  ExpectFailure("hostile/traversal.epub", StatusCode::kCorrupt, "package document");
}

TEST(HostileTest, EntitiesAreNeverExpandedNorLoaded) {
  for (const char* name : {"hostile/xxe.docx", "hostile/xxe.xhtml"}) {
    const std::string text = TextOf(name);
    EXPECT_NE(text.find("before"), std::string::npos) << name;
    EXPECT_EQ(text.find("root:"), std::string::npos) << name;
  }
  for (const char* name : {"hostile/laughs.docx", "hostile/laughs.html"}) {
    const std::string text = TextOf(name);
    EXPECT_NE(text.find("laugh"), std::string::npos) << name;
    EXPECT_LT(text.size(), 200u) << name;  // "lol" never multiplied
    EXPECT_EQ(text.find("lollol"), std::string::npos) << name;
  }
}

TEST(HostileTest, HundredThousandLevelsOfHtmlConvert) {
  EXPECT_EQ(TextOf("hostile/deep.html"), "deepest words");
  EXPECT_EQ(TextOf("hostile/deep-unclosed.html"), "unclosed deepest words");
}

TEST(HostileTest, HugeImageIsRefusedBeforeDecoding) {
  ExpectFailure("hostile/huge.png", StatusCode::kResourceExhausted, "20000 x 20000 pixels");
  ExpectFailure("hostile/huge.webp", StatusCode::kResourceExhausted, "20000 x 20000 pixels");
  // Width times height past 64 bits (found by fuzz_convert_file): refused, not overflowed.
  ExpectFailure("hostile/overflow.png", StatusCode::kResourceExhausted, "4294967295 x 4294967295 pixels");
}

TEST(HostileTest, TruncatedFilesFailAloneOrConvertWhatIsThere) {
  ExpectFailure("hostile/truncated-manual.docx", StatusCode::kCorrupt, "not a readable ZIP");
  ExpectFailure("hostile/truncated-manual.epub", StatusCode::kCorrupt, "not a readable ZIP");
  ExpectFailure("hostile/stub-manual.docx", StatusCode::kCorrupt, "not a readable ZIP");
  for (const char* name : {"hostile/stub-scan.png", "hostile/stub-scan.jpg", "hostile/stub-scan.tif",
                           "hostile/stub-scan.bmp", "hostile/stub-scan.webp", "hostile/truncated-scan.tif"}) {
    ExpectFailure(name, StatusCode::kCorrupt, "header");
  }
  // Too short to hold a RIFF form type: detection read past its end and threw (fuzz_convert_file).
  ExpectFailure("hostile/riff-stub.webp", StatusCode::kUnsupported, "not an image format");
  EXPECT_NE(TextOf("hostile/truncated-manual.html").find("Installing the widget"), std::string::npos);
  EXPECT_NE(TextOf("hostile/truncated-utf16.txt").find("Grüße aus Köln"), std::string::npos);
}

TEST(HostileTest, TruncatedImagesFailOrConvertThroughThePdfEngine) {
  // Their headers are whole: MuPDF decodes what is there or reports the damage.
  for (const char* name : {"hostile/truncated-scan.png", "hostile/truncated-scan.jpg", "hostile/truncated-scan.gif",
                           "hostile/truncated-scan.bmp", "hostile/stub-scan.gif"}) {
    Result<Document> converted = Convert(Fixture(name));
    if (!converted.ok()) {
      EXPECT_FALSE(converted.status().message().empty()) << name;
    }
  }
  // libwebp decodes all or nothing.
  ExpectFailure("hostile/truncated-scan.webp", StatusCode::kCorrupt, "cannot decode WebP image");
}

}  // namespace
}  // namespace docpipe
