// The OCR flags shared by `convert` and `ingest`.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "docpipe/ocr.h"

namespace docpipe::cli {

// Adds --ocr (into *mode, read with ParseOcrMode), --ocr-lang, --dpi,
// --ocr-min-word-confidence and --tessdata.
void AddOcrOptions(CLI::App* cmd, std::string* mode, OcrOptions* options);

}  // namespace docpipe::cli
