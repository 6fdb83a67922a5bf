// ComputeDbTargetsBatch: one image per task on a TBB arena of the requested size
// (capped at the core count), so a caller asking for N threads never gets more
// and DataLoader worker processes are not oversubscribed.
#include <algorithm>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "docpipe/ocr_targets.h"

namespace docpipe::ocr {

Result<std::vector<DbTargetMaps>> ComputeDbTargetsBatch(std::span<const DbTargetSample> samples,
                                                        const DbTargetOptions& options, int threads) {
  DOCPIPE_RETURN_IF_ERROR(ValidateDbTargetOptions(options));
  if (threads < 0) return Status::InvalidArgument("threads must be >= 0");
  for (size_t i = 0; i < samples.size(); ++i) {
    Status status = ValidateDbTargetInput(samples[i].polygons, samples[i].height, samples[i].width);
    if (!status.ok()) return status.WithContext("sample " + std::to_string(i));
  }
  std::vector<DbTargetMaps> maps(samples.size());
  std::vector<Status> errors(samples.size());
  auto compute = [&](size_t i) {
    Result<DbTargetMaps> result =
        ComputeDbTargets(samples[i].polygons, samples[i].height, samples[i].width, options);
    if (result.ok()) {
      maps[i] = std::move(result).value();
    } else {
      errors[i] = result.status();
    }
  };
  // More threads than TBB allows (one per core) would only oversubscribe the cores.
  const int cores = tbb::info::default_concurrency();
  const int workers = threads == 0 ? cores : std::min(threads, cores);
  if (workers == 1 || samples.size() <= 1) {
    for (size_t i = 0; i < samples.size(); ++i) compute(i);
  } else {
    tbb::task_arena arena(workers);
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<size_t>(0, samples.size(), 1), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t i = r.begin(); i != r.end(); ++i) compute(i);
      });
    });
  }
  for (size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i].ok()) return errors[i].WithContext("sample " + std::to_string(i));
  }
  return maps;
}

}  // namespace docpipe::ocr
