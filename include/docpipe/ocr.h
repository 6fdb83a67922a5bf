// Optical character recognition of page images with Tesseract 5 (LSTM).
//
// OcrModel is the immutable shared part, made once per process: it checks
// that every requested language's traineddata is installed (a missing one is
// one clear error at start-up, not a failure per page). OcrSession is the
// per-worker part: one TessBaseAPI initialised once and reused for every page
// that worker recognises. Tesseract's own OpenMP threads are switched off for
// the calling thread: one page per core scales better than threads inside a
// page. A session must only be used by one thread at a time; the model may be
// shared by any number of sessions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "docpipe/document.h"
#include "docpipe/status.h"

namespace docpipe {

// When pages are recognised.
enum class OcrMode {
  kAuto,    // pages without a usable text layer (and the image parts of mixed pages)
  kAlways,  // every page with images, replacing an existing OCR layer
  kNever,   // none: such pages are only marked needs_ocr
};

Result<OcrMode> ParseOcrMode(std::string_view text);  // "auto", "always", "never"
std::string_view OcrModeName(OcrMode mode);

struct OcrOptions {
  OcrMode mode = OcrMode::kAuto;
  std::string languages = "eng";  // Tesseract's form: "eng+deu"
  int dpi = 300;                  // render resolution of pages sent to OCR
  std::string tessdata_dir;       // empty: TESSDATA_PREFIX, else the system's tessdata folder
  bool detect_orientation = true;  // turn pages rotated by 90/180/270 degrees (needs osd.traineddata)
  float low_confidence = 0.6f;     // pages whose mean word confidence is below are listed in reports
  // Words recognised on a picture of a digital page with a confidence below
  // this are left out of the text (and counted): on photos, diagrams and
  // unreadable scripts Tesseract reports garbage words at 0.0-0.4, on
  // legible text 0.8 and more. Scanned pages keep every word, as Tesseract's
  // own output does: on a page of text a low-confidence word is a misread
  // word, and leaving it out loses more of the text than it keeps out.
  float min_word_confidence = 0.3f;
};

// An 8-bit grayscale image, rows top to bottom, `stride` bytes apart.
struct GrayImage {
  int width = 0, height = 0, stride = 0;
  int dpi = 300;
  std::vector<uint8_t> pixels;
};

// One recognised text line; boxes in the image's pixels, origin top-left.
struct OcrLine {
  std::string text;  // UTF-8, words joined by single spaces
  BBox bbox;
  float baseline = 0;      // y of the baseline at the line's left end
  float row_height = 0;    // x-height + ascenders + descenders: the font size in pixels
  float confidence = 0;    // mean word confidence in [0, 1]
  bool paragraph_start = false;  // first line of a Tesseract paragraph
  bool bold = false;
  int words = 0;
  // Where Tesseract's layout put the line: its block (0, 1, ... in
  // Tesseract's reading order) and its text line. A line Tesseract ran across
  // a wide gap (a narrow gutter) comes back as several pieces of one `line`.
  int block = 0;
  int line = 0;
};

struct OcrPage {
  std::vector<OcrLine> lines;  // in Tesseract's reading order
  float mean_confidence = -1;  // over all words, [0, 1]; -1 when no word was found
  int rotation = 0;            // degrees clockwise the image was turned before recognition
  bool timed_out = false;      // the deadline passed; `lines` holds nothing
  int width = 0, height = 0;   // of the image recognised (after turning)
  // Of a picture: below OcrOptions::min_word_confidence, left out of `lines`; boxes in the
  // image's pixels like the lines'.
  std::vector<OcrWord> low_confidence_words;
  // Non-empty: OSD found the text to be in this script, which the loaded
  // languages do not read; `lines` is then empty (what they would hold is garbage).
  std::string unread_script;
  double seconds = 0;          // recognition only (orientation detection included)
};

class OcrModel {
 public:
  // kNotFound naming the language and the folder searched when a traineddata
  // file is missing; kInvalidArgument for a malformed language list.
  static Result<std::shared_ptr<const OcrModel>> Make(const OcrOptions& options);
  virtual ~OcrModel() = default;
  virtual const OcrOptions& options() const = 0;
  // Average seconds to initialise one session: reported against per-page cost.
  virtual double session_setup_seconds() const = 0;
  virtual int sessions_made() const = 0;
};

// What an image given to OcrSession::Recognize is.
enum class OcrSubject {
  kPage,     // a scanned page: every word kept
  kPicture,  // a picture of a digital page: words below OcrOptions::min_word_confidence left out
};

class OcrSession {
 public:
  static Result<std::unique_ptr<OcrSession>> Make(std::shared_ptr<const OcrModel> model);
  virtual ~OcrSession() = default;
  // Recognises one page. `deadline_seconds` <= 0: no limit; past it, Tesseract
  // is cancelled and the page comes back with timed_out set. With orientation
  // detection on, a page that reads poorly is checked with OSD and recognised
  // again turned upright when OSD is confident it is rotated.
  // A page that reads poorly is also checked for its script (OSD): one the
  // loaded languages do not read (CJK with "eng") comes back with no lines
  // and unread_script set.
  virtual Result<OcrPage> Recognize(const GrayImage& image, double deadline_seconds, OcrSubject subject) = 0;
  // The script OSD finds in `image` when the loaded languages do not read it
  // and OSD is confident enough; empty otherwise (also without osd.traineddata).
  virtual std::string UnreadScript(const GrayImage& image) = 0;
};

// `image` turned clockwise by 0, 90, 180 or 270 degrees.
GrayImage RotateClockwise(const GrayImage& image, int degrees);

}  // namespace docpipe
