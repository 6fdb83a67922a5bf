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

// Where a drawing's pixels lie on the page: point = pixel * points_per_pixel + origin.
struct PixelFrame {
  float points_per_pixel = 1;
  float x0 = 0, y0 = 0;

  BBox ToPoints(const BBox& box) const {
    return BBox{x0 + box.x0 * points_per_pixel, y0 + box.y0 * points_per_pixel,
                x0 + box.x1 * points_per_pixel, y0 + box.y1 * points_per_pixel};
  }
};

struct Drawing {
  GrayImage image;
  PixelFrame frame;
};

bool CentreOn(const BBox& box, const BBox& picture) {
  const float cx = (box.x0 + box.x1) / 2, cy = (box.y0 + box.y1) / 2;
  return cx >= picture.x0 && cx <= picture.x1 && cy >= picture.y0 && cy <= picture.y1;
}

// A box in an image recognised turned `rotation` degrees clockwise (of
// `width` x `height` pixels after turning), in the unturned image's pixels.
BBox Unturned(const BBox& box, int rotation, int width, int height) {
  switch (rotation) {
    case 90:
      return BBox{box.y0, width - box.x1, box.y1, width - box.x0};
    case 180:
      return BBox{width - box.x1, height - box.y1, width - box.x0, height - box.y0};
    case 270:
      return BBox{height - box.y1, box.x0, height - box.y0, box.x1};
    default:
      return box;
  }
}

RawLine ToRawLine(const OcrLine& line, const PixelFrame& frame) {
  RawLine raw;
  raw.text = line.text;
  raw.bbox = frame.ToPoints(line.bbox);
  raw.baseline = frame.y0 + line.baseline * frame.points_per_pixel;
  // Sizes rounded to a quarter point: rows of one font vary by a pixel or two.
  raw.size = std::round(line.row_height * frame.points_per_pixel / kRowHeightPerFontSize * 4) / 4;
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

// A line recognised on a picture is kept when its centre is on the picture
// and it does not repeat a line of the text layer drawn over it.
bool OnImageOnly(const RawLine& line, const BBox& picture, const RawPage& page) {
  if (!CentreOn(line.bbox, picture)) return false;
  return std::none_of(page.lines.begin(), page.lines.end(), [&](const RawLine& digital) {
    return digital.source == TextSource::kDigital && OverlapShare(line.bbox, digital.bbox) > 0.3f;
  });
}

double SecondsLeft(double seconds_left, const Stopwatch& watch) {
  if (seconds_left <= 0) return 0;
  return std::max(1e-3, seconds_left - watch.Seconds());
}

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.3g", seconds);
  return text;
}

// Draws the page, or its part within `clip` (points), in gray; sets
// page->error and returns false on failure. What MuPDF said while drawing
// goes to *complaint: an image it could not decode is left out of the drawing
// with only a warning.
bool Render(fz_context* ctx, fz_page* fz_page, float scale, const fz_rect& clip, double seconds_left,
            PageWatchdog* watchdog, WarningLog* warnings, RawPage* page, Drawing* drawing,
            std::string* complaint) {
  fz_cookie cookie{};
  GrayPixmap pixmap;
  warnings->last[0] = '\0';
  watchdog->Arm(&cookie, seconds_left);
  Status status = RenderGray(ctx, fz_page, scale, clip, &cookie, &pixmap);
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
  GrayImage* image = &drawing->image;
  image->dpi = static_cast<int>(std::lround(scale * 72));
  image->width = pixmap.width;
  image->height = pixmap.height;
  image->stride = pixmap.width;
  image->pixels.resize(static_cast<size_t>(pixmap.width) * pixmap.height);
  for (int y = 0; y < pixmap.height; ++y) {
    std::memcpy(image->pixels.data() + static_cast<size_t>(y) * pixmap.width,
                pixmap.samples + static_cast<size_t>(y) * pixmap.stride, pixmap.width);
  }
  drawing->frame = PixelFrame{1.0f / scale, pixmap.x / scale, pixmap.y / scale};
  return true;
}

// Puts on the page why a recognition left nothing to keep: an error, or the
// page's time ran out.
bool RecognitionFailed(const Result<OcrPage>& result, double seconds_left, RawPage* page) {
  if (!result.ok()) {
    page->error = "ocr: " + result.status().message();
    return true;
  }
  if (result->timed_out) {
    page->error = "timeout: OCR of page " + std::to_string(page->number) + " took longer than " +
                  Seconds(seconds_left) + " s";
    return true;
  }
  return false;
}

// Pictures of a digital page smaller than this (points) hold no text worth
// indexing: icons, bullets, logos.
constexpr float kMinPictureSide = 36, kMinPictureArea = 72 * 72;

bool Small(const BBox& box) {
  return box.width() < kMinPictureSide || box.height() < kMinPictureSide ||
         box.width() * box.height() < kMinPictureArea;
}

bool CentreOnAny(const BBox& box, const std::vector<BBox>& pictures) {
  return std::any_of(pictures.begin(), pictures.end(),
                     [&](const BBox& picture) { return CentreOn(box, picture); });
}

// Keeps what `result` read on `picture` (drawn as `frame`): lines not in the
// text layer, low-confidence words; what lies on a picture read before (one
// painted over another) was kept with that one.
void KeepPictureText(const OcrPage& result, const PixelFrame& frame, const BBox& picture,
                     const std::vector<BBox>& read_before, RawPage* page) {
  auto to_page = [&](const BBox& box) {
    return frame.ToPoints(Unturned(box, result.rotation, result.width, result.height));
  };
  std::vector<RawLine> kept;
  for (const OcrLine& line : result.lines) {
    OcrLine upright = line;
    upright.bbox = Unturned(line.bbox, result.rotation, result.width, result.height);
    if (result.rotation != 0) upright.baseline = upright.bbox.y1;
    RawLine raw = ToRawLine(upright, frame);
    if (OnImageOnly(raw, picture, *page) && !CentreOnAny(raw.bbox, read_before))
      kept.push_back(std::move(raw));
  }
  for (RawLine& line : kept) page->lines.push_back(std::move(line));
  for (const OcrWord& word : result.low_confidence_words) {
    OcrWord placed{word.text, to_page(word.bbox), word.confidence};
    if (CentreOn(placed.bbox, picture) && !CentreOnAny(placed.bbox, read_before)) {
      page->low_confidence_words.push_back(std::move(placed));
    }
  }
}

// Recognises the pictures of a digital page worth reading, each drawn alone
// (only its box) at a resolution of its own: large enough, with ink that
// looks like rows of glyphs (text_likeness.h), in a script the loaded
// languages read. Photos and diagrams are not recognised: that costs as
// much as a page and yields noise. What is left out is counted by reason.
// The worker's session is only started once a picture passes the drawing's
// test: a run whose pictures are all photos and icons never loads Tesseract.
void RecognizePictures(fz_context* ctx, fz_page* fz_page, const PageOcr& ocr, double seconds_left,
                       PageWatchdog* watchdog, WarningLog* warnings, RawPage* page) {
  Stopwatch watch, lap;
  OcrCounts& counts = page->ocr_counts;
  std::string complaint;
  double confidence_sum = 0;
  int confidence_words = 0;
  bool read_nothing = true;
  std::vector<BBox> read;
  for (const PageImage& picture : page->images) {
    if (Small(picture.box)) {
      ++counts.pictures_small;
      continue;
    }
    const fz_rect clip{picture.box.x0, picture.box.y0, picture.box.x1, picture.box.y1};
    float scale = PictureTestScale(picture, ocr.dpi);
    Drawing drawing;
    const bool drawn = Render(ctx, fz_page, scale, clip, SecondsLeft(seconds_left, watch), watchdog, warnings,
                              page, &drawing, &complaint);
    page->render_seconds += lap.Lap();
    if (!drawn) return;
    const TextLikeness likeness = MeasureTextLikeness(drawing.image);
    if (!likeness.text_like) {
      ++counts.pictures_not_text;
      page->ocr_seconds += lap.Lap();
      continue;
    }
    Result<OcrSession*> started = ocr.session();
    if (!started.ok()) {
      page->error = "ocr: " + started.status().message();
      return;
    }
    OcrSession* session = *started;
    if (!session->UnreadScript(drawing.image).empty()) {
      ++counts.pictures_other_script;
      page->ocr_seconds += lap.Lap();
      continue;
    }
    page->ocr_seconds += lap.Lap();
    const float read_scale = PictureReadScale(picture, ocr.dpi, scale, likeness.glyph_height);
    if (read_scale > scale * 1.05f) {
      scale = read_scale;
      const bool redrawn = Render(ctx, fz_page, scale, clip, SecondsLeft(seconds_left, watch), watchdog,
                                  warnings, page, &drawing, &complaint);
      page->render_seconds += lap.Lap();
      if (!redrawn) return;
    }
    Result<OcrPage> result =
        session->Recognize(drawing.image, SecondsLeft(seconds_left, watch), OcrSubject::kPicture);
    page->ocr_seconds += lap.Lap();
    if (RecognitionFailed(result, seconds_left, page)) return;
    if (!result->unread_script.empty()) {
      ++counts.pictures_other_script;
      continue;
    }
    ++counts.pictures_read;
    read_nothing = read_nothing && result->lines.empty();
    int words = static_cast<int>(result->low_confidence_words.size());
    for (const OcrLine& line : result->lines) words += line.words;
    if (result->mean_confidence >= 0) {
      confidence_sum += double(result->mean_confidence) * words;
      confidence_words += words;
    }
    KeepPictureText(*result, drawing.frame, picture.box, read, page);
    read.push_back(picture.box);
  }
  if (!complaint.empty() && counts.pictures_read > 0 && read_nothing) {
    // Nothing legible and MuPDF complained: a damaged image, not a blank picture.
    page->error = "damaged image: " + complaint;
    return;
  }
  if (confidence_words > 0) page->ocr_confidence = static_cast<float>(confidence_sum / confidence_words);
  page->ocr_counts.words_dropped += static_cast<int>(page->low_confidence_words.size());
  page->chars = 0;
  for (const RawLine& line : page->lines) page->chars += line.chars;
}

// Recognises the page drawn whole; its lines replace any text layer.
void RecognizeWholePage(fz_context* ctx, fz_page* fz_page, const PageOcr& ocr, OcrSession* session,
                        double seconds_left, PageWatchdog* watchdog, WarningLog* warnings, RawPage* page) {
  Stopwatch watch;
  const float scale = OcrScale(page->width, page->height, ocr.dpi);
  Drawing drawing;
  std::string complaint;
  const bool rendered = Render(ctx, fz_page, scale, fz_infinite_rect, seconds_left, watchdog, warnings, page,
                               &drawing, &complaint);
  page->render_seconds = watch.Lap();
  if (!rendered) return;
  Result<OcrPage> result =
      session->Recognize(drawing.image, SecondsLeft(seconds_left, watch), OcrSubject::kPage);
  page->ocr_seconds = watch.Lap();
  if (RecognitionFailed(result, seconds_left, page)) return;
  if (!complaint.empty() && result->lines.empty()) {
    // Nothing legible and MuPDF complained: a damaged image, not a blank page.
    page->error = "damaged image: " + complaint;
    return;
  }
  if (!result->unread_script.empty()) {
    // Nothing is kept: what the wrong languages made of it is garbage.
    page->ocr_unread_script = result->unread_script;
    return;
  }
  page->ocr_confidence = result->mean_confidence;
  page->ocr_rotation = result->rotation;
  page->lines.clear();
  for (const OcrLine& line : result->lines) page->lines.push_back(ToRawLine(line, drawing.frame));
  for (const OcrWord& word : result->low_confidence_words) {
    page->low_confidence_words.push_back(
        OcrWord{word.text, drawing.frame.ToPoints(word.bbox), word.confidence});
  }
  page->ocr_counts.words_dropped += static_cast<int>(page->low_confidence_words.size());
  // A page read turned a quarter is laid out as read: its lines are
  // upright in a frame with width and height swapped.
  if (result->rotation == 90 || result->rotation == 270) std::swap(page->width, page->height);
  page->chars = 0;
  for (const RawLine& line : page->lines) page->chars += line.chars;
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

float PictureTestScale(const PageImage& picture, int ocr_dpi) {
  const float own = picture.dpi > 0 ? std::max(picture.dpi, kMinPictureDpi) : float(ocr_dpi);
  const float dpi = std::min(own, float(ocr_dpi));
  return OcrScale(picture.box.width(), picture.box.height(), static_cast<int>(std::lround(dpi)));
}

float PictureReadScale(const PageImage& picture, int ocr_dpi, float test_scale, int glyph_height) {
  if (glyph_height <= 0 || glyph_height >= kReadableGlyphPixels) return test_scale;
  const float most =
      std::min(kMaxPictureUpscale * test_scale, OcrScale(picture.box.width(), picture.box.height(), ocr_dpi));
  return std::max(test_scale, std::min(test_scale * kReadableGlyphPixels / glyph_height, most));
}

void RecognizePage(fz_context* ctx, fz_page* fz_page, OcrAction action, const PageOcr& ocr,
                   double seconds_left, PageWatchdog* watchdog, WarningLog* warnings, RawPage* page) {
  if (action == OcrAction::kNone) return;
  if (action == OcrAction::kImageParts) {
    RecognizePictures(ctx, fz_page, ocr, seconds_left, watchdog, warnings, page);
    return;
  }
  Result<OcrSession*> session = ocr.session();
  if (!session.ok()) {
    page->error = "ocr: " + session.status().message();
    return;
  }
  RecognizeWholePage(ctx, fz_page, ocr, *session, seconds_left, watchdog, warnings, page);
}

}  // namespace docpipe::pdf
