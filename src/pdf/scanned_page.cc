#include "pdf/scanned_page.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/stopwatch.h"
#include "ocr/text_likeness.h"
#include "pdf/mupdf_handles.h"

namespace docpipe::pdf {
namespace {

// Tesseract's row height (x-height plus ascenders and descenders) of body text
// set in a font of size S is about 1.07 S for common serif and sans faces:
// dividing by it puts OCR'd lines on the same size scale as digital ones.
constexpr float kRowHeightPerFontSize = 1.07f;

int CountNonSpace(const std::string& text) {
  int count = 0;
  for (unsigned char c : text) count += c != ' ' && (c & 0xC0) != 0x80;
  return count;
}

BBox Scaled(const BBox& box, float factor) {
  return BBox{box.x0 * factor, box.y0 * factor, box.x1 * factor, box.y1 * factor};
}

bool CentreOnAny(const BBox& box, const std::vector<BBox>& pictures) {
  const float cx = (box.x0 + box.x1) / 2, cy = (box.y0 + box.y1) / 2;
  return std::any_of(pictures.begin(), pictures.end(), [&](const BBox& image) {
    return cx >= image.x0 && cx <= image.x1 && cy >= image.y0 && cy <= image.y1;
  });
}

RawLine ToRawLine(const OcrLine& line, float points_per_pixel) {
  RawLine raw;
  raw.text = line.text;
  raw.bbox = Scaled(line.bbox, points_per_pixel);
  raw.baseline = line.baseline * points_per_pixel;
  // Sizes rounded to a quarter point: rows of one font vary by a pixel or two.
  raw.size = std::round(line.row_height * points_per_pixel / kRowHeightPerFontSize * 4) / 4;
  raw.chars = CountNonSpace(line.text);
  raw.source = TextSource::kOcr;
  raw.confidence = line.confidence;
  raw.layout_block = line.block;
  raw.layout_line = line.line;
  return raw;
}

float OverlapShare(const BBox& a, const BBox& b) {
  const float w = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
  const float h = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  const float area = a.width() * a.height();
  return w <= 0 || h <= 0 || area <= 0 ? 0 : w * h / area;
}

// A recognised line belongs to an image part when its centre is on one of
// the pictures read and it does not repeat a line of the text layer.
bool OnImageOnly(const RawLine& line, const std::vector<BBox>& pictures, const RawPage& page) {
  if (!CentreOnAny(line.bbox, pictures)) return false;
  return std::none_of(page.lines.begin(), page.lines.end(), [&](const RawLine& digital) {
    return digital.source == TextSource::kDigital && OverlapShare(line.bbox, digital.bbox) > 0.3f;
  });
}

// Pictures of a digital page smaller than this (points) hold no text worth
// indexing: icons, bullets, logos.
constexpr float kMinPictureSide = 36, kMinPictureArea = 72 * 72;

// The pictures of the page worth reading: large enough, with ink that looks
// like rows of glyphs (text_likeness.h), in a script the loaded languages
// read. Photos and diagrams are not read: recognising them costs as much as
// a page and yields noise. What is left out is counted by reason.
std::vector<BBox> PicturesToRead(const GrayImage& image, float scale, OcrSession* session, RawPage* page) {
  std::vector<BBox> read;
  OcrCounts& counts = page->ocr_counts;
  for (const BBox& box : page->images) {
    if (box.width() < kMinPictureSide || box.height() < kMinPictureSide ||
        box.width() * box.height() < kMinPictureArea) {
      ++counts.pictures_small;
      continue;
    }
    const GrayImage part = Crop(image, static_cast<int>(box.x0 * scale), static_cast<int>(box.y0 * scale),
                                static_cast<int>(box.width() * scale), static_cast<int>(box.height() * scale));
    if (!MeasureTextLikeness(part).text_like) {
      ++counts.pictures_not_text;
    } else if (!session->UnreadScript(part).empty()) {
      ++counts.pictures_other_script;
    } else {
      read.push_back(box);
    }
  }
  counts.pictures_read = static_cast<int>(read.size());
  return read;
}

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3g", seconds);
  return text;
}

// Draws the page in gray; sets page->error and returns false on failure.
// What MuPDF said while drawing goes to *complaint: an image it could not
// decode is left out of the drawing with only a warning.
bool Render(fz_context* ctx, fz_page* fz_page, float scale, double seconds_left, PageWatchdog* watchdog,
            WarningLog* warnings, RawPage* page, GrayImage* image, std::string* complaint) {
  fz_cookie cookie{};
  GrayPixmap pixmap;
  warnings->last[0] = '\0';
  watchdog->Arm(&cookie, seconds_left);
  Status status = RenderGray(ctx, fz_page, scale, &cookie, &pixmap);
  watchdog->Disarm();
  PixmapPtr owned(pixmap.pixmap, PixmapDeleter{ctx});
  if (cookie.abort) {
    page->error = "timeout: rendering page " + std::to_string(page->number) + " for OCR ran out of time";
    return false;
  }
  if (!status.ok()) {
    page->error = "ocr: cannot render page: " + status.message();
    return false;
  }
  if (cookie.errors > 0 || warnings->last[0] != '\0') {
    *complaint = warnings->last[0] ? warnings->last : "cannot decode";
  }
  image->width = pixmap.width;
  image->height = pixmap.height;
  image->stride = pixmap.width;
  image->pixels.resize(static_cast<size_t>(pixmap.width) * pixmap.height);
  for (int y = 0; y < pixmap.height; ++y) {
    std::memcpy(image->pixels.data() + static_cast<size_t>(y) * pixmap.width,
                pixmap.samples + static_cast<size_t>(y) * pixmap.stride, pixmap.width);
  }
  return true;
}

}  // namespace

float OcrScale(float width, float height, int dpi) {
  float scale = static_cast<float>(dpi) / 72.0f;
  const double pixels = double(width) * height * scale * scale;
  if (pixels > kMaxOcrPixels) scale *= static_cast<float>(std::sqrt(kMaxOcrPixels / pixels));
  const float side = std::max(width, height) * scale;
  if (side > kMaxOcrSide) scale *= kMaxOcrSide / side;
  return scale;
}

void RecognizePage(fz_context* ctx, fz_page* fz_page, OcrAction action, const PageOcr& ocr,
                   double seconds_left, PageWatchdog* watchdog, WarningLog* warnings, RawPage* page) {
  if (action == OcrAction::kNone) return;
  Result<OcrSession*> session = ocr.session();
  if (!session.ok()) {
    page->error = "ocr: " + session.status().message();
    return;
  }
  Stopwatch watch;
  const float scale = OcrScale(page->width, page->height, ocr.dpi);
  GrayImage image;
  image.dpi = static_cast<int>(std::lround(scale * 72));
  std::string complaint;
  const bool rendered = Render(ctx, fz_page, scale, seconds_left, watchdog, warnings, page, &image, &complaint);
  page->render_seconds = watch.Lap();
  if (!rendered) return;
  std::vector<BBox> pictures;
  if (action == OcrAction::kImageParts) {
    pictures = PicturesToRead(image, scale, *session, page);
    if (pictures.empty()) return;
  }
  double left = 0;
  if (seconds_left > 0) {
    left = seconds_left - page->render_seconds;
    if (left <= 0) left = 1e-3;
  }
  Result<OcrPage> result = (*session)->Recognize(image, left);
  page->ocr_seconds = watch.Lap();
  if (!result.ok()) {
    page->error = "ocr: " + result.status().message();
    return;
  }
  if (result->timed_out) {
    page->error = "timeout: OCR of page " + std::to_string(page->number) + " took longer than " +
                  Seconds(seconds_left) + " s";
    return;
  }
  if (!complaint.empty() && result->lines.empty()) {
    // Nothing legible and MuPDF complained: a damaged image, not a blank page.
    page->error = "damaged image: " + complaint;
    return;
  }
  if (!result->unread_script.empty()) {
    // Nothing is kept: what the wrong languages made of it is garbage.
    page->ocr_unread_script = result->unread_script;
    page->ocr_counts.pictures_other_script += page->ocr_counts.pictures_read;
    page->ocr_counts.pictures_read = 0;
    return;
  }
  page->ocr_confidence = result->mean_confidence;
  page->ocr_rotation = result->rotation;
  std::vector<RawLine> lines;
  lines.reserve(result->lines.size());
  for (const OcrLine& line : result->lines) lines.push_back(ToRawLine(line, 1.0f / scale));
  for (const OcrWord& word : result->low_confidence_words) {
    OcrWord kept{word.text, Scaled(word.bbox, 1.0f / scale), word.confidence};
    // Of a mixed page only the pictures read count, as for its lines.
    if (action == OcrAction::kWholePage || CentreOnAny(kept.bbox, pictures)) {
      page->low_confidence_words.push_back(std::move(kept));
    }
  }
  page->ocr_counts.words_dropped += static_cast<int>(page->low_confidence_words.size());
  if (action == OcrAction::kWholePage) {
    page->lines = std::move(lines);
    // A page read turned a quarter is laid out as read: its lines are
    // upright in a frame with width and height swapped.
    if (result->rotation == 90 || result->rotation == 270) std::swap(page->width, page->height);
  } else {
    std::vector<RawLine> kept;
    for (RawLine& line : lines) {
      if (OnImageOnly(line, pictures, *page)) kept.push_back(std::move(line));
    }
    for (RawLine& line : kept) page->lines.push_back(std::move(line));
  }
  page->chars = 0;
  for (const RawLine& line : page->lines) page->chars += line.chars;
}

}  // namespace docpipe::pdf
