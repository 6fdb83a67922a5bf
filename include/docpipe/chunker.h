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
int CountTokens(std::string_view text);

// Chunks follow structure: they carry their heading path and page span, break
// at sentence ends when they must break inside a paragraph, and never cross a
// top-level section unless that section is smaller than min_tokens.
std::vector<Chunk> ChunkDocument(const Document& document, const ChunkOptions& options);

}  // namespace docpipe
