// One page -> RawPage: MuPDF structured text walked into lines with font
// size, weight and boxes, under a per-page time budget.
//
// Thread-safety: a PageWatchdog serves one worker thread; ExtractPage uses
// the caller's context and document, which belong to that thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <thread>

#include <mupdf/fitz.h>

#include "core/mutex.h"
#include "docpipe/status.h"
#include "pdf/mupdf_handles.h"
#include "pdf/raw_page.h"

namespace docpipe::pdf {
struct PageOcr;
}

namespace docpipe::pdf {

// A timer thread that sets a cookie's abort flag when a page overruns its
// budget, so MuPDF stops interpreting that page and the document goes on.
class PageWatchdog {
 public:
  static Result<std::unique_ptr<PageWatchdog>> Make();
  PageWatchdog() = default;
  ~PageWatchdog();
  PageWatchdog(const PageWatchdog&) = delete;
  PageWatchdog& operator=(const PageWatchdog&) = delete;

  // Starts the budget for `cookie`; seconds <= 0 means no limit.
  void Arm(fz_cookie* cookie, double seconds);
  void Disarm();

 private:
  void Loop();

  Mutex mutex_;
  std::condition_variable wake_;
  fz_cookie* cookie_ DOCPIPE_GUARDED_BY(mutex_) = nullptr;
  std::chrono::steady_clock::time_point deadline_ DOCPIPE_GUARDED_BY(mutex_);
  bool stop_ DOCPIPE_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

// Never fails as a whole: a page MuPDF cannot load or interpret, or one that
// runs out of time or of its context's memory budget, comes back with RawPage::error set and whatever text was
// recovered before the failure dropped. The page is classified (digital,
// scanned, mixed, empty) and, as `ocr.mode` says, rendered and recognised;
// the time budget covers extraction, rendering and recognition together.
// Content that fails to parse (MuPDF counts the errors and goes on) sets
// RawPage::error with the last message `warnings` got but keeps the text read.
// With `detect_tables`, the page's ruled, rule-delimited and unruled tables go to
// RawPage::tables and their text leaves RawPage::lines.
RawPage ExtractPage(fz_context* ctx, fz_document* doc, int index, double timeout_seconds,
                    PageWatchdog* watchdog, WarningLog* warnings, const PageOcr& ocr,
                    bool detect_tables = true);

}  // namespace docpipe::pdf
