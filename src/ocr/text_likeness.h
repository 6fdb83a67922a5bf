// Whether an image's ink looks like rows of glyphs: the cheap test run on
// the pictures of a digital page before recognising them. Connected
// components of glyph size (3 to 40 points tall at the image's dpi) are
// chained side by side into rows; a picture holds text worth reading when
// it has at least two rows of ten glyphs holding 30% of its ink. Photos
// (ink in large blobs) and diagrams (lines, a few short labels) fail it.
// Pure functions; thread-safe.
#pragma once

#include "docpipe/ocr.h"

namespace docpipe {

inline constexpr int kMinTextRows = 2;
inline constexpr float kMinRowInkShare = 0.3f;

struct TextLikeness {
  float ink = 0;           // share of pixels that are ink
  int glyphs = 0;          // glyph-sized components in rows
  int rows = 0;            // rows of ten glyphs or more
  long row_ink = 0;        // ink pixels in those rows
  int glyph_height = 0;    // median height in pixels of the glyphs in those rows
  bool text_like = false;  // kMinTextRows rows holding kMinRowInkShare of the ink
};

TextLikeness MeasureTextLikeness(const GrayImage& image);

// The part of `image` at (x, y) of `width` x `height` pixels, clipped to it.
GrayImage Crop(const GrayImage& image, int x, int y, int width, int height);

}  // namespace docpipe
