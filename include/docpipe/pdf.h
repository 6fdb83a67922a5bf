// PDF -> Document for pages with a text layer (MuPDF structured text).
//
// PdfEngine is the immutable shared part, created once per process; it also
// collects the set-up cost of the workers. PdfWorker is the per-thread part:
// a MuPDF context of its own, created once per worker thread and reused for
// every document that worker handles (contexts are not cloned from a shared
// base, because clones serialise on MuPDF's allocation lock). A PdfWorker must
// only be used by one thread at a time; the engine may be shared by any number
// of workers.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "docpipe/document.h"
#include "docpipe/status.h"

namespace docpipe {

struct PdfOptions {
  std::string password;            // for encrypted PDFs; empty = none
  double page_timeout_seconds = 60;  // budget per page; a page past it fails alone; <= 0: none
};

class PdfEngine {
 public:
  // Creates the shared part; MuPDF contexts are made by the workers.
  static Result<std::shared_ptr<const PdfEngine>> Make();
  virtual ~PdfEngine() = default;
  // Seconds taken by Make() and by the average PdfWorker::Make(): reported so
  // the value of per-worker reuse is visible.
  virtual double setup_seconds() const = 0;
};

class PdfWorker {
 public:
  static Result<std::unique_ptr<PdfWorker>> Make(std::shared_ptr<const PdfEngine> engine);
  virtual ~PdfWorker() = default;

  // Whole document on this thread: open, extract every page, structure.
  // A page that fails (timeout, damaged content) is kept with Page::error set;
  // a document that cannot be opened at all is an error Status
  // (kCorrupt, kPermissionDenied for a missing or wrong password, kIoError).
  // Fills Document::seconds (open, extract, structure).
  virtual Result<Document> Convert(const std::string& path, const PdfOptions& options) = 0;

  // Page count and metadata only (cheap): used to split a large document.
  virtual Result<DocumentMetadata> ReadMetadata(const std::string& path,
                                                const PdfOptions& options) = 0;
};

// Converts one document with its pages spread over `workers` threads
// (0 = hardware concurrency), then structures it as a whole. The result is
// identical to PdfWorker::Convert.
Result<Document> ConvertPdfParallel(std::shared_ptr<const PdfEngine> engine, const std::string& path,
                                    const PdfOptions& options, int workers);

}  // namespace docpipe
