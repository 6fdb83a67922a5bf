// PDF -> Document: pages with a text layer through MuPDF structured text,
// scanned pages (and the image parts of mixed ones) rendered by MuPDF and
// recognised by Tesseract (docpipe/ocr.h), into the same block model.
//
// PdfEngine is the immutable shared part, created once per process (with the
// OCR model when OCR is on); it also collects the set-up cost of the workers.
// PdfWorker is the per-thread part: a MuPDF context of its own (and an
// OcrSession, made when its first scanned page comes), created once per worker
// thread and reused for every document that worker handles (contexts are not cloned from a shared
// base, because clones serialise on MuPDF's allocation lock). A PdfWorker must
// only be used by one thread at a time; the engine may be shared by any number
// of workers.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "docpipe/cancel_token.h"
#include "docpipe/document.h"
#include "docpipe/ocr.h"
#include "docpipe/status.h"

namespace docpipe {

struct PdfOptions {
  std::string password;            // for encrypted PDFs; empty = none
  double page_timeout_seconds = 60;  // budget per page; a page past it fails alone; <= 0: none
  // The document's own budget: past it the whole document fails with a reason.
  double document_timeout_seconds = 1800;  // all its pages, OCR included (kTimeout); <= 0: none
  int max_pages = 10000;                   // more pages fail it at open (kResourceExhausted); <= 0: none
  // Memory MuPDF may hold on one worker thread while it converts a page of
  // this document; a page that needs more fails alone ("out of memory: ...").
  size_t worker_memory_bytes = size_t{512} << 20;  // 0: none
  bool detect_tables = true;  // ruled, rule-delimited and unruled tables become kTable blocks (docs/tables.md)
  // Checked between pages: once cancelled, the conversion stops and is kCancelled. Not owned.
  const CancelToken* cancel = nullptr;
  // Pages per unit of parallel structuring in ConvertPdfInArena; the result does not depend on it.
  int range_pages = 64;
};

class PdfEngine {
 public:
  // Creates the shared part without OCR: pages without a text layer are only
  // marked needs_ocr. MuPDF contexts are made by the workers.
  static Result<std::shared_ptr<const PdfEngine>> Make();
  // With OCR as `ocr` says; a language whose traineddata is missing is an
  // error here (kNotFound), before any page is read.
  static Result<std::shared_ptr<const PdfEngine>> Make(const OcrOptions& ocr);
  virtual ~PdfEngine() = default;
  // Null when OCR is off (OcrMode::kNever).
  virtual std::shared_ptr<const OcrModel> ocr_model() const = 0;
  virtual OcrMode ocr_mode() const = 0;
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

// Converts one document with its pages spread over the threads of the calling
// TBB arena: a page is extracted (and recognised) by whichever thread takes
// it, with that thread's own worker from `worker_for_thread`, so no context
// or OCR session is made for the occasion. The calling thread only takes
// pages of this document while it waits; other threads take them when idle,
// so a large scan is shared by all workers while small documents still
// interleave. The result is identical to PdfWorker::Convert. Every worker
// must come from `engine`.
using PdfWorkerForThread = std::function<Result<PdfWorker*>()>;
Result<Document> ConvertPdfInArena(const std::string& path, const PdfOptions& options,
                                   const PdfWorkerForThread& worker_for_thread);

}  // namespace docpipe
