// The token model behind CountTokens, exposed to the chunker so that it can cut
// text only where the count stays additive. Pure functions; thread-safe.
//
// A token is a punctuation mark, a CJK character, or a piece of at most
// kWordPieceChars code points of a word. Whitespace separates tokens and is not
// one. Cutting a text at a token boundary therefore never changes the total:
// CountTokens(a + b) == CountTokens(a) + CountTokens(b) when |a| is a boundary.
#pragma once

#include <cstddef>
#include <string_view>

namespace docpipe::text {

// Words longer than this many code points count as several tokens, roughly as
// WordPiece / SentencePiece vocabularies split rare long words.
inline constexpr int kWordPieceChars = 8;

enum class CharClass { kSpace, kWord, kPunct, kSingle };

// Decodes the code point at text[pos] (which must be < text.size()). Invalid or
// truncated UTF-8 decodes as one word byte, so every input is consumed.
// Sets *length to the bytes consumed (>= 1).
char32_t DecodeAt(std::string_view text, size_t pos, size_t* length);

CharClass ClassifyCodepoint(char32_t cp);

inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

// Calls visit(begin, end) with the byte range of every token in `text`, in order.
template <typename Visit>
void ForEachToken(std::string_view text, Visit&& visit) {
  size_t pos = 0;
  size_t run_begin = 0;
  int run_chars = 0;  // code points in the current word piece; 0 when outside a word
  while (pos < text.size()) {
    size_t length = 1;
    const unsigned char byte = static_cast<unsigned char>(text[pos]);
    CharClass cls;
    if (byte < 0x80) {
      const char c = static_cast<char>(byte);
      cls = IsAsciiSpace(c) ? CharClass::kSpace
            : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                ? CharClass::kWord
                : CharClass::kPunct;
    } else {
      cls = ClassifyCodepoint(DecodeAt(text, pos, &length));
    }
    if (cls == CharClass::kWord) {
      if (run_chars == kWordPieceChars) {  // the piece is full: close it, start the next
        visit(run_begin, pos);
        run_chars = 0;
      }
      if (run_chars == 0) run_begin = pos;
      ++run_chars;
    } else {
      if (run_chars > 0) visit(run_begin, pos);
      run_chars = 0;
      if (cls != CharClass::kSpace) visit(pos, pos + length);
    }
    pos += length;
  }
  if (run_chars > 0) visit(run_begin, text.size());
}

}  // namespace docpipe::text
