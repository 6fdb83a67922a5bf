// Dataset listing, image headers and bulk precomputation for `docpipe ocr-targets`.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "docpipe/ocr_target_dataset.h"

namespace docpipe::ocr {
namespace {

namespace fs = std::filesystem;

uint32_t BigEndian(const unsigned char* p, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  return v;
}

Result<ImageSize> PngSize(std::ifstream& in, const std::string& path) {
  unsigned char header[24];
  if (!in.seekg(0).read(reinterpret_cast<char*>(header), sizeof(header))) {
    return Status::Corrupt("truncated PNG " + path);
  }
  return ImageSize{static_cast<int>(BigEndian(header + 20, 4)), static_cast<int>(BigEndian(header + 16, 4))};
}

// Walks the JPEG markers up to the first start-of-frame (SOF0..SOF15 except DHT, JPG, DAC).
Result<ImageSize> JpegSize(std::ifstream& in, const std::string& path) {
  in.seekg(2);
  unsigned char m[2];
  while (in.read(reinterpret_cast<char*>(m), 2)) {
    if (m[0] != 0xFF) return Status::Corrupt("bad JPEG marker in " + path);
    if (m[1] == 0xFF) {
      in.seekg(-1, std::ios::cur);
      continue;
    }
    unsigned char len[2];
    if (!in.read(reinterpret_cast<char*>(len), 2)) break;
    const uint32_t length = BigEndian(len, 2);
    if (m[1] >= 0xC0 && m[1] <= 0xCF && m[1] != 0xC4 && m[1] != 0xC8 && m[1] != 0xCC) {
      unsigned char sof[5];
      if (!in.read(reinterpret_cast<char*>(sof), 5)) break;
      return ImageSize{static_cast<int>(BigEndian(sof + 1, 2)), static_cast<int>(BigEndian(sof + 3, 2))};
    }
    if (length < 2) break;
    in.seekg(length - 2, std::ios::cur);
  }
  return Status::Corrupt("no frame header in JPEG " + path);
}

}  // namespace

Result<ImageSize> ReadImageSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open image " + path);
  unsigned char magic[8] = {};
  in.read(reinterpret_cast<char*>(magic), sizeof(magic));
  Result<ImageSize> size = Status::Unsupported("not a PNG or JPEG image: " + path);
  if (magic[0] == 0x89 && magic[1] == 'P' && magic[2] == 'N' && magic[3] == 'G') size = PngSize(in, path);
  if (magic[0] == 0xFF && magic[1] == 0xD8) size = JpegSize(in, path);
  if (size.ok() && (size->height < 1 || size->width < 1)) return Status::Corrupt("empty image " + path);
  return size;
}

Result<std::vector<TextDetectionSample>> ListTextDetectionDataset(const std::string& annotations_dir,
                                                                  const std::string& images_dir) {
  std::error_code ec;
  if (!fs::is_directory(annotations_dir, ec)) return Status::NotFound("no annotation folder " + annotations_dir);
  if (!fs::is_directory(images_dir, ec)) return Status::NotFound("no image folder " + images_dir);
  std::vector<TextDetectionSample> samples;
  for (const fs::directory_entry& entry : fs::directory_iterator(annotations_dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".txt") continue;
    std::string stem = entry.path().stem().string();
    if (stem.rfind("gt_", 0) == 0) stem = stem.substr(3);
    std::string image;
    for (const char* ext : {".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG"}) {
      const fs::path candidate = fs::path(images_dir) / (stem + ext);
      if (fs::exists(candidate, ec)) {
        image = candidate.string();
        break;
      }
    }
    if (image.empty()) return Status::NotFound("no image for " + entry.path().string() + " in " + images_dir);
    samples.push_back({entry.path().string(), image});
  }
  if (ec) return Status::IoError("cannot list " + annotations_dir + ": " + ec.message());
  std::sort(samples.begin(), samples.end(),
            [](const auto& a, const auto& b) { return a.annotation_path < b.annotation_path; });
  return samples;
}

PrecomputeReport PrecomputeDbTargets(const std::vector<TextDetectionSample>& samples, TargetCache& cache,
                                     const DbTargetOptions& options, int threads,
                                     const std::function<void(size_t done, size_t total)>& progress) {
  PrecomputeReport report;
  report.samples = samples.size();
  std::mutex mutex;  // guards report and progress calls
  std::atomic<size_t> done{0};
  auto one = [&](const TextDetectionSample& sample) {
    Status status;
    bool cached = false;
    Result<std::vector<TextPolygon>> polygons = ReadTextAnnotationFile(sample.annotation_path);
    Result<ImageSize> size = ReadImageSize(sample.image_path);
    if (!polygons.ok()) status = polygons.status();
    if (status.ok() && !size.ok()) status = size.status();
    if (status.ok()) {
      const std::string key = TargetCache::Key(*polygons, size->height, size->width, options);
      Result<std::optional<DbTargetMaps>> found = cache.Get(key);
      cached = found.ok() && found->has_value();
      if (!found.ok()) status = found.status();
      if (status.ok() && !cached) {
        Result<DbTargetMaps> maps = ComputeDbTargets(*polygons, size->height, size->width, options);
        status = maps.ok() ? cache.Put(key, *maps) : maps.status();
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    if (!status.ok()) {
      ++report.failed;
      report.errors.push_back(sample.annotation_path + ": " + status.ToString());
    } else {
      ++(cached ? report.cached : report.computed);
    }
    if (progress) progress(++done, samples.size());
  };
  const int cores = tbb::info::default_concurrency();
  tbb::task_arena arena(threads <= 0 ? cores : std::min(threads, cores));
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, samples.size(), [&](size_t i) { one(samples[i]); });
  });
  return report;
}

}  // namespace docpipe::ocr
