#include "progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace docpipe::cli {

ProgressBar::ProgressBar() : enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { Clear(); }

void ProgressBar::Update(int64_t done, int64_t total, int64_t pages, double elapsed_seconds) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0;
  int filled = static_cast<int>(fraction * kWidth);
  double pages_per_second = elapsed_seconds > 0 ? static_cast<double>(pages) / elapsed_seconds : 0;
  double eta = done > 0 ? elapsed_seconds * static_cast<double>(total - done) / static_cast<double>(done) : 0;
  std::string line = fmt::format("\r[{}{}] {}/{} files  {} pages  {:.1f} pages/s  ETA {:.0f}s ",
                                 std::string(filled, '#'), std::string(kWidth - filled, '.'), done, total,
                                 pages, pages_per_second, eta);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace docpipe::cli
