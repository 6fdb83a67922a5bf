// The concrete OcrModel: options checked, the tessdata folder resolved, and
// the sessions' set-up time collected. Immutable after MakeImpl except for
// the atomic counters. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "docpipe/ocr.h"

namespace docpipe::ocr {

class TesseractModel final : public OcrModel {
 public:
  static Result<std::shared_ptr<const TesseractModel>> MakeImpl(const OcrOptions& options);

  const OcrOptions& options() const override { return options_; }
  double session_setup_seconds() const override;
  int sessions_made() const override { return sessions_made_.load(); }

  const std::string& tessdata() const { return tessdata_; }
  bool has_osd() const { return has_osd_; }
  void RecordSession(double seconds) const;

 private:
  OcrOptions options_;
  std::string tessdata_;
  bool has_osd_ = false;
  mutable std::atomic<double> setup_seconds_{0};
  mutable std::atomic<int> sessions_made_{0};
};

}  // namespace docpipe::ocr
