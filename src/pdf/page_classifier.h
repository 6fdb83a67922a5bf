// Page kinds from the text layer against the images painted: digital (text,
// no large image), scanned (an image with no text, or with an invisible OCR
// layer laid over it), mixed (a text layer beside an image holding text of its
// own, such as a figure with a caption), empty. And which pages the OCR stage
// recognises under each OcrMode.
// Pure functions; thread-safe.
#pragma once

#include "docpipe/ocr.h"
#include "pdf/raw_page.h"

namespace docpipe::pdf {

// An image covering at least this share of the page is the page (a scan).
inline constexpr float kFullPageImage = 0.8f;
// Images smaller than this share (logos, icons, rules) do not make a page mixed.
inline constexpr float kMinMixedImage = 0.05f;

// Sets page->kind and page->needs_ocr from lines, chars, images and coverage.
void ClassifyPage(RawPage* page);

// What the OCR stage does with a classified page.
enum class OcrAction {
  kNone,
  kWholePage,   // recognise the page; its lines replace any text layer
  kImageParts,  // recognise the page; keep what lies on images, away from the text layer
};

OcrAction ChooseOcrAction(const RawPage& page, OcrMode mode);

}  // namespace docpipe::pdf
