#include "core/unicode.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace docpipe {
namespace {

// Expansions of the Latin ligatures U+FB00..U+FB06, which NFC keeps as they are.
const char* LigatureExpansion(utf8proc_int32_t cp) {
  switch (cp) {
    case 0xFB00: return "ff";
    case 0xFB01: return "fi";
    case 0xFB02: return "fl";
    case 0xFB03: return "ffi";
    case 0xFB04: return "ffl";
    case 0xFB05: return "st";
    case 0xFB06: return "st";
    default: return nullptr;
  }
}

}  // namespace

void AppendUtf8(std::string& out, char32_t codepoint) {
  utf8proc_uint8_t buffer[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(codepoint), buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<size_t>(n));
}

char32_t NextCodepoint(std::string_view text, size_t& pos) {
  utf8proc_int32_t cp = 0;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                                        static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
  if (n <= 0) {
    ++pos;
    return 0xFFFD;
  }
  pos += static_cast<size_t>(n);
  return static_cast<char32_t>(cp);
}

bool IsValidUtf8(std::string_view text) {
  auto p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) return false;
    p += n;
    left -= n;
  }
  return true;
}

std::string NormalizeText(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  bool ascii = true;
  auto p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {  // invalid byte: replace it and resynchronise on the next one
      AppendUtf8(clean, 0xFFFD);
      ascii = false;
      ++p;
      --left;
      continue;
    }
    if (cp >= 0x80) ascii = false;
    if (const char* expansion = LigatureExpansion(cp)) {
      clean += expansion;
    } else {
      clean.append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    }
    p += n;
    left -= n;
  }
  if (ascii) return clean;  // ASCII is already NFC; skip the allocation-heavy path

  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> nfc(
      utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(clean.c_str())), &std::free);
  if (!nfc) return clean;
  return std::string(reinterpret_cast<const char*>(nfc.get()));
}

}  // namespace docpipe
