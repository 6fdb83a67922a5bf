// The time one document's conversion may take (PdfOptions::
// document_timeout_seconds), shared by every thread that extracts its pages:
// each page gets its own budget cut to what is left of the document's, pages
// are not started once it has run out, and the document then fails with
// kTimeout instead of running on.
//
// Thread-safety: immutable after construction; any thread may ask it.
#pragma once

#include <chrono>
#include <string>

#include "docpipe/status.h"

namespace docpipe::pdf {

class DocumentBudget {
 public:
  // Starts the clock; `seconds` <= 0 means no limit.
  explicit DocumentBudget(double seconds);

  bool Expired() const;
  // The seconds a page may take: `page_seconds` (<= 0: no page limit) or what
  // is left of the document's budget, whichever is less; never 0 (which
  // would mean no limit) while the document is limited.
  double PageSeconds(double page_seconds) const;
  // kTimeout naming the budget.
  Status ExpiredStatus() const;

 private:
  using Clock = std::chrono::steady_clock;
  double seconds_;
  Clock::time_point deadline_;
};

}  // namespace docpipe::pdf
