// The PDF worker the fuzz targets share across inputs: made once, OCR off,
// aborting if MuPDF cannot start (a broken build, not a finding).
#pragma once

#include <cstdlib>
#include <memory>

#include "docpipe/pdf.h"

namespace docpipe::fuzz {

inline PdfWorker& SharedPdfWorker() {
  static std::unique_ptr<PdfWorker> worker = [] {
    auto engine = PdfEngine::Make();
    if (!engine.ok()) std::abort();
    auto made = PdfWorker::Make(*engine);
    if (!made.ok()) std::abort();
    return std::move(made).value();
  }();
  return *worker;
}

}  // namespace docpipe::fuzz
