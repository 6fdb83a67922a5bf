#include "pdf/page_classifier.h"

#include <algorithm>

namespace docpipe::pdf {
namespace {

// Share of the layer's characters that are letters or digits: an earlier
// OCR tool's layer over a photo or a noisy scan is mostly punctuation.
float WordCharacterShare(const RawPage& page) {
  int word = 0, all = 0;
  for (const RawLine& line : page.lines) {
    for (unsigned char c : line.text) {
      if (c == ' ') continue;
      if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: counted with its lead
      ++all;
      word += std::isalnum(c) || c >= 0x80;
    }
  }
  return all == 0 ? 0 : static_cast<float>(word) / all;
}

// Text lying mostly within the images: a layer laid over a scan.
bool TextOverImages(const RawPage& page) {
  int inside = 0;
  for (const RawLine& line : page.lines) {
    const float cx = (line.bbox.x0 + line.bbox.x1) / 2, cy = (line.bbox.y0 + line.bbox.y1) / 2;
    inside += std::any_of(page.images.begin(), page.images.end(), [&](const PageImage& image) {
      const BBox& box = image.box;
      return cx >= box.x0 && cx <= box.x1 && cy >= box.y0 && cy <= box.y1;
    });
  }
  return inside * 10 >= static_cast<int>(page.lines.size()) * 9;
}

}  // namespace

void ClassifyPage(RawPage* page) {
  const bool text = page->chars >= kMinTextChars;
  if (!text) {
    page->needs_ocr = page->has_images;
    page->kind = page->has_images ? PageKind::kScanned : PageKind::kEmpty;
    return;
  }
  if (page->image_coverage >= kFullPageImage && TextOverImages(*page)) {
    // An OCR layer from an earlier tool: kept when it reads like words.
    page->kind = PageKind::kScanned;
    page->needs_ocr = WordCharacterShare(*page) < 0.6f;
    return;
  }
  page->kind = page->image_coverage >= kMinMixedImage ? PageKind::kMixed : PageKind::kDigital;
}

OcrAction ChooseOcrAction(const RawPage& page, OcrMode mode) {
  if (mode == OcrMode::kNever || !page.error.empty() || !page.has_images) return OcrAction::kNone;
  switch (page.kind) {
    case PageKind::kScanned:
      return page.needs_ocr || mode == OcrMode::kAlways ? OcrAction::kWholePage : OcrAction::kNone;
    case PageKind::kMixed: return OcrAction::kImageParts;
    case PageKind::kDigital:
    case PageKind::kEmpty: return OcrAction::kNone;
  }
  return OcrAction::kNone;
}

}  // namespace docpipe::pdf
