// A text-detection dataset on disk (annotation files beside an image folder)
// and the bulk precomputation of its DBNet label maps into a TargetCache, as
// `docpipe ocr-targets` does it.
//
// Thread-safety: the functions are safe to call concurrently;
// PrecomputeDbTargets runs its own threads and calls `progress` from them,
// one call at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "docpipe/ocr_target_cache.h"
#include "docpipe/ocr_targets.h"
#include "docpipe/status.h"

namespace docpipe::ocr {

struct TextDetectionSample {
  std::string annotation_path;
  std::string image_path;
};

// Pairs each annotation file in `annotations_dir` ("gt_<name>.txt" as in ICDAR
// 2015, or "<name>.txt") with the image "<name>.jpg|.jpeg|.png" in `images_dir`.
// Sorted by annotation path; an annotation without an image is an error.
Result<std::vector<TextDetectionSample>> ListTextDetectionDataset(const std::string& annotations_dir,
                                                                  const std::string& images_dir);

struct ImageSize {
  int height = 0;
  int width = 0;
};

// Reads the size from a PNG or JPEG header without decoding the image.
Result<ImageSize> ReadImageSize(const std::string& path);

struct PrecomputeReport {
  size_t samples = 0;
  size_t computed = 0;  // newly written
  size_t cached = 0;    // already in the cache
  size_t failed = 0;
  std::vector<std::string> errors;  // "path: message", one per failed sample
};

// Computes (or finds) the maps of every sample with the image's own size, on
// `threads` threads (0: one per core). A bad sample fails alone.
PrecomputeReport PrecomputeDbTargets(const std::vector<TextDetectionSample>& samples, TargetCache& cache,
                                     const DbTargetOptions& options, int threads,
                                     const std::function<void(size_t done, size_t total)>& progress = {});

}  // namespace docpipe::ocr
