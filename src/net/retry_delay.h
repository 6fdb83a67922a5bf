// How long to wait before retrying an HTTP request: the server's Retry-After
// when it sent one, else an exponential backoff with full jitter, so that many
// clients failing together do not come back together.
//
// Thread-safety: ParseRetryAfter is a pure function. A JitteredBackoff belongs
// to one thread (the HTTP client's I/O thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace docpipe::net {

// The delay a Retry-After header value asks for, in either of its forms:
// delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"; the
// obsolete RFC 850 and asctime forms too), the latter relative to `now`. A
// date in the past is zero; nullopt when the value is neither.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now);

// Full jitter: the n-th retry waits uniformly in [0, min(max, initial * 2^(n-1))].
class JitteredBackoff {
 public:
  // seed 0: seeded from the clock.
  JitteredBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed);

  // The delay before retry number `retry` (1 for the first retry).
  std::chrono::milliseconds Next(int retry);
  // The largest delay Next(retry) may return.
  std::chrono::milliseconds Cap(int retry) const;

 private:
  std::chrono::milliseconds initial_, max_;
  std::mt19937_64 rng_;
};

}  // namespace docpipe::net
