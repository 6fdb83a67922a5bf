#include "ocr_flags.h"

namespace docpipe::cli {

void AddOcrOptions(CLI::App* cmd, std::string* mode, OcrOptions* options) {
  cmd->add_option("--ocr", *mode,
                  "auto: recognise pages without a usable text layer and the images of mixed pages; "
                  "always: also redo existing OCR layers; never: only mark such pages")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_option("--ocr-lang", options->languages, "Tesseract languages, e.g. eng or eng+deu")
      ->capture_default_str();
  cmd->add_option("--dpi", options->dpi, "Resolution scanned pages are rendered at for OCR")
      ->check(CLI::Range(50, 1200))
      ->capture_default_str();
  cmd->add_option("--ocr-min-word-confidence", options->min_word_confidence,
                  "Words recognised on pictures of digital pages below this confidence (0-1) are left out "
                  "of the text (listed in JSON); scanned pages keep every word")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--tessdata", options->tessdata_dir,
                  "Folder of the *.traineddata files (default: TESSDATA_PREFIX, else the system's)");
}

}  // namespace docpipe::cli
