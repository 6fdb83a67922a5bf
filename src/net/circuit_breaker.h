// CircuitBreaker: stops sending requests to a server that keeps failing.
//
// Closed: requests flow; `threshold` consecutive failures open it. Open:
// requests are rejected until `cooldown` has passed; then it is half-open and
// admits exactly one probe. The probe's success closes it, its failure opens
// it for another cool-down. Only the HTTP client's I/O thread uses it, so it
// has no lock.
#pragma once

#include <chrono>
#include <cstdint>

namespace docpipe::net {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Decision { kAllow, kProbe, kWait, kReject };

  CircuitBreaker(int threshold, std::chrono::milliseconds cooldown) : threshold_(threshold), cooldown_(cooldown) {}

  // Whether a request may start now. kProbe: it may, and it is the half-open probe.
  // kWait: a probe is out; hold the request. kReject: open; fail it.
  Decision Admit(Clock::time_point now);
  void RecordSuccess();
  void RecordFailure(Clock::time_point now);

  bool open() const { return state_ != State::kClosed; }
  Clock::time_point reopen_at() const { return reopen_at_; }
  int64_t times_opened() const { return times_opened_; }

 private:
  enum class State { kClosed, kOpen, kHalfOpen };
  int threshold_;
  std::chrono::milliseconds cooldown_;
  State state_ = State::kClosed;
  int consecutive_failures_ = 0;
  Clock::time_point reopen_at_{};
  int64_t times_opened_ = 0;
};

}  // namespace docpipe::net
