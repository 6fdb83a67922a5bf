#include "core/unicode.h"

#include <gtest/gtest.h>

namespace docpipe {
namespace {

TEST(UnicodeTest, AsciiIsUnchanged) { EXPECT_EQ(NormalizeText("plain text, 42."), "plain text, 42."); }

TEST(UnicodeTest, LigaturesAreExpanded) {
  EXPECT_EQ(NormalizeText("\xEF\xAC\x81nal o\xEF\xAC\x83" "ce"), "final office");  // U+FB01, U+FB03
  EXPECT_EQ(NormalizeText("\xEF\xAC\x80" "ect \xEF\xAC\x82ow"), "ffect flow");   // U+FB00, U+FB02
}

TEST(UnicodeTest, DecomposedTextIsComposedToNfc) {
  // "e" + COMBINING ACUTE ACCENT -> U+00E9
  EXPECT_EQ(NormalizeText("caf" "e\xCC\x81"), "caf\xC3\xA9");
  // Already composed text stays as it is.
  EXPECT_EQ(NormalizeText("Stra\xC3\x9F" "e"), "Stra\xC3\x9F" "e");
}

TEST(UnicodeTest, InvalidBytesBecomeReplacementCharacters) {
  std::string repaired = NormalizeText("caf\xE9 ok");
  EXPECT_TRUE(IsValidUtf8(repaired));
  EXPECT_EQ(repaired, "caf\xEF\xBF\xBD ok");
  EXPECT_FALSE(IsValidUtf8("caf\xE9"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));  // truncated sequence
  EXPECT_TRUE(IsValidUtf8("\xCE\xB1\xCE\xB2"));
}

TEST(UnicodeTest, NextCodepointDecodesAndRepairs) {
  std::string_view text("a\xC3\xA9\xE9z\xF0\x9F\x98\x80", 9);
  std::u32string decoded;
  for (size_t pos = 0; pos < text.size();) decoded += NextCodepoint(text, pos);
  EXPECT_EQ(decoded, std::u32string(U"a\u00E9\uFFFDz\U0001F600"));
}

TEST(UnicodeTest, AppendUtf8EncodesEveryLength) {
  std::string out;
  AppendUtf8(out, U'A');
  AppendUtf8(out, U'\u00E9');
  AppendUtf8(out, U'\u20AC');
  AppendUtf8(out, U'\U0001F600');
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace docpipe
