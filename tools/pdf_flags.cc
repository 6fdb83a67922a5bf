#include "pdf_flags.h"

#include <cstdint>
#include <string>

namespace docpipe::cli {

void AddPdfOptions(CLI::App* cmd, PdfOptions* options) {
  cmd->add_option("--password", options->password, "Password for encrypted PDFs");
  cmd->add_option("--page-timeout", options->page_timeout_seconds,
                  "Seconds allowed per page before it fails alone (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--document-timeout", options->document_timeout_seconds,
                  "Seconds allowed per document, all its pages together, before it fails (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--max-pages", options->max_pages, "Most pages a document may have; more fail it (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option_function<int64_t>(
         "--pdf-memory-mb", [options](int64_t mb) { options->worker_memory_bytes = static_cast<size_t>(mb) << 20; },
         "MiB of memory the PDF engine may hold per worker thread; a page that needs more fails alone (0: no limit)")
      ->default_str(std::to_string(options->worker_memory_bytes >> 20))
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 24));
  cmd->add_flag_callback(
      "--no-tables", [options] { options->detect_tables = false; },
      "Do not look for tables on PDF pages: their text stays in the paragraphs (docs/tables.md)");
}

}  // namespace docpipe::cli
