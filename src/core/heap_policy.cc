#include "heap_policy.h"

#include <malloc.h>

namespace docpipe {

void KeepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  // Blocks up to 32 MiB (glibc's own ceiling for its adaptive threshold) come
  // from the heap; up to 64 MiB of free heap top is kept instead of trimmed.
  constexpr int kMmapThreshold = 32 << 20;
  constexpr int kTrimThreshold = 64 << 20;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kTrimThreshold);
#endif
}

}  // namespace docpipe
