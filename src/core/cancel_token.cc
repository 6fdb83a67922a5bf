#include "docpipe/cancel_token.h"

#include <atomic>

namespace docpipe {

struct CancelToken::State {
  std::atomic<bool> cancelled{false};
  static_assert(std::atomic<bool>::is_always_lock_free, "Cancel() must be safe in a signal handler");
};

CancelToken::CancelToken() : state_(std::make_unique<State>()) {}
CancelToken::~CancelToken() = default;

void CancelToken::Cancel() { state_->cancelled.store(true, std::memory_order_relaxed); }

bool CancelToken::cancelled() const { return state_->cancelled.load(std::memory_order_relaxed); }

}  // namespace docpipe
