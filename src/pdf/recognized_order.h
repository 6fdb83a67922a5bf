// Reading order of a recognised (OCR) page from the recogniser's own layout.
//
// Tesseract groups a page's lines into blocks and reads them in its order;
// lines are never merged across blocks here, unlike the row merging of
// digital text. Column gutters are found over the lines (FindGutters, as on
// digital pages); a block is cut where its pieces fall into different
// columns, so nothing joins words across a gutter even when Tesseract ran a
// block over a narrow one. Blocks spanning every column (headline, deck, a
// wide caption) split the page into bands; inside a band the blocks are read
// column by column, top to bottom, a block spanning some columns at its place
// in its leftmost one. Without gutters Tesseract's block order is kept.
// Pure functions; thread-safe.
#pragma once

#include <vector>

#include "pdf/reading_order.h"

namespace docpipe::pdf {

// True when every line is recognised text that carries Tesseract's layout.
bool HasRecognizedLayout(const std::vector<RawLine>& lines);

// `lines` in the recogniser's order (RawLine::layout_block/layout_line set).
std::vector<PageLine> OrderRecognizedLines(std::vector<RawLine> lines);

}  // namespace docpipe::pdf
