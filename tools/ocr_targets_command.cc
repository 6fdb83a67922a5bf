// `docpipe ocr-targets`: precomputes the DBNet label maps of a text-detection
// dataset (ICDAR 2015 / Total-Text style annotations beside an image folder)
// into a TargetCache directory that training and validation DataLoaders share.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

#include "command.h"
#include "docpipe/ocr_target_cache.h"
#include "docpipe/ocr_target_dataset.h"
#include "docpipe/ocr_targets.h"

namespace docpipe::cli {
namespace {

struct OcrTargetsFlags {
  std::string annotations;
  std::string images;
  std::string out;
  int threads = 0;
  std::string distance = "reference";
  std::string mode = "db";
  ocr::DbTargetOptions options;
};

// "[#####.....] 120/1000 images  85.3 images/s  ETA 10s" on a terminal, at most
// ten times a second; nothing when stderr is not a terminal.
class ImageProgress {
 public:
  ImageProgress() : enabled_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}
  ~ImageProgress() {
    if (drawn_) std::fputs("\r\033[K", stderr);
  }
  void Update(size_t done, size_t total) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    const int filled = total ? static_cast<int>(30 * done / total) : 30;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    std::fputs(fmt::format("\r[{}{}] {}/{} images  {:.1f} images/s  ETA {:.0f}s ", std::string(filled, '#'),
                           std::string(30 - filled, '.'), done, total, rate, eta)
                   .c_str(),
               stderr);
    drawn_ = true;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_{};
};

int Run(OcrTargetsFlags flags) {
  flags.options.distance = flags.distance == "exact" ? ocr::BorderDistance::kExact : ocr::BorderDistance::kReference;
  flags.options.convention = flags.mode == "paddleocr" ? ocr::TargetConvention::kPaddleOcr : ocr::TargetConvention::kDb;
  if (Status status = ocr::ValidateDbTargetOptions(flags.options); !status.ok()) {
    std::fprintf(stderr, "docpipe ocr-targets: %s\n", status.ToString().c_str());
    return kExitUsage;
  }
  auto samples = ocr::ListTextDetectionDataset(flags.annotations, flags.images);
  if (!samples.ok()) {
    std::fprintf(stderr, "docpipe ocr-targets: %s\n", samples.status().ToString().c_str());
    return kExitError;
  }
  // The maps go to disk; holding them in this process's memory would only grow it.
  auto cache = ocr::TargetCache::Make({flags.out, /*max_ram_bytes=*/0, /*durable=*/true});
  if (!cache.ok()) {
    std::fprintf(stderr, "docpipe ocr-targets: %s\n", cache.status().ToString().c_str());
    return kExitError;
  }
  const auto start = std::chrono::steady_clock::now();
  ocr::PrecomputeReport report;
  {
    ImageProgress progress;
    report = ocr::PrecomputeDbTargets(*samples, **cache, flags.options, flags.threads,
                                      [&](size_t done, size_t total) { progress.Update(done, total); });
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const std::string& error : report.errors) std::fprintf(stderr, "failed: %s\n", error.c_str());
  std::printf("%zu images: %zu computed, %zu already cached, %zu failed in %.2f s (%.1f images/s) -> %s\n",
              report.samples, report.computed, report.cached, report.failed, seconds,
              seconds > 0 ? static_cast<double>(report.samples) / seconds : 0.0, flags.out.c_str());
  return report.failed > 0 ? kExitInputFailed : kExitOk;
}

void Register(CLI::App& app) {
  auto flags = std::make_shared<OcrTargetsFlags>();
  CLI::App* cmd = app.add_subcommand(
      "ocr-targets",
      "Precompute DBNet label maps (shrink map, threshold map, masks) of a text-detection dataset into a "
      "cache directory that docpipe_ocr.TargetCache reads (see docs/ocr_targets.md)");
  cmd->add_option("--annotations", flags->annotations,
                  "Folder of annotation files: gt_<name>.txt or <name>.txt, ICDAR 2015 lines "
                  "(x1,y1,...,xn,yn,text; ### = ignore) or Total-Text lines")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--images", flags->images, "Folder of the images <name>.jpg|.jpeg|.png (their size sets the maps')")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", flags->out, "Cache directory (created if missing; shared by DataLoader workers)")
      ->required();
  cmd->add_option("--threads", flags->threads, "Worker threads; 0 = one per core")->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--shrink-ratio", flags->options.shrink_ratio, "Shrink ratio r of the text kernel")
      ->capture_default_str();
  cmd->add_option("--min-text-size", flags->options.min_text_size,
                  "Polygons whose box is thinner than this are masked out")
      ->capture_default_str();
  cmd->add_option("--thresh-min", flags->options.thresh_min, "Threshold map value away from text borders")
      ->capture_default_str();
  cmd->add_option("--thresh-max", flags->options.thresh_max, "Threshold map value on text borders")
      ->capture_default_str();
  cmd->add_option("--distance", flags->distance,
                  "Border distance: reference (MhLiao/DB's formula) or exact (point-to-segment)")
      ->capture_default_str()
      ->check(CLI::IsMember({"reference", "exact"}));
  cmd->add_option("--mode", flags->mode, "Pipeline order: db (MhLiao/DB) or paddleocr")
      ->capture_default_str()
      ->check(CLI::IsMember({"db", "paddleocr"}));
  cmd->callback([flags] { SetExitCode(Run(*flags)); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(Register);

}  // namespace docpipe::cli
