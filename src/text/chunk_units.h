// The chunker's view of a document: its text cut into sentence-sized units that
// each fit in a chunk. Private to the chunker; pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "docpipe/document.h"

namespace docpipe::text {

// A run of a block's text that a chunk boundary may not cut: a sentence, a table
// row, a heading, or a word-bounded piece of a sentence longer than max_tokens.
// Units never touch: the text between two units is whitespace or empty, and
// every unit edge is a token boundary, so token counts of spans add up.
struct Unit {
  int64_t begin = 0;  // byte offsets into DocumentText(document)
  int64_t end = 0;
  int tokens = 0;
  int block = 0;             // index into UnitizedDocument::blocks
  bool block_start = false;  // the first unit of its block
  bool heading = false;      // part of a heading block
  bool table = false;        // a row of a table block (the first unit: the header line and delimiter row)
  // A chunk that starts at this unit, a row of a table past its header, opens
  // with the table's header unit repeated: it costs this many tokens more.
  // 0 elsewhere, and for a table whose header is not repeated (see Unitize).
  int header_tokens = 0;
};

struct UnitizedDocument {
  std::string text;                  // DocumentText(document)
  std::vector<const Block*> blocks;  // every block in reading order
  std::vector<int> block_pages;      // page number of each block
  std::vector<int> table_indexes;    // of each table block: 1-based place among its page's tables; else 0
  std::vector<Unit> units;
};

// Splits the document into units of at most max_tokens tokens each. A table's
// header line and delimiter row make one unit; its header is repeated at the
// start of each later piece when it takes at most half of max_tokens, and its
// rows are then cut to fit beside it (max_tokens - header tokens).
UnitizedDocument Unitize(const Document& document, int max_tokens);

}  // namespace docpipe::text
