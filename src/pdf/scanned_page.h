// The OCR step of one page: render it with MuPDF in gray at the OCR
// resolution straight into memory, recognise it with the worker's OcrSession,
// and turn the recognised lines into RawLines in PDF points, so scanned pages
// go through the same block rules as digital ones.
//
// Thread-safety: uses the caller's context, page and session, which belong to
// the calling thread.
#pragma once

#include <functional>

#include <mupdf/fitz.h>

#include "docpipe/ocr.h"
#include "pdf/page_classifier.h"
#include "pdf/page_extractor.h"
#include "pdf/raw_page.h"

namespace docpipe::pdf {

// Renders larger than this many pixels are drawn at a lower resolution: a
// 2,000 x 20,000 point poster must not take gigabytes per worker.
inline constexpr double kMaxOcrPixels = 40e6;
inline constexpr int kMaxOcrSide = 30000;

// What a worker brings to the OCR of its pages.
struct PageOcr {
  OcrMode mode = OcrMode::kNever;
  int dpi = 300;
  // The worker's session, made on first use; an error fails the page alone.
  std::function<Result<OcrSession*>()> session;
};

// Pixels per point for a page of `width` x `height` points at `dpi`, within
// the limits above.
float OcrScale(float width, float height, int dpi);

// A picture of a digital page is drawn at its own resolution (its pixels, no
// more) for the cheap tests before recognition, within these bounds: below
// the lower one glyph shapes are lost to the drawing.
inline constexpr float kMinPictureDpi = 72;
// Glyphs this tall (pixels, the median over a picture's rows of text) or
// taller read as well as larger ones; smaller text (a 96 dpi screenshot's
// 12 pixel type) is drawn larger for recognition, at most
// kMaxPictureUpscale times the tests' drawing and never above the OCR dpi:
// 2x reads such type as well as 3x at under half the pixels.
inline constexpr int kReadableGlyphPixels = 12;
inline constexpr float kMaxPictureUpscale = 2;

// Pixels per point `picture` is drawn at for the text-likeness and script
// tests: its own resolution within [kMinPictureDpi, ocr_dpi] and the limits above.
float PictureTestScale(const PageImage& picture, int ocr_dpi);

// Pixels per point `picture` is drawn at for recognition, given the median
// height of its glyphs (pixels; 0: none found) in the drawing at `test_scale`.
float PictureReadScale(const PageImage& picture, int ocr_dpi, float test_scale, int glyph_height);

// Carries out `action` on `page`: lines, ocr_confidence and timings set; a
// failure or a deadline passed sets page->error and keeps the text layer.
// `seconds_left` <= 0: no time limit.
void RecognizePage(fz_context* ctx, fz_page* fz_page, OcrAction action, const PageOcr& ocr,
                   double seconds_left, PageWatchdog* watchdog, WarningLog* warnings, RawPage* page);

}  // namespace docpipe::pdf
