// Structure-aware chunking: Document -> Chunks sized in tokens.
// Pure function of its inputs; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "docpipe/document.h"

namespace docpipe {

struct ChunkOptions {
  int target_tokens = 384;  // aim for chunks about this size
  int max_tokens = 512;     // never exceed, except a single sentence longer than this (then split at words)
  int overlap_tokens = 0;   // tokens of the previous chunk repeated at the start of the next
  int min_tokens = 64;      // a trailing piece smaller than this merges into its neighbour
};

// Approximate model-agnostic token count: words and punctuation marks, with
// long words counted as several pieces (as WordPiece/SentencePiece would).
// A word counts one token per 8 code points, a punctuation mark or CJK
// character one token, whitespace none.
int CountTokens(std::string_view text);

// Chunks follow structure: they carry their heading path and page span, break
// at sentence ends when they must break inside a paragraph, and never cross a
// top-level section unless that section is smaller than min_tokens.
//
// In detail:
// - chunk.text == DocumentText(document).substr(char_start, char_end - char_start),
//   trimmed of whitespace at both ends, after table_header + "\n" when
//   table_header is not empty; token_count == CountTokens(text) <= max_tokens.
// - Tables: a table that fits stays whole; a longer one is cut between rows,
//   never between its header line and delimiter row, and each later piece
//   repeats them (table_header), counted in its tokens, unless they take more
//   than half of max_tokens. Overlap never repeats table rows, and a piece
//   that opens with a repeated header takes no overlap.
// - Breaks prefer, in order: before a heading (once the chunk has min_tokens),
//   between blocks, between sentences (abbreviation-aware: "e.g.", "Dr.", "3.14",
//   initials), and only for a sentence longer than max_tokens between words.
// - Top-level sections start at headings of the highest level present; a
//   section below min_tokens joins the next one (the last joins the one before).
// - A last piece of a section below min_tokens merges into the chunk before it
//   when the result stays within max_tokens.
// - heading_path: the heading path of the chunk's first block, plus that
//   heading itself when the chunk starts at a heading.
// - page_start/page_end: the pages of the blocks the chunk text touches.
// - Overlap: a chunk after the first of its section starts earlier, repeating up
//   to overlap_tokens of the previous chunk's end (whole sentences, else whole
//   words), within max_tokens; not across top-level sections, and not before a
//   chunk that opens with a heading. heading_path describes the chunk's own start.
// - Options are clamped: max >= 1, 1 <= target <= max, 0 <= min <= max,
//   0 <= overlap < max. Ordinals run 0..n-1. Linear in the document's size.
std::vector<Chunk> ChunkDocument(const Document& document, const ChunkOptions& options);

}  // namespace docpipe
