#include "pdf/document_budget.h"

#include <algorithm>

#include <fmt/format.h>

namespace docpipe::pdf {
namespace {

// What a page gets once the document's budget is (about to be) spent: it
// stops at the first check of its cookie.
constexpr double kLeastPageSeconds = 1e-3;

}  // namespace

DocumentBudget::DocumentBudget(double seconds) : seconds_(seconds) {
  if (seconds_ > 0) {
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds_));
  }
}

bool DocumentBudget::Expired() const { return seconds_ > 0 && Clock::now() >= deadline_; }

double DocumentBudget::PageSeconds(double page_seconds) const {
  if (seconds_ <= 0) return page_seconds;
  const double left = std::max(kLeastPageSeconds, std::chrono::duration<double>(deadline_ - Clock::now()).count());
  return page_seconds > 0 ? std::min(page_seconds, left) : left;
}

Status DocumentBudget::ExpiredStatus() const {
  return Status::Timeout(fmt::format("the document took longer than {:g} s, its time budget (--document-timeout)", seconds_));
}

}  // namespace docpipe::pdf
