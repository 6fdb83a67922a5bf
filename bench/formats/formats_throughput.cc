// Converts every file named on the command line in this one process, on one
// thread, and prints {"files", "bytes", "cpu_seconds", "mib_per_cpu_s",
// "failed"} as JSON: the in-process rate that `ingest` sees, without the
// start-up of a process per file. PDFs and images are not handled here.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "../cpu_seconds.h"
#include "docpipe/formats.h"

int main(int argc, char** argv) {
  using namespace docpipe;
  std::vector<std::string> files(argv + 1, argv + argc);
  int64_t bytes = 0;
  int failed = 0;
  const double start = bench::CpuSeconds();
  for (const std::string& file : files) {
    Result<Document> document = ConvertFile(file, {}, []() -> Result<PdfWorker*> {
      return Status::Unsupported("PDFs and images are not part of this benchmark");
    });
    if (!document.ok()) {
      ++failed;
      continue;
    }
    std::error_code error;
    bytes += static_cast<int64_t>(std::filesystem::file_size(file, error));
  }
  const double seconds = bench::CpuSeconds() - start;
  std::printf("{\"files\": %zu, \"bytes\": %lld, \"cpu_seconds\": %.3f, \"mib_per_cpu_s\": %.2f, \"failed\": %d}\n",
              files.size(), static_cast<long long>(bytes), seconds,
              seconds > 0 ? static_cast<double>(bytes) / (1 << 20) / seconds : 0.0, failed);
  return 0;
}
