// `docpipe bench`, and `bench ingest`: the same inputs ingested at several
// worker counts, each into a fresh store, with the speedup and where the time
// went. The other benchmarks register under it (bench_commands.h).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "../bench/cpu_seconds.h"
#include "bench_commands.h"
#include "command.h"
#include "docpipe/ingest.h"
#include "docpipe/store.h"

namespace docpipe::cli {
namespace {

namespace fs = std::filesystem;

struct BenchFlags {
  IngestOptions options;
  std::vector<int> worker_counts = {1, 2, 4};
  int repeat = 1;
  bool json = false;
};

// A private temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "docpipe-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One run's report and the process CPU time it took (every thread: the
// workers, the store writer, helpers): the total work a run's wall time is
// compared against.
struct BenchRun {
  IngestReport report;
  double cpu_seconds = 0;
};

// The fastest of `repeat` runs at one worker count.
Result<BenchRun> BestRun(const BenchFlags& flags, int workers) {
  Result<BenchRun> best = Status::Internal("no run");
  for (int i = 0; i < flags.repeat; ++i) {
    TempDir dir;
    if (dir.path().empty()) return Status::IoError("cannot create a temporary directory");
    DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(dir.path() + "/bench.sqlite"));
    IngestOptions options = flags.options;
    options.workers = workers;
    const double cpu_before = bench::CpuSeconds();
    DOCPIPE_ASSIGN_OR_RETURN(IngestReport report, Ingest(*store, options));
    const double cpu = bench::CpuSeconds() - cpu_before;
    if (!best.ok() || report.wall_seconds < best->report.wall_seconds) best = BenchRun{std::move(report), cpu};
  }
  return best;
}

double StoreBusy(const IngestReport& report) {
  for (const StageFigures& stage : report.stages) {
    if (stage.name == "store") return stage.busy_seconds;
  }
  return report.busy.store;
}

// The least wall time the run could take: all its work spread evenly over the
// workers, or the single store writer's share, whichever is longer.
double CriticalPath(const BenchRun& run) {
  return std::max(run.cpu_seconds / std::max(1, run.report.workers), StoreBusy(run.report));
}

void PrintTable(const std::vector<BenchRun>& runs) {
  const IngestReport& base = runs.front().report;
  std::printf("%-8s %9s %10s %8s %8s %8s %8s %9s %7s %7s %7s %7s\n", "workers", "wall s", "pages/s", "speedup",
              "cpu s", "bound s", "extract", "structure", "chunk", "enrich", "store", "failed");
  for (const BenchRun& run : runs) {
    const IngestReport& r = run.report;
    double pages_per_second = r.wall_seconds > 0 ? static_cast<double>(r.pages) / r.wall_seconds : 0;
    std::printf("%-8d %9.3f %10.1f %7.2fx %8.3f %8.3f %8.3f %9.3f %7.3f %7.3f %7.3f %7lld\n", r.workers,
                r.wall_seconds, pages_per_second, base.wall_seconds / r.wall_seconds, run.cpu_seconds,
                CriticalPath(run), r.busy.extract, r.busy.structure, r.busy.chunk, r.enrichment.seconds,
                StoreBusy(r), static_cast<long long>(r.documents_failed));
  }
  std::printf("\nbound s: the critical path, max(cpu s / workers, store s): all the work spread evenly, or the\n"
              "single store writer's busy time. wall s close to it: the workers were kept busy.\n");
  for (const BenchRun& run : runs) {
    std::printf("%d worker(s): wall %.3f s against bound %.3f s (%.0f%% of the wall time)\n", run.report.workers,
                run.report.wall_seconds, CriticalPath(run),
                run.report.wall_seconds > 0 ? 100.0 * CriticalPath(run) / run.report.wall_seconds : 0);
  }
  int64_t documents = base.documents_ok > 0 ? base.documents_ok : 1;
  double per_document = (base.busy.open + base.busy.extract + base.busy.structure + base.busy.chunk +
                         base.enrichment.seconds) /
                        static_cast<double>(documents);
  double per_context = base.pdf_worker_setup_seconds / std::max(1, base.workers);
  std::printf(
      "\n%lld documents, %lld pages, %lld chunks per run.\n"
      "MuPDF set-up: engine %.2f ms, per-worker context %.3f ms; work per document %.2f ms.\n"
      "A context per document would add %.1f%% to the per-document cost; docpipe makes one per worker.\n",
      static_cast<long long>(base.documents_ok), static_cast<long long>(base.pages),
      static_cast<long long>(base.chunks), base.pdf_engine_setup_seconds * 1e3, per_context * 1e3,
      per_document * 1e3, per_document > 0 ? 100.0 * (base.pdf_engine_setup_seconds + per_context) / per_document : 0);
}

void RunBench(const BenchFlags& flags) {
  std::vector<BenchRun> reports;
  for (int workers : flags.worker_counts) {
    std::fprintf(stderr, "docpipe bench: %d worker(s)...\n", workers);
    Result<BenchRun> report = BestRun(flags, workers);
    if (!report.ok()) {
      std::fprintf(stderr, "docpipe bench ingest: %s\n", report.status().ToString().c_str());
      SetExitCode(kExitError);
      return;
    }
    reports.push_back(std::move(report).value());
  }
  if (flags.json) {
    nlohmann::json runs = nlohmann::json::array();
    for (const BenchRun& run : reports) {
      nlohmann::json report = nlohmann::json::parse(run.report.ToJson());
      report["cpu_seconds"] = run.cpu_seconds;
      report["critical_path_seconds"] = CriticalPath(run);
      runs.push_back(std::move(report));
    }
    std::printf("%s\n", runs.dump(2).c_str());
  } else {
    PrintTable(reports);
  }
  SetExitCode(kExitOk);
}

void RegisterBench(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks of docpipe's own stages");
  bench->require_subcommand(1);
  auto flags = std::make_shared<BenchFlags>();
  CLI::App* cmd = bench->add_subcommand("ingest", "Ingest the same inputs at several worker counts: speedup and per-stage time");
  cmd->footer("Each run writes a fresh temporary SQLite store, so nothing is skipped between runs.");
  cmd->add_option("inputs", flags->options.inputs, "Files and directories")->required();
  cmd->add_option("--workers", flags->worker_counts, "Worker counts to compare")->capture_default_str()->delimiter(',');
  cmd->add_option("--repeat", flags->repeat, "Runs per worker count (the fastest counts)")->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--range-pages", flags->options.range_pages, "Pages per unit of parallel work within a document")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--piece-chunks", flags->options.piece_chunks,
                  "Least chunks per committed piece of a large document")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_option("--include", flags->options.include_globs, "Glob for files to take from directories");
  cmd->add_option("--exclude", flags->options.exclude_globs, "Glob for files to skip");
  cmd->add_flag("--json", flags->json, "Reports as JSON");
  cmd->callback([flags] { RunBench(*flags); });
  RegisterBenchSearch(*bench);
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterBench);

}  // namespace docpipe::cli
