// OcrSession over one TessBaseAPI (and, when a page reads poorly, a second one
// loaded with osd.traineddata to find its orientation).
#include <omp.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include <algorithm>
#include <cmath>

#include "core/stopwatch.h"
#include "docpipe/ocr.h"
#include "ocr/tesseract_model.h"

namespace docpipe {
namespace {

// A first pass reading below this mean confidence may be a turned page.
constexpr float kCheckOrientationBelow = 0.6f;
// OSD's own confidence scale: 15 is "reasonably confident" per its authors.
constexpr float kMinOrientationConfidence = 5.0f;
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
  TessPtr api(new tesseract::TessBaseAPI());
  // Tesseract prints diagnostics ("Estimating resolution", "Detected N
  // diacritics") through tprintf; they are noise in a pipeline's output.
  api->SetVariable("debug_file", "/dev/null");
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

// Walks the result word by word into lines; words accumulate into the line
// they start.
void ReadLines(tesseract::TessBaseAPI* api, OcrPage* page) {
  std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
  if (!it) return;
  double confidence_sum = 0;
  int words = 0;
  OcrLine* line = nullptr;
  double line_confidence = 0;
  auto finish_line = [&] {
    if (line && line->words > 0) line->confidence = static_cast<float>(line_confidence / line->words);
  };
  do {
    if (it->Empty(tesseract::RIL_WORD)) continue;
    if (!line || it->IsAtBeginningOf(tesseract::RIL_TEXTLINE)) {
      finish_line();
      page->lines.emplace_back();
      line = &page->lines.back();
      line_confidence = 0;
      int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
      it->BoundingBox(tesseract::RIL_TEXTLINE, &x0, &y0, &x1, &y1);
      line->bbox = BBox{float(x0), float(y0), float(x1), float(y1)};
      int bx0 = 0, by0 = 0, bx1 = 0, by1 = 0;
      line->baseline = it->Baseline(tesseract::RIL_TEXTLINE, &bx0, &by0, &bx1, &by1) ? float(by0) : float(y1);
      float row_height = 0, descenders = 0, ascenders = 0;
      it->RowAttributes(&row_height, &descenders, &ascenders);
      line->row_height = row_height > 0 ? row_height : float(y1 - y0);
      line->paragraph_start = it->IsAtBeginningOf(tesseract::RIL_PARA);
    }
    TextPtr word(it->GetUTF8Text(tesseract::RIL_WORD));
    const std::string text = Trimmed(word.get());
    if (text.empty()) continue;
    const double confidence = std::clamp(it->Confidence(tesseract::RIL_WORD) / 100.0, 0.0, 1.0);
    if (!line->text.empty()) line->text.push_back(' ');
    line->text += text;
    line->words++;
    line_confidence += confidence;
    confidence_sum += confidence;
    ++words;
  } while (it->Next(tesseract::RIL_WORD));
  finish_line();
  std::erase_if(page->lines, [](const OcrLine& l) { return l.words == 0 || l.confidence < kMinLineConfidence; });
  page->mean_confidence = words > 0 ? static_cast<float>(confidence_sum / words) : -1.0f;
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

  Result<OcrPage> Recognize(const GrayImage& image, double deadline_seconds) override {
    if (image.width <= 0 || image.height <= 0 || image.stride < image.width ||
        image.pixels.size() < static_cast<size_t>(image.stride) * image.height) {
      return Status::InvalidArgument("OCR image has no pixels");
    }
    KeepOpenMpOnThisThread();
    Stopwatch watch;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                                std::chrono::duration<double>(deadline_seconds));
    OcrPage page = RecognizeOnce(image, deadline_seconds);
    const bool suspect = page.mean_confidence < kCheckOrientationBelow || MostlyVertical(page);
    if (!page.timed_out && suspect && model_->options().detect_orientation && model_->has_osd()) {
      const int turn = UprightTurn(image);
      if (turn != 0) {
        double left = deadline_seconds;
        if (deadline_seconds > 0) {
          left = std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
        }
        if (deadline_seconds <= 0 || left > 0) {
          OcrPage turned = RecognizeOnce(RotateClockwise(image, turn), left);
          turned.rotation = turn;
          if (turned.timed_out || turned.mean_confidence > page.mean_confidence || MostlyVertical(page)) {
            page = std::move(turned);
          }
        }
      }
    }
    page.seconds = watch.Seconds();
    return page;
  }

 private:
  OcrPage RecognizeOnce(const GrayImage& image, double deadline_seconds) {
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
      ReadLines(api_.get(), &page);
    }
    api_->Clear();
    return page;
  }

  // Degrees to turn the image clockwise so its text stands upright; 0 when
  // OSD is not confident or finds it upright already.
  int UprightTurn(const GrayImage& image) {
    if (!osd_) {
      Result<TessPtr> osd = NewApi(model_->tessdata(), "osd", tesseract::OEM_TESSERACT_ONLY);
      if (!osd.ok()) return 0;
      osd_ = std::move(osd).value();
      osd_->SetPageSegMode(tesseract::PSM_OSD_ONLY);
    }
    SetImage(osd_.get(), image);
    int degrees = 0;
    float confidence = 0, script_confidence = 0;
    const char* script = nullptr;
    const bool found = osd_->DetectOrientationScript(&degrees, &confidence, &script, &script_confidence);
    osd_->Clear();
    if (!found || confidence < kMinOrientationConfidence) return 0;
    // OSD reports how far the page was turned clockwise: turn it back.
    return (360 - degrees) % 360;
  }

  std::shared_ptr<const ocr::TesseractModel> model_;
  TessPtr api_;
  TessPtr osd_;  // made the first time a page needs its orientation checked
};

}  // namespace

Result<std::unique_ptr<OcrSession>> OcrSession::Make(std::shared_ptr<const OcrModel> model) {
  DOCPIPE_ASSIGN_OR_RETURN(auto session, TesseractSession::MakeImpl(std::move(model)));
  return std::unique_ptr<OcrSession>(std::move(session));
}

}  // namespace docpipe
