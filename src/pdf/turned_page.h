// A page printed sideways (a landscape page's content turned onto a portrait
// page, as LaTeX's sidewaystable prints the table and the paragraphs around
// it) is read in the frame where most of its text reads left to right: its
// lines are put into that frame (table_frame.h) for reading order and block
// building, and its blocks' boxes are put back on the page afterwards.
// Pure functions; thread-safe.
#pragma once

#include <vector>

#include "pdf/raw_page.h"
#include "pdf/table_frame.h"

namespace docpipe::pdf {

// The quarter turns most of the page's characters are turned by; 0 when
// most read upright or at no quarter turn, and for a page without text.
int PageTurns(const std::vector<RawLine>& lines);

// `lines` as `frame` sees them: boxes turned, each baseline at the bottom of
// its turned box (baselines only order lines and measure their pitch).
void LinesToFrame(const TableFrame& frame, std::vector<RawLine>* lines);

}  // namespace docpipe::pdf
