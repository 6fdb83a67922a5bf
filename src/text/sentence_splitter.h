// Sentence boundaries in running text, for chunk breaks that keep sentences whole.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace docpipe::text {

// A byte range [begin, end) of some text.
struct TextSpan {
  size_t begin = 0;
  size_t end = 0;
};

// Appends to *out the sentences of `text` in order, each trimmed of surrounding
// whitespace; whitespace-only text yields nothing. A sentence ends at '.', '!',
// '?' or an ellipsis (plus closing quotes and brackets) followed by whitespace,
// or at an ideographic full stop. A period does not end a sentence after a
// known abbreviation ("e.g.", "Dr.", "Fig."), an initial ("J."), a leading list
// number ("1."), inside a number ("3.14"), or before a lower-case word.
void SplitSentences(std::string_view text, std::vector<TextSpan>* out);

// Appends the lines of `text` (split at '\n'), trimmed, skipping blank ones.
void SplitLines(std::string_view text, std::vector<TextSpan>* out);

}  // namespace docpipe::text
