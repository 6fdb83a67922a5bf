// Documents for chunker tests: hand-built ones and seeded random ones whose
// sentence boundaries and sections are known, so chunks can be checked against them.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "docpipe/document.h"

namespace docpipe::test_docs {

// A byte range of DocumentText(document) that a chunk boundary must not cut:
// a generated sentence, heading or table row.
struct Span {
  int64_t begin = 0;
  int64_t end = 0;
};

struct GeneratedDocument {
  Document document;
  std::string text;                   // DocumentText(document)
  std::vector<Span> sentences;        // in order
  std::vector<int64_t> block_starts;  // offset of each block (reading order)
  std::vector<const Block*> blocks;   // each block, same order
  std::vector<int> block_pages;       // page number of each block
  int top_level = 1;                  // the document's top heading level
};

struct GeneratorOptions {
  int max_pages = 6;
  int max_blocks_per_page = 8;
  bool long_sentences = false;  // now and then a sentence of several hundred tokens
  bool giant_words = false;     // now and then a 300-letter word
};

// A random document from `seed`: headings (top level 1 or 2), paragraphs of
// sentences with abbreviations, decimals and initials, list items, tables,
// captions, empty blocks, pages without blocks.
GeneratedDocument GenerateDocument(uint32_t seed, const GeneratorOptions& options);

// Recomputes the offsets and block tables of an edited GeneratedDocument's document.
void Reindex(GeneratedDocument* generated);

Block TextBlock(BlockType type, std::string text, int level = 0);

// A heading / paragraph block under the headings `path`.
Block Heading(const std::string& text, int level, std::vector<std::string> path = {});
Block Paragraph(const std::string& text, std::vector<std::string> path = {});

}  // namespace docpipe::test_docs
