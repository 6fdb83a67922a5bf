// Text bytes in whatever encoding they came in, as UTF-8. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace docpipe::text {

struct DecodedText {
  std::string utf8;      // the text without its byte-order mark; not yet normalised
  std::string encoding;  // what it was read as: "UTF-8", "UTF-16LE", "WINDOWS-1252", ...
};

// Decides the encoding in this order: a byte-order mark (UTF-8, UTF-16LE/BE,
// UTF-32LE/BE); then valid UTF-8 that has non-ASCII bytes (whatever was
// declared: such text is UTF-8 by content, and a declaration saying otherwise
// is a lie that would make mojibake); then `declared` (a charset name from a
// <meta> or an XML declaration) when iconv knows it and the bytes decode
// under it; then UTF-16 without a mark when every other byte is zero; then
// UTF-8 with a few damaged bytes (at least as many valid multi-byte
// sequences as invalid bytes; those become U+FFFD when normalised); else
// Windows-1252 (a superset of ISO-8859-1, the usual legacy 8-bit text).
// Never fails: bytes that decode under nothing become U+FFFD later.
DecodedText DecodeToUtf8(std::string_view bytes, std::string_view declared = {});

}  // namespace docpipe::text
