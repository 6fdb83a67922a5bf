// libFuzzer target: untrusted bytes through PDF opening, the page-tree check
// and extraction (PdfWorker::Convert), with small budgets so that a slow or
// hungry input is a finding only when the budgets fail to stop it.
// Checks: no crash or sanitizer report; a failure has a message; a document
// has 1..max_pages pages numbered in order; its problem list is capped.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "docpipe/document_problems.h"
#include "docpipe/pdf.h"
#include "fuzz_pdf_worker.h"

namespace {

// The worker reads a path: the input goes to one scratch file, rewritten per run.
std::string ScratchPath() {
  static const std::string path = [] {
    char name[] = "/tmp/fuzz_pdf_convert-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) std::abort();
    close(fd);
    return std::string(name);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ScratchPath();
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);

  docpipe::PdfOptions options;
  options.page_timeout_seconds = 1;
  options.document_timeout_seconds = 5;
  options.max_pages = 50;
  options.worker_memory_bytes = size_t{256} << 20;
  docpipe::Result<docpipe::Document> document = docpipe::fuzz::SharedPdfWorker().Convert(path, options);
  if (!document.ok()) {
    if (document.status().message().empty()) std::abort();
    return 0;
  }
  const auto& pages = document->pages;
  if (pages.empty() || pages.size() > static_cast<size_t>(options.max_pages)) std::abort();
  for (size_t i = 0; i < pages.size(); ++i) {
    if (pages[i].number != static_cast<int>(i) + 1) std::abort();
  }
  if (docpipe::DocumentProblems(*document).size() > docpipe::kMaxDocumentProblems) std::abort();
  return 0;
}
