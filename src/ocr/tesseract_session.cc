// OcrSession over one TessBaseAPI (and, when a page reads poorly, a second one
// loaded with osd.traineddata to find its orientation).
#include <omp.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>
#include <leptonica/allheaders.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/stopwatch.h"
#include "docpipe/ocr.h"
#include "ocr/script_coverage.h"
#include "ocr/tesseract_model.h"

namespace docpipe {
namespace {

// A first pass reading below this mean confidence may be a turned page.
constexpr float kCheckOrientationBelow = 0.6f;
// OSD's own confidence scale: 15 is "reasonably confident" per its authors.
constexpr float kMinOrientationConfidence = 5.0f;
// OSD's script confidence is a margin over the next script: clean Latin pages
// score 10-20, clean Chinese about 1 (Han and Japanese share glyphs). Text is
// only skipped for its script above this, and (on pages) when it also reads
// poorly.
constexpr float kMinScriptConfidence = 0.5f;
// A page whose text leans more than this (radians; 1.5 degrees) is turned
// level and read again.
constexpr float kDeskewAbove = 0.026f;
// Lines of noise (speckles read as ",.'") come back with confidence below this.
constexpr float kMinLineConfidence = 0.25f;

struct TessDeleter {
  void operator()(tesseract::TessBaseAPI* api) const {
    api->End();
    delete api;
  }
};
using TessPtr = std::unique_ptr<tesseract::TessBaseAPI, TessDeleter>;

struct TextDeleter {
  void operator()(char* text) const { delete[] text; }
};
using TextPtr = std::unique_ptr<char[], TextDeleter>;

// Tesseract's LSTM runs `omp parallel num_threads(...)` loops; zero active
// levels make every such region run on the calling thread alone. Set per
// thread because libgomp keeps this setting per task.
void KeepOpenMpOnThisThread() { omp_set_max_active_levels(0); }

Result<TessPtr> NewApi(const std::string& tessdata, const std::string& languages,
                       tesseract::OcrEngineMode mode) {
  // Tesseract prints diagnostics ("Estimating resolution", "Detected N
  // diacritics") through tprintf; they are noise in a pipeline's output.
  // debug_file is one of Tesseract's global parameters: set once, before any
  // session, since sessions are made on several threads at once (each setting
  // it raced with the others' writes and tprintf's reads).
  static const bool quiet = [] {
    tesseract::TessBaseAPI setter;
    return setter.SetVariable("debug_file", "/dev/null");
  }();
  (void)quiet;
  TessPtr api(new tesseract::TessBaseAPI());
  if (api->Init(tessdata.c_str(), languages.c_str(), mode) != 0) {
    return Status::Internal("Tesseract cannot load '" + languages + "' from " + tessdata);
  }
  return api;
}

void SetImage(tesseract::TessBaseAPI* api, const GrayImage& image) {
  api->SetImage(image.pixels.data(), image.width, image.height, 1, image.stride);
  api->SetSourceResolution(image.dpi);
}

std::string Trimmed(const char* text) {
  std::string out = text ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// A gap between two words of one Tesseract line wider than this many row
// heights is not a word space: Tesseract ran the line across a narrow column
// gutter (or between table cells), and the line is cut there so that the
// page's reading order can put each piece in its own column.
constexpr float kLineSplitGap = 0.8f;

// A word of punctuation only below this confidence is a speck ("_" by a
// gutter, "," in a margin): it would stretch its line across the gutter.
constexpr double kMinSpeckConfidence = 0.5;

bool HasLetterOrDigit(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
  });
}

// "|", "_" and runs of them are box edges and rules read as text.
bool IsRule(const std::string& text) {
  return text.find_first_not_of("|_") == std::string::npos;
}

BBox Box(tesseract::ResultIterator* it, tesseract::PageIteratorLevel level) {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  it->BoundingBox(level, &x0, &y0, &x1, &y1);
  return BBox{float(x0), float(y0), float(x1), float(y1)};
}

// Turns boxes of a skewed page level: Tesseract reports, per block, how far
// the text must be turned anti-clockwise to be level. Each word box is moved
// with its centre (its size kept), so lines come out flat and columns
// upright; below a tenth of a degree nothing moves.
class Leveller {
 public:
  Leveller(int width, int height) : cx_(0.5f * width), cy_(0.5f * height) {}

  void SetAngle(float radians) {
    active_ = std::fabs(radians) > 0.0017f;
    cos_ = std::cos(radians);
    sin_ = std::sin(radians);
  }

  void Apply(float* x, float* y) const {
    if (!active_) return;
    const float dx = *x - cx_, dy = *y - cy_;
    *x = cx_ + dx * cos_ + dy * sin_;
    *y = cy_ - dx * sin_ + dy * cos_;
  }

  BBox Apply(const BBox& box) const {
    float x = 0.5f * (box.x0 + box.x1), y = 0.5f * (box.y0 + box.y1);
    Apply(&x, &y);
    const float w = 0.5f * box.width(), h = 0.5f * box.height();
    return BBox{x - w, y - h, x + w, y + h};
  }

 private:
  float cx_, cy_, cos_ = 1, sin_ = 0;
  bool active_ = false;
};

float BlockDeskewAngle(tesseract::ResultIterator* it) {
  tesseract::Orientation orientation;
  tesseract::WritingDirection direction;
  tesseract::TextlineOrder order;
  float angle = 0;
  it->Orientation(&orientation, &direction, &order, &angle);
  return angle;
}

// The size a gap between two words is measured against: the row height,
// unless the two words say it is smaller (a row Tesseract ran across two
// columns whose baselines differ comes back taller than its type).
float SplitScale(const OcrLine& line, const BBox& previous, const BBox& word) {
  return std::min(line.row_height, 1.3f * std::max(previous.height(), word.height()));
}

// Baseline, row height and paragraph start of the line at `it`.
OcrLine ReadLineAttributes(tesseract::ResultIterator* it, const Leveller& level) {
  OcrLine line;
  const BBox row = level.Apply(Box(it, tesseract::RIL_TEXTLINE));
  int bx0 = 0, by0 = 0, bx1 = 0, by1 = 0;
  line.baseline = row.y1;
  if (it->Baseline(tesseract::RIL_TEXTLINE, &bx0, &by0, &bx1, &by1)) {
    float x = 0.5f * (bx0 + bx1), y = 0.5f * (by0 + by1);
    level.Apply(&x, &y);
    line.baseline = y;
  }
  float row_height = 0, descenders = 0, ascenders = 0;
  it->RowAttributes(&row_height, &descenders, &ascenders);
  line.row_height = row_height > 0 ? row_height : row.height();
  line.paragraph_start = it->IsAtBeginningOf(tesseract::RIL_PARA);
  return line;
}

// Walks the result word by word into lines; words accumulate into the line
// they start, in Tesseract's reading order (blocks, paragraphs, lines).
// Words below `min_word_confidence` are left out of the lines and listed; the page's mean
// confidence is over all words, so that a page of garbage still reads as one.
void ReadLines(tesseract::TessBaseAPI* api, float min_word_confidence, OcrPage* page, float* skew) {
  std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
  if (!it) return;
  Leveller level(page->width, page->height);
  double confidence_sum = 0;
  int words = 0, block = -1, line_number = -1;
  OcrLine* line = nullptr;
  double line_confidence = 0;
  auto finish_line = [&] {
    if (line && line->words > 0) line->confidence = static_cast<float>(line_confidence / line->words);
  };
  auto start_piece = [&](const OcrLine& model) {
    finish_line();
    page->lines.emplace_back(model);
    line = &page->lines.back();
    line->text.clear();
    line->words = 0;
    line_confidence = 0;
  };
  // The page's skew: that of its block with the most words.
  int block_words = 0, largest_block = 0;
  float block_angle = 0;
  auto note_block_skew = [&] {
    if (block_words > largest_block) largest_block = block_words, *skew = block_angle;
    block_words = 0;
  };
  BBox last_word;        // the box of the previous word kept
  bool new_line = true;  // the next word kept starts a Tesseract line
  OcrLine next;          // that line's attributes, read at its first word
  do {
    if (it->Empty(tesseract::RIL_WORD)) continue;
    if (it->IsAtBeginningOf(tesseract::RIL_BLOCK) || block < 0) {
      ++block;
      note_block_skew();
      block_angle = BlockDeskewAngle(it.get());
      level.SetAngle(block_angle);
    }
    if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE)) {
      new_line = true;
      next = ReadLineAttributes(it.get(), level);
      next.block = block;
      next.line = ++line_number;
    }
    TextPtr word(it->GetUTF8Text(tesseract::RIL_WORD));
    const std::string text = Trimmed(word.get());
    const double confidence = std::clamp(it->Confidence(tesseract::RIL_WORD) / 100.0, 0.0, 1.0);
    if (text.empty() || IsRule(text) || (confidence < kMinSpeckConfidence && !HasLetterOrDigit(text))) continue;
    const BBox word_box = level.Apply(Box(it.get(), tesseract::RIL_WORD));
    if (confidence < min_word_confidence) {
      page->low_confidence_words.push_back(OcrWord{text, word_box, static_cast<float>(confidence)});
      confidence_sum += confidence;
      ++words;
      continue;
    }
    if (!line || new_line) {
      if (line_number < 0) next.line = ++line_number, next.block = block;
      start_piece(next);
      new_line = false;
    } else if (word_box.x0 - line->bbox.x1 > kLineSplitGap * SplitScale(*line, last_word, word_box)) {
      OcrLine piece = *line;
      piece.paragraph_start = false;
      start_piece(piece);
    }
    if (!line->text.empty()) line->text.push_back(' ');
    line->text += text;
    if (line->words == 0) line->bbox = word_box;
    line->bbox.x0 = std::min(line->bbox.x0, word_box.x0);
    line->bbox.x1 = std::max(line->bbox.x1, word_box.x1);
    line->bbox.y0 = std::min(line->bbox.y0, word_box.y0);
    line->bbox.y1 = std::max(line->bbox.y1, word_box.y1);
    last_word = word_box;
    ++block_words;
    line->words++;
    line_confidence += confidence;
    confidence_sum += confidence;
    ++words;
  } while (it->Next(tesseract::RIL_WORD));
  finish_line();
  note_block_skew();
  std::erase_if(page->lines, [](const OcrLine& l) { return l.words == 0 || l.confidence < kMinLineConfidence; });
  page->mean_confidence = words > 0 ? static_cast<float>(confidence_sum / words) : -1.0f;
}

// `image` turned by `radians` anti-clockwise about its centre, same size,
// white brought in at the corners; empty when Leptonica fails.
GrayImage TurnedAntiClockwise(const GrayImage& image, float radians) {
  GrayImage out;
  PIX* pix = pixCreate(image.width, image.height, 8);
  if (!pix) return out;
  l_uint32* data = pixGetData(pix);
  const int wpl = pixGetWpl(pix);
  for (int y = 0; y < image.height; ++y) {
    const uint8_t* row = image.pixels.data() + static_cast<size_t>(y) * image.stride;
    l_uint32* line = data + static_cast<size_t>(y) * wpl;
    for (int x = 0; x < image.width; ++x) SET_DATA_BYTE(line, x, row[x]);
  }
  // Leptonica's angles are clockwise.
  PIX* turned = pixRotate(pix, -radians, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, image.width, image.height);
  pixDestroy(&pix);
  if (!turned) return out;
  out.width = pixGetWidth(turned);
  out.height = pixGetHeight(turned);
  out.stride = out.width;
  out.dpi = image.dpi;
  out.pixels.resize(static_cast<size_t>(out.width) * out.height);
  const l_uint32* turned_data = pixGetData(turned);
  const int turned_wpl = pixGetWpl(turned);
  for (int y = 0; y < out.height; ++y) {
    const l_uint32* line = turned_data + static_cast<size_t>(y) * turned_wpl;
    for (int x = 0; x < out.width; ++x) out.pixels[static_cast<size_t>(y) * out.width + x] = GET_DATA_BYTE(line, x);
  }
  pixDestroy(&turned);
  return out;
}

// Tesseract reads lines turned a quarter as vertical text, often with high
// confidence; their boxes, taller than wide, give the turned page away.
bool MostlyVertical(const OcrPage& page) {
  int vertical = 0;
  for (const OcrLine& line : page.lines) vertical += line.bbox.height() > line.bbox.width();
  return vertical * 2 > static_cast<int>(page.lines.size());
}

class TesseractSession final : public OcrSession {
 public:
  static Result<std::unique_ptr<TesseractSession>> MakeImpl(std::shared_ptr<const OcrModel> model) {
    if (!model) return Status::InvalidArgument("OcrSession needs a model");
    KeepOpenMpOnThisThread();
    Stopwatch watch;
    auto session = std::make_unique<TesseractSession>();
    session->model_ = std::static_pointer_cast<const ocr::TesseractModel>(std::move(model));
    const ocr::TesseractModel& m = *session->model_;
    DOCPIPE_ASSIGN_OR_RETURN(session->api_, NewApi(m.tessdata(), m.options().languages, tesseract::OEM_LSTM_ONLY));
    session->api_->SetPageSegMode(tesseract::PSM_AUTO);
    m.RecordSession(watch.Seconds());
    return session;
  }

  Result<OcrPage> Recognize(const GrayImage& image, double deadline_seconds, OcrSubject subject) override {
    if (image.width <= 0 || image.height <= 0 || image.stride < image.width ||
        image.pixels.size() < static_cast<size_t>(image.stride) * image.height) {
      return Status::InvalidArgument("OCR image has no pixels");
    }
    KeepOpenMpOnThisThread();
    Stopwatch watch;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                                std::chrono::duration<double>(deadline_seconds));
    auto seconds_left = [&] {
      return deadline_seconds <= 0 ? deadline_seconds
                                   : std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
    };
    const float floor = subject == OcrSubject::kPicture ? model_->options().min_word_confidence : 0.0f;
    float skew = 0;
    OcrPage page = RecognizeOnce(image, deadline_seconds, floor, &skew);
    const bool suspect = page.mean_confidence < kCheckOrientationBelow || MostlyVertical(page);
    if (!page.timed_out && suspect && model_->has_osd()) {
      const OsdGuess guess = Osd(image);
      if (IsUnread(guess)) {
        // Recognised with the wrong languages: what came back is garbage.
        OcrPage unread;
        unread.width = page.width;
        unread.height = page.height;
        unread.unread_script = guess.script;
        unread.seconds = watch.Seconds();
        return unread;
      }
      const int turn = model_->options().detect_orientation ? guess.turn : 0;
      if (turn != 0) {
        const double left = seconds_left();
        if (deadline_seconds <= 0 || left > 0) {
          float turned_skew = 0;
          OcrPage turned = RecognizeOnce(RotateClockwise(image, turn), left, floor, &turned_skew);
          turned.rotation = turn;
          if (turned.timed_out || turned.mean_confidence > page.mean_confidence || MostlyVertical(page)) {
            page = std::move(turned);
            skew = turned_skew;
          }
        }
      }
    }
    const double left = seconds_left();
    if (!page.timed_out && std::fabs(skew) > kDeskewAbove && (deadline_seconds <= 0 || left > 0)) {
      // Tesseract levels the boxes of a skewed page but reads it worse the
      // more it leans: a page leaning more than that is turned level and
      // read again, and the better reading kept.
      const GrayImage level = TurnedAntiClockwise(page.rotation ? RotateClockwise(image, page.rotation) : image, skew);
      if (level.width > 0) {
        float ignored = 0;
        OcrPage levelled = RecognizeOnce(level, left, floor, &ignored);
        levelled.rotation = page.rotation;
        if (!levelled.timed_out && levelled.mean_confidence > page.mean_confidence) page = std::move(levelled);
      }
    }
    page.seconds = watch.Seconds();
    return page;
  }

  std::string UnreadScript(const GrayImage& image) override {
    if (!model_->has_osd() || image.width <= 0 || image.height <= 0) return "";
    KeepOpenMpOnThisThread();
    const OsdGuess guess = Osd(image);
    return IsUnread(guess) ? guess.script : "";
  }

 private:
  OcrPage RecognizeOnce(const GrayImage& image, double deadline_seconds, float min_word_confidence,
                        float* skew) {
    OcrPage page;
    page.width = image.width;
    page.height = image.height;
    SetImage(api_.get(), image);
    tesseract::ETEXT_DESC monitor;
    if (deadline_seconds > 0) {
      monitor.set_deadline_msecs(std::max(1, static_cast<int>(std::lround(deadline_seconds * 1000))));
    }
    const int failed = api_->Recognize(&monitor);
    if (monitor.deadline_exceeded()) {
      page.timed_out = true;
    } else if (failed == 0) {
      ReadLines(api_.get(), min_word_confidence, &page, skew);
    }
    api_->Clear();
    return page;
  }

  struct OsdGuess {
    int turn = 0;        // degrees to turn the image clockwise to stand it upright; 0 when unsure
    std::string script;  // empty when OSD found none
    float script_confidence = 0;
  };

  // Orientation and script of the text in `image` (osd.traineddata).
  OsdGuess Osd(const GrayImage& image) {
    OsdGuess guess;
    if (!osd_) {
      Result<TessPtr> osd = NewApi(model_->tessdata(), "osd", tesseract::OEM_TESSERACT_ONLY);
      if (!osd.ok()) return guess;
      osd_ = std::move(osd).value();
      osd_->SetPageSegMode(tesseract::PSM_OSD_ONLY);
    }
    SetImage(osd_.get(), image);
    int degrees = 0;
    float confidence = 0;
    const char* script = nullptr;
    const bool found = osd_->DetectOrientationScript(&degrees, &confidence, &script, &guess.script_confidence);
    osd_->Clear();
    if (!found) return guess;
    if (script != nullptr) guess.script = script;
    // OSD reports how far the page was turned clockwise: turn it back.
    if (confidence >= kMinOrientationConfidence) guess.turn = (360 - degrees) % 360;
    return guess;
  }

  bool IsUnread(const OsdGuess& guess) const {
    return !guess.script.empty() && guess.script_confidence >= kMinScriptConfidence &&
           !ocr::LanguagesReadScript(model_->options().languages, guess.script);
  }

  std::shared_ptr<const ocr::TesseractModel> model_;
  TessPtr api_;
  TessPtr osd_;  // made the first time a page needs its orientation or script checked
};

}  // namespace

Result<std::unique_ptr<OcrSession>> OcrSession::Make(std::shared_ptr<const OcrModel> model) {
  DOCPIPE_ASSIGN_OR_RETURN(auto session, TesseractSession::MakeImpl(std::move(model)));
  return std::unique_ptr<OcrSession>(std::move(session));
}

}  // namespace docpipe
