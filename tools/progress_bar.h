// A one-line progress display on a terminal (stderr), redrawn at most ten times
// a second; silent when stderr is not a terminal. Single-threaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace docpipe::cli {

class ProgressBar {
 public:
  ProgressBar();
  ~ProgressBar();  // clears the line it drew

  bool enabled() const { return enabled_; }
  // done/total files, pages so far, and seconds since the start.
  void Update(int64_t done, int64_t total, int64_t pages, double elapsed_seconds);
  void Clear();

 private:
  bool enabled_ = false;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace docpipe::cli
