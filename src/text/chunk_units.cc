#include "text/chunk_units.h"

#include <string_view>

#include "docpipe/chunker.h"
#include "text/sentence_splitter.h"
#include "text/tokens.h"

namespace docpipe::text {
namespace {

// Cuts a word with more than `limit` tokens at token boundaries; appends the
// pieces but the last, which is returned so that following words can join it.
TextSpan CutLongWord(std::string_view text, TextSpan word, int limit, std::vector<TextSpan>* pieces) {
  TextSpan piece{word.begin, word.begin};
  int tokens = 0;
  ForEachToken(text.substr(word.begin, word.end - word.begin), [&](size_t, size_t end) {
    if (tokens == limit) {
      pieces->push_back(piece);
      piece.begin = piece.end;
      tokens = 0;
    }
    piece.end = word.begin + end;
    ++tokens;
  });
  return piece;
}

// Splits a sentence of `total` tokens (> max_tokens) at word boundaries into
// pieces of about equal size, none above max_tokens.
void SplitAtWords(std::string_view text, TextSpan sentence, int total, int max_tokens,
                  std::vector<TextSpan>* pieces) {
  const int64_t parts = (int64_t{total} + max_tokens - 1) / max_tokens;
  const int limit = static_cast<int>((total + parts - 1) / parts);
  TextSpan piece{sentence.begin, sentence.begin};
  int piece_tokens = 0;
  size_t pos = sentence.begin;
  while (pos < sentence.end) {
    while (pos < sentence.end && IsAsciiSpace(text[pos])) ++pos;
    if (pos == sentence.end) break;
    const size_t word_begin = pos;
    while (pos < sentence.end && !IsAsciiSpace(text[pos])) ++pos;
    const TextSpan word{word_begin, pos};
    const int word_tokens = CountTokens(text.substr(word.begin, word.end - word.begin));
    if (piece_tokens > 0 && piece_tokens + word_tokens <= limit) {
      piece.end = word.end;
      piece_tokens += word_tokens;
      continue;
    }
    if (piece_tokens > 0) pieces->push_back(piece);
    if (word_tokens > limit) {
      piece = CutLongWord(text, word, limit, pieces);
      piece_tokens = CountTokens(text.substr(piece.begin, piece.end - piece.begin));
    } else {
      piece = word;
      piece_tokens = word_tokens;
    }
  }
  if (piece_tokens > 0) pieces->push_back(piece);
}

// Appends the units of one block whose text starts at `offset` in the document text.
void UnitizeBlock(const Block& block, int block_index, int64_t offset, int max_tokens,
                  std::vector<TextSpan>& spans, std::vector<TextSpan>& pieces, std::vector<Unit>* units) {
  const std::string_view text = block.text;
  spans.clear();
  if (block.type == BlockType::kHeading) {
    SplitLines(text, &spans);
    if (spans.size() > 1) spans = {{spans.front().begin, spans.back().end}};
  } else if (block.type == BlockType::kTable) {
    SplitLines(text, &spans);  // a row is a table's sentence
  } else {
    SplitSentences(text, &spans);
  }
  bool first = true;
  for (const TextSpan& span : spans) {
    const int tokens = CountTokens(text.substr(span.begin, span.end - span.begin));
    if (tokens == 0) continue;  // nothing a reader or a model would see
    pieces.clear();
    if (tokens > max_tokens) {
      SplitAtWords(text, span, tokens, max_tokens, &pieces);
    } else {
      pieces.push_back(span);
    }
    for (const TextSpan& piece : pieces) {
      Unit unit;
      unit.begin = offset + static_cast<int64_t>(piece.begin);
      unit.end = offset + static_cast<int64_t>(piece.end);
      unit.tokens =
          pieces.size() == 1 ? tokens : CountTokens(text.substr(piece.begin, piece.end - piece.begin));
      unit.block = block_index;
      unit.block_start = first;
      unit.heading = block.type == BlockType::kHeading;
      unit.table = block.type == BlockType::kTable;
      units->push_back(unit);
      first = false;
    }
  }
}

}  // namespace

UnitizedDocument Unitize(const Document& document, int max_tokens) {
  UnitizedDocument result;
  result.text = DocumentText(document);
  std::vector<TextSpan> spans;
  std::vector<TextSpan> pieces;
  int64_t offset = 0;
  bool any_text = false;  // mirrors DocumentText: no separator before the first non-empty text
  for (const Page& page : document.pages) {
    for (const Block& block : page.blocks) {
      if (any_text) offset += 2;  // the "\n\n" DocumentText puts between blocks
      any_text = any_text || !block.text.empty();
      const int index = static_cast<int>(result.blocks.size());
      result.blocks.push_back(&block);
      result.block_pages.push_back(block.page > 0 ? block.page : page.number);
      UnitizeBlock(block, index, offset, max_tokens, spans, pieces, &result.units);
      offset += static_cast<int64_t>(block.text.size());
    }
  }
  return result;
}

}  // namespace docpipe::text
