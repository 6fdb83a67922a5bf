// Parallel work over index ranges of one task: a document's page or chunk
// ranges spread over the idle threads of the calling oneTBB arena.
// Thread-safety: `work` is called from several threads at once, on disjoint ranges.
#pragma once

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cstddef>

namespace docpipe {

// Runs `work(begin, end)` over [0, count) in ranges of `grain` on the threads
// of the calling task arena. Isolated: while it waits, the calling thread takes
// only ranges of this call, never another pipeline task. One range (no tasks)
// when count <= grain.
template <typename Work>
void ForEachRange(size_t count, size_t grain, const Work& work) {
  if (count <= grain) {
    work(size_t{0}, count);
    return;
  }
  tbb::this_task_arena::isolate([&] {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, count, grain),
                      [&](const tbb::blocked_range<size_t>& range) { work(range.begin(), range.end()); },
                      tbb::simple_partitioner());
  });
}

}  // namespace docpipe
