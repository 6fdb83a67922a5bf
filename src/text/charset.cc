#include "text/charset.h"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <memory>
#include <optional>

#include "core/unicode.h"

namespace docpipe::text {
namespace {

// Windows-1252's 0x80..0x9F; the five holes decode to U+FFFD.
constexpr char32_t kWindows1252High[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

std::string DecodeWindows1252(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0xA0) {
      AppendUtf8(out, kWindows1252High[c - 0x80]);
    } else {
      AppendUtf8(out, c);
    }
  }
  return out;
}

struct IconvCloser {
  void operator()(iconv_t* cd) const {
    iconv_close(*cd);
    delete cd;
  }
};

// The bytes decoded by iconv; nothing when iconv does not know `encoding` or
// the bytes are not valid in it.
std::optional<std::string> DecodeWithIconv(std::string_view bytes, const std::string& encoding) {
  iconv_t cd = iconv_open("UTF-8", encoding.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::unique_ptr<iconv_t, IconvCloser> owned(new iconv_t(cd));
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in_ptr = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  size_t done = 0;
  while (in_left > 0) {
    char* out_ptr = out.data() + done;
    size_t out_left = out.size() - done;
    const size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    done = out.size() - out_left;
    if (rc != static_cast<size_t>(-1)) break;
    if (errno != E2BIG) return std::nullopt;  // EILSEQ, EINVAL: not this encoding
    out.resize(out.size() * 2);
  }
  out.resize(done);
  return out;
}

std::string Upper(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper;
}

bool HasNonAscii(std::string_view bytes) {
  return std::any_of(bytes.begin(), bytes.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// UTF-16 without a byte-order mark: ASCII-range text has a zero in every
// other byte. Returns "UTF-16LE", "UTF-16BE" or "".
std::string GuessUtf16(std::string_view bytes) {
  const size_t n = std::min<size_t>(bytes.size() & ~size_t{1}, 4096);
  if (n < 4) return "";
  size_t even_zero = 0, odd_zero = 0;
  for (size_t i = 0; i < n; i += 2) {
    even_zero += bytes[i] == '\0';
    odd_zero += bytes[i + 1] == '\0';
  }
  const size_t pairs = n / 2;
  if (odd_zero * 10 >= pairs * 9 && even_zero * 10 < pairs) return "UTF-16LE";
  if (even_zero * 10 >= pairs * 9 && odd_zero * 10 < pairs) return "UTF-16BE";
  return "";
}

std::optional<DecodedText> DecodeByMark(std::string_view bytes) {
  struct Mark {
    std::string_view bytes;
    const char* encoding;
  };
  // UTF-32LE's mark starts with UTF-16LE's: test the longer first.
  static constexpr Mark kMarks[] = {{std::string_view("\xFF\xFE\0\0", 4), "UTF-32LE"},
                                    {std::string_view("\0\0\xFE\xFF", 4), "UTF-32BE"},
                                    {"\xEF\xBB\xBF", "UTF-8"},
                                    {"\xFF\xFE", "UTF-16LE"},
                                    {"\xFE\xFF", "UTF-16BE"}};
  for (const Mark& mark : kMarks) {
    if (bytes.substr(0, mark.bytes.size()) != mark.bytes) continue;
    std::string_view body = bytes.substr(mark.bytes.size());
    if (std::string_view(mark.encoding) == "UTF-8") return DecodedText{std::string(body), "UTF-8"};
    if (auto text = DecodeWithIconv(body, mark.encoding)) return DecodedText{std::move(*text), mark.encoding};
    // A mark followed by a broken tail (a truncated file): keep what decodes.
    const size_t unit = std::string_view(mark.encoding).find("32") != std::string_view::npos ? 4 : 2;
    std::string_view whole = body.substr(0, body.size() - body.size() % unit);
    if (auto text = DecodeWithIconv(whole, mark.encoding)) return DecodedText{std::move(*text), mark.encoding};
    return DecodedText{DecodeWindows1252(body), "WINDOWS-1252"};
  }
  return std::nullopt;
}

// Mostly UTF-8 with a few damaged bytes (a truncated or patched file): at
// least as many valid multi-byte sequences as invalid bytes. Legacy 8-bit
// text almost never forms a valid multi-byte sequence by chance.
bool MostlyUtf8(std::string_view bytes) {
  size_t multibyte = 0, invalid = 0;
  for (size_t pos = 0; pos < bytes.size();) {
    const size_t start = pos;
    const char32_t point = NextCodepoint(bytes, pos);
    if (pos - start > 1) {
      ++multibyte;
    } else if (point == 0xFFFD) {
      ++invalid;
    }
  }
  return multibyte > 0 && multibyte >= invalid;
}

}  // namespace

DecodedText DecodeToUtf8(std::string_view bytes, std::string_view declared) {
  if (auto marked = DecodeByMark(bytes)) return std::move(*marked);
  const bool valid_utf8 = IsValidUtf8(bytes);
  if (valid_utf8 && HasNonAscii(bytes)) return {std::string(bytes), "UTF-8"};
  std::string name = Upper(declared);
  if (name == "ISO-8859-1" || name == "LATIN1" || name == "US-ASCII" || name == "ASCII") {
    name = "WINDOWS-1252";  // as browsers read them (WHATWG Encoding)
  }
  if (!name.empty() && name != "UTF-8" && name != "UTF8" && name != "WINDOWS-1252") {
    if (auto text = DecodeWithIconv(bytes, name)) return {std::move(*text), name};
  }
  if (const std::string utf16 = GuessUtf16(bytes); !utf16.empty()) {
    if (auto text = DecodeWithIconv(bytes.substr(0, bytes.size() & ~size_t{1}), utf16)) {
      return {std::move(*text), utf16};
    }
  }
  if (valid_utf8 || MostlyUtf8(bytes)) return {std::string(bytes), "UTF-8"};  // bad bytes become U+FFFD later
  return {DecodeWindows1252(bytes), "WINDOWS-1252"};
}

}  // namespace docpipe::text
