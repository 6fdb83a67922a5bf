#include "docpipe/chunker.h"
#include "text/tokens.h"

namespace docpipe {
namespace text {

char32_t DecodeAt(std::string_view text, size_t pos, size_t* length) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  size_t n = 0;
  char32_t cp = 0;
  if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    cp = lead & 0x07;
  } else if (lead >= 0xE0) {
    n = lead <= 0xEF ? 3 : 0;
    cp = lead & 0x0F;
  } else if (lead >= 0xC2) {
    n = 2;
    cp = lead & 0x1F;
  }
  if (n == 0 || pos + n > text.size()) {
    *length = 1;
    return 0xFFFD;
  }
  for (size_t i = 1; i < n; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) {
      *length = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  *length = n;
  return cp;
}

CharClass ClassifyCodepoint(char32_t cp) {
  if (cp < 0x80) {
    if (cp == ' ' || (cp >= '\t' && cp <= '\r')) return CharClass::kSpace;
    if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
      return CharClass::kWord;
    }
    return CharClass::kPunct;
  }
  // Unicode spaces: no-break, the typographic spaces, line/paragraph separators, ideographic.
  if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
      cp == 0x202F || cp == 0x205F || cp == 0x3000) {
    return CharClass::kSpace;
  }
  // Latin-1 symbols («, ¿, §, ...) and general punctuation (dashes, curly quotes, ellipsis).
  if ((cp >= 0xA1 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2010 && cp <= 0x205E)) {
    return CharClass::kPunct;
  }
  // CJK scripts have no spaces; models spend about one token per character.
  if ((cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFFEF) || cp >= 0x20000) {
    return CharClass::kSingle;
  }
  return CharClass::kWord;
}

}  // namespace text

int CountTokens(std::string_view text) {
  int count = 0;
  text::ForEachToken(text, [&count](size_t, size_t) { ++count; });
  return count;
}

}  // namespace docpipe
