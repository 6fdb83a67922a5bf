// Text normalisation shared by every extractor: valid UTF-8, NFC, ligatures expanded.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace docpipe {

// Replaces invalid UTF-8 sequences with U+FFFD, expands typographic ligatures
// (U+FB00..U+FB06: "ﬁ" -> "fi"), and returns the NFC form.
std::string NormalizeText(std::string_view text);

// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

// The code point starting at byte `pos` of `text`, advancing `pos` past it.
// An invalid byte yields U+FFFD and advances by one byte. Requires pos < size.
char32_t NextCodepoint(std::string_view text, size_t& pos);

// Appends the UTF-8 encoding of `codepoint` to `out`.
void AppendUtf8(std::string& out, char32_t codepoint);

}  // namespace docpipe
