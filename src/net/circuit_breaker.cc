#include "net/circuit_breaker.h"

namespace docpipe::net {

CircuitBreaker::Decision CircuitBreaker::Admit(Clock::time_point now) {
  switch (state_) {
    case State::kClosed:
      return Decision::kAllow;
    case State::kHalfOpen:
      return Decision::kWait;
    case State::kOpen:
      if (now < reopen_at_) return Decision::kReject;
      state_ = State::kHalfOpen;
      return Decision::kProbe;
  }
  return Decision::kAllow;
}

void CircuitBreaker::RecordSuccess() {
  state_ = State::kClosed;
  consecutive_failures_ = 0;
}

void CircuitBreaker::RecordFailure(Clock::time_point now) {
  ++consecutive_failures_;
  bool trip = state_ == State::kHalfOpen || (state_ == State::kClosed && consecutive_failures_ >= threshold_);
  if (trip) {
    state_ = State::kOpen;
    reopen_at_ = now + cooldown_;
    ++times_opened_;
  }
}

}  // namespace docpipe::net
