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

// Makes a table's header line and delimiter row one span, so that no chunk
// starts or ends between them. Returns the header's tokens when later pieces
// repeat it: when there are rows to cut between and it takes at most half of
// max_tokens (a wider header would leave too little room for rows); else 0.
int JoinTableHeader(std::string_view text, int max_tokens, std::vector<TextSpan>& spans) {
  if (spans.size() < 2) return 0;
  spans[1].begin = spans[0].begin;
  spans.erase(spans.begin());
  if (spans.size() < 2) return 0;
  const int tokens = CountTokens(text.substr(spans[0].begin, spans[0].end - spans[0].begin));
  return 2 * tokens <= max_tokens ? tokens : 0;
}

// Appends the units of one block whose text starts at `offset` in the document text.
void UnitizeBlock(const Block& block, int block_index, int64_t offset, int max_tokens,
                  std::vector<TextSpan>& spans, std::vector<TextSpan>& pieces, std::vector<Unit>* units) {
  const std::string_view text = block.text;
  spans.clear();
  int header_tokens = 0;
  if (block.type == BlockType::kHeading) {
    SplitLines(text, &spans);
    if (spans.size() > 1) spans = {{spans.front().begin, spans.back().end}};
  } else if (block.type == BlockType::kTable) {
    SplitLines(text, &spans);  // a row is a table's sentence
    header_tokens = JoinTableHeader(text, max_tokens, spans);
  } else {
    SplitSentences(text, &spans);
  }
  bool first = true;
  for (size_t s = 0; s < spans.size(); ++s) {
    const TextSpan& span = spans[s];
    const int tokens = CountTokens(text.substr(span.begin, span.end - span.begin));
    if (tokens == 0) continue;  // nothing a reader or a model would see
    // A row of a table whose header is repeated must fit in a chunk beside it.
    const int repeated = s > 0 ? header_tokens : 0;
    const int limit = max_tokens - repeated;
    pieces.clear();
    if (tokens > limit) {
      SplitAtWords(text, span, tokens, limit, &pieces);
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
      unit.header_tokens = repeated;
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
    int tables = 0;
    for (const Block& block : page.blocks) {
      if (any_text) offset += 2;  // the "\n\n" DocumentText puts between blocks
      any_text = any_text || !block.text.empty();
      const int index = static_cast<int>(result.blocks.size());
      result.blocks.push_back(&block);
      result.block_pages.push_back(block.page > 0 ? block.page : page.number);
      result.table_indexes.push_back(block.type == BlockType::kTable ? ++tables : 0);
      UnitizeBlock(block, index, offset, max_tokens, spans, pieces, &result.units);
      offset += static_cast<int64_t>(block.text.size());
    }
  }
  return result;
}

}  // namespace docpipe::text
