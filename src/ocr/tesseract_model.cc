// OcrModel: the languages checked once, before any worker starts.
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "docpipe/ocr.h"
#include "ocr/tesseract_model.h"

namespace docpipe {
namespace {

// Where Debian, Fedora and source builds put the traineddata files.
constexpr const char* kSystemTessdata[] = {
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
};

bool IsDirectory(const std::string& path) {
  std::error_code error;
  return !path.empty() && std::filesystem::is_directory(path, error);
}

bool HasTraineddata(const std::string& dir, const std::string& language) {
  std::error_code error;
  return std::filesystem::is_regular_file(std::filesystem::path(dir) / (language + ".traineddata"), error);
}

// The folder Tesseract will read: the option, else TESSDATA_PREFIX (the
// folder itself in Tesseract 5), else the first system folder holding eng.
std::string ResolveTessdata(const OcrOptions& options) {
  if (!options.tessdata_dir.empty()) return options.tessdata_dir;
  if (const char* prefix = std::getenv("TESSDATA_PREFIX"); prefix && IsDirectory(prefix)) return prefix;
  for (const char* dir : kSystemTessdata) {
    if (HasTraineddata(dir, "eng")) return dir;
  }
  for (const char* dir : kSystemTessdata) {
    if (IsDirectory(dir)) return dir;
  }
  return kSystemTessdata[0];
}

Result<std::vector<std::string>> SplitLanguages(const std::string& text) {
  std::vector<std::string> languages;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('+', start);
    if (end == std::string::npos) end = text.size();
    std::string language = text.substr(start, end - start);
    if (language.empty() || language.find_first_of("/\\. ") != std::string::npos) {
      return Status::InvalidArgument("bad OCR language list '" + text + "': use names like eng or eng+deu");
    }
    languages.push_back(std::move(language));
    start = end + 1;
  }
  return languages;
}

}  // namespace

Result<OcrMode> ParseOcrMode(std::string_view text) {
  if (text == "auto") return OcrMode::kAuto;
  if (text == "always") return OcrMode::kAlways;
  if (text == "never") return OcrMode::kNever;
  return Status::InvalidArgument("OCR mode must be auto, always or never, not '" + std::string(text) + "'");
}

std::string_view OcrModeName(OcrMode mode) {
  switch (mode) {
    case OcrMode::kAuto: return "auto";
    case OcrMode::kAlways: return "always";
    case OcrMode::kNever: return "never";
  }
  return "auto";
}

namespace ocr {

Result<std::shared_ptr<const TesseractModel>> TesseractModel::MakeImpl(const OcrOptions& options) {
  if (options.dpi < 50 || options.dpi > 1200) {
    return Status::InvalidArgument("OCR resolution must be between 50 and 1200 dpi, not " +
                                   std::to_string(options.dpi));
  }
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<std::string> languages, SplitLanguages(options.languages));
  auto model = std::make_shared<TesseractModel>();
  model->options_ = options;
  model->tessdata_ = ResolveTessdata(options);
  for (const std::string& language : languages) {
    if (!HasTraineddata(model->tessdata_, language)) {
      return Status::NotFound("OCR language '" + language + "' is not installed: no " + language +
                              ".traineddata in " + model->tessdata_ +
                              " (install tesseract-ocr-" + language + " or set --tessdata)");
    }
  }
  model->has_osd_ = HasTraineddata(model->tessdata_, "osd");
  return std::shared_ptr<const TesseractModel>(std::move(model));
}

double TesseractModel::session_setup_seconds() const {
  const int made = sessions_made_.load();
  return made == 0 ? 0 : setup_seconds_.load() / made;
}

void TesseractModel::RecordSession(double seconds) const {
  double old = setup_seconds_.load();
  while (!setup_seconds_.compare_exchange_weak(old, old + seconds)) {
  }
  sessions_made_.fetch_add(1);
}

}  // namespace ocr

Result<std::shared_ptr<const OcrModel>> OcrModel::Make(const OcrOptions& options) {
  DOCPIPE_ASSIGN_OR_RETURN(auto model, ocr::TesseractModel::MakeImpl(options));
  return std::shared_ptr<const OcrModel>(std::move(model));
}

}  // namespace docpipe
