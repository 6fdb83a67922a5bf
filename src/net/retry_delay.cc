#include "net/retry_delay.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace docpipe::net {

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t seconds = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error != std::errc() || end != value.data() + value.size()) seconds = INT64_MAX / 1000;  // absurdly long
    return std::chrono::milliseconds(std::min<int64_t>(seconds, INT64_MAX / 1000) * 1000);
  }
  // libcurl's parser knows all three HTTP-date forms; it needs a terminated string.
  const time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  auto delay = std::chrono::system_clock::from_time_t(when) - now;
  return std::max(std::chrono::milliseconds(0), std::chrono::ceil<std::chrono::milliseconds>(delay));
}

JitteredBackoff::JitteredBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(initial),
      max_(max),
      rng_(seed != 0 ? seed : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) {}

std::chrono::milliseconds JitteredBackoff::Cap(int retry) const {
  int64_t cap = initial_.count() << std::clamp(retry - 1, 0, 20);
  return std::chrono::milliseconds(std::clamp<int64_t>(cap, 0, std::max<int64_t>(max_.count(), 0)));
}

std::chrono::milliseconds JitteredBackoff::Next(int retry) {
  std::uniform_int_distribution<int64_t> pick(0, Cap(retry).count());
  return std::chrono::milliseconds(pick(rng_));
}

}  // namespace docpipe::net
