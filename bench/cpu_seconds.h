// This process's CPU time so far (user + system), shared by the benchmarks: on
// a shared machine it moves less than wall time, and beside wall time it shows
// how much of a run was waiting on something else (a server, the disk).
#pragma once

#include <sys/resource.h>

namespace docpipe::bench {

inline double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace docpipe::bench
