// Text and HTML in UTF-16, legacy 8-bit encodings and with lying charsets
// come out as the right characters, never as mojibake.
#include <gtest/gtest.h>

#include "format_test_util.h"
#include "text/charset.h"

namespace docpipe {
namespace {

using formats_test::TextOf;

TEST(EncodingTest, TextFilesInEveryEncoding) {
  for (const char* name : {"utf16.txt", "utf16be.txt", "legacy.txt"}) {
    EXPECT_EQ(TextOf(name), "Grüße aus Köln\n\nDer Bäcker verkauft Brötchen für 2 € pro Stück.") << name;
  }
}

TEST(EncodingTest, HtmlCharsetsTrueLyingAndMissing) {
  for (const char* name : {"lying-utf8.html", "lying-latin1.html", "undeclared.htm", "utf16.html",
                           "bogus-charset.html"}) {
    EXPECT_EQ(TextOf(name), "Grüße\n\nDer Bäcker verkauft Brötchen.") << name;
  }
  EXPECT_EQ(TextOf("cyrillic.html"), "Привет, мир");
}

TEST(EncodingTest, DecodeToUtf8NamesWhatItChose) {
  EXPECT_EQ(text::DecodeToUtf8("plain ascii").encoding, "UTF-8");
  EXPECT_EQ(text::DecodeToUtf8("caf\xE9").encoding, "WINDOWS-1252");
  EXPECT_EQ(text::DecodeToUtf8("caf\xE9").utf8, "café");
  EXPECT_EQ(text::DecodeToUtf8("\x93quoted\x94").utf8, "“quoted”");
  EXPECT_EQ(text::DecodeToUtf8("caf\xC3\xA9", "iso-8859-1").utf8, "café");  // UTF-8 by content
  EXPECT_EQ(text::DecodeToUtf8("\xEF\xF0\xE8", "windows-1251").utf8, "при");
  EXPECT_EQ(text::DecodeToUtf8(std::string("h\0i\0", 4)).encoding, "UTF-16LE");
  // A mark followed by an odd byte (a truncated file) keeps what decodes.
  EXPECT_EQ(text::DecodeToUtf8(std::string("\xFF\xFEh\0i\0!", 7)).utf8, "hi");
}

}  // namespace
}  // namespace docpipe
