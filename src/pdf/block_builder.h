// Groups ordered page lines into blocks (paragraphs, headings, list items)
// using vertical gaps, font size and weight changes, indentation and list
// markers; a paragraph may continue across a column or page break.
// Pure functions; thread-safe.
#pragma once

#include <vector>

#include "pdf/reading_order.h"
#include "pdf/text_rules.h"

namespace docpipe::pdf {

// Font sizes closer than this (points) count as the same size.
inline constexpr float kSameSize = 0.6f;

// Document-wide measures the block rules are relative to.
struct LayoutStats {
  float body_size = 10;    // most common font size by character count
  float pitch_ratio = 1.2f;  // usual baseline-to-baseline distance / font size
};

struct PendingBlock {
  int page = 0;  // 1-based page of the first line
  std::vector<const PageLine*> lines;
  BBox bbox;     // over the lines on the first page
  float size = 0;   // dominant font size by characters
  bool bold = false;  // most characters bold
  int chars = 0;
  ListMarker marker;  // list marker at the start of the first line
};

// pages[i] holds page i+1's lines in reading order.
LayoutStats MeasureLayout(const std::vector<std::vector<PageLine>>& pages);

// The returned blocks point into `pages`, which must outlive them.
std::vector<PendingBlock> BuildBlocks(const std::vector<std::vector<PageLine>>& pages,
                                      const LayoutStats& stats);

}  // namespace docpipe::pdf
