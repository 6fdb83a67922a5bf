// Cost of table detection, and how many tables real documents yield: each
// PDF is converted on one thread with PdfOptions::detect_tables on and off,
// alternately, best of --repeat rounds each, in the same run. Prints the CPU
// seconds of both (steadier than wall time on a shared machine), their
// ratio, and tables found per 100 pages.
//
// usage: docpipe_table_speed [--repeat N] FILE.pdf...
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../cpu_seconds.h"
#include "docpipe/pdf.h"

namespace {

struct Run {
  double seconds = 0;
  int pages = 0, tables = 0;
};

docpipe::Result<Run> ConvertOnce(docpipe::PdfWorker& worker, const std::string& path, bool tables) {
  docpipe::PdfOptions options;
  options.detect_tables = tables;
  const double start = docpipe::bench::CpuSeconds();
  auto document = worker.Convert(path, options);
  const double seconds = docpipe::bench::CpuSeconds() - start;
  if (!document.ok()) return document.status();
  Run run;
  run.seconds = seconds;
  run.pages = static_cast<int>(document->pages.size());
  for (const docpipe::Page& page : document->pages) {
    run.tables +=
        static_cast<int>(std::count_if(page.blocks.begin(), page.blocks.end(), [](const docpipe::Block& b) {
          return b.type == docpipe::BlockType::kTable;
        }));
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 3;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: docpipe_table_speed [--repeat N] FILE.pdf...\n");
    return 2;
  }
  auto engine = docpipe::PdfEngine::Make();
  if (!engine.ok()) return std::fprintf(stderr, "%s\n", engine.status().ToString().c_str()), 1;
  auto worker = docpipe::PdfWorker::Make(*engine);
  if (!worker.ok()) return std::fprintf(stderr, "%s\n", worker.status().ToString().c_str()), 1;
  double total_on = 0, total_off = 0;
  int total_pages = 0, total_tables = 0;
  std::printf("%-40s %6s %7s %9s %9s %7s\n", "file", "pages", "tables", "on (s)", "off (s)", "on/off");
  for (const std::string& path : files) {
    double on = 1e30, off = 1e30;
    Run last;
    for (int r = 0; r < repeat; ++r) {
      for (const bool tables : {true, false}) {
        auto run = ConvertOnce(**worker, path, tables);
        if (!run.ok())
          return std::fprintf(stderr, "%s: %s\n", path.c_str(), run.status().ToString().c_str()), 1;
        (tables ? on : off) = std::min(tables ? on : off, run->seconds);
        if (tables) last = *run;
      }
    }
    const std::string name = path.substr(path.find_last_of('/') + 1);
    std::printf("%-40s %6d %7d %9.3f %9.3f %6.3fx\n", name.c_str(), last.pages, last.tables, on, off,
                on / off);
    total_on += on, total_off += off;
    total_pages += last.pages, total_tables += last.tables;
  }
  std::printf("%-40s %6d %7d %9.3f %9.3f %6.3fx\n", "all", total_pages, total_tables, total_on, total_off,
              total_on / total_off);
  std::printf("tables per 100 pages: %.1f\n", total_pages ? 100.0 * total_tables / total_pages : 0.0);
  return 0;
}
