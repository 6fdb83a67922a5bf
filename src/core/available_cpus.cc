#include "core/available_cpus.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace docpipe {

int AvailableCpus() {
  // The kernel refuses a mask smaller than its own CPU count (EINVAL): grow it.
  for (int cpus = 1024; cpus <= (1 << 20); cpus *= 2) {
    cpu_set_t* mask = CPU_ALLOC(cpus);
    if (mask == nullptr) break;
    const size_t bytes = CPU_ALLOC_SIZE(cpus);
    const int result = sched_getaffinity(0, bytes, mask);
    const int count = result == 0 ? CPU_COUNT_S(bytes, mask) : 0;
    const int error = errno;
    CPU_FREE(mask);
    if (result == 0) return std::max(1, count);
    if (error != EINVAL) break;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace docpipe
