// Vector rulings of a page: the horizontal and vertical strokes (lines, the
// edges of stroked rectangles, thin filled rectangles) that table detection
// reads, collected by a MuPDF device that sits in front of the structured-text
// device while the page runs, so the page's content is interpreted once.
//
// Thread-safety: a RulingSink and its device belong to the thread running the page.
#pragma once

#include <mupdf/fitz.h>

#include <vector>

namespace docpipe::pdf {

// An axis-aligned segment in page points (origin top-left). Horizontal: at
// y = pos from x = lo to x = hi; vertical: at x = pos from y = lo to y = hi.
struct Ruling {
  bool horizontal = true;
  float pos = 0, lo = 0, hi = 0;
};

// Pages drawing more segments than this (charts, maps, barcodes) are not
// searched for ruled tables: the cap bounds the detection's time and memory.
inline constexpr int kMaxRulings = 6000;

struct RulingSink {
  std::vector<Ruling> rulings;
  bool overflow = false;  // more than kMaxRulings were drawn; rulings is incomplete
};

// A device that records the rulings of the paths it sees into `sink` and
// forwards every call (paths included) to `target`. Called inside fz_try:
// may throw a MuPDF error. The caller drops it before `target` and `sink` go.
fz_device* NewRulingDevice(fz_context* ctx, fz_device* target, RulingSink* sink);

}  // namespace docpipe::pdf
