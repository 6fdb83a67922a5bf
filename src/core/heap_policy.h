// How the docpipe executable asks glibc's allocator to treat freed memory.
//
// By default glibc hands the top of the heap back to the kernel once 128 KiB
// of it is free, and serves large blocks with mmap and munmap. Converting a
// document allocates and frees the same few megabytes page after page, so each
// page touched that memory afresh: a fifth of a `convert` run's CPU went to
// page faults. Keeping freed memory for reuse halves the faults for a peak
// RSS that grows by a few percent. The cost is that a process's resident size
// falls back more slowly after a peak (up to 64 MiB per malloc arena stays
// mapped): for `docpipe serve`, memory once used by a large request stays
// with the process, as it would under jemalloc or tcmalloc.
//
// A process-wide choice that belongs to the program, not to a library: the
// executable calls it first thing in main().
#pragma once

namespace docpipe {

void KeepFreedMemoryForReuse();

}  // namespace docpipe
