// Ingest: files and directories in, documents and chunks in a Store out.
//
// Documents flow through the stages (hash, skip check, open + extract +
// structure, chunk, store) on a pool of `workers` threads joined by a bounded
// pipeline, so memory stays flat however many inputs there are. Each worker
// owns its expensive resources (a MuPDF context) for the whole run. The store
// is written by one stage at a time, in batches, one transaction per batch.
//
// Ingest is idempotent: a document whose content (sha256) is already stored is
// skipped; a changed file at a known path replaces its old chunks; a run killed
// at any moment and re-run ends with exactly the rows of a clean run.
//
// Thread-safety: Ingest() is a blocking call; the progress callback is called
// from one pipeline thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "docpipe/chunker.h"
#include "docpipe/document.h"
#include "docpipe/pdf.h"
#include "docpipe/status.h"
#include "docpipe/store.h"

namespace docpipe {

struct IngestOptions {
  std::vector<std::string> inputs;    // files and directories; "-" reads paths from stdin
  std::vector<std::string> list_files;  // files holding one input path per line
  std::vector<std::string> include_globs;  // directory walks keep files matching one of these (all when empty)
  std::vector<std::string> exclude_globs;  // ... and drop files matching any of these
  int workers = 0;                // 0 = the machine's cores
  int store_batch_documents = 32;  // documents per store transaction
  PdfOptions pdf;
  ChunkOptions chunk;
};

// One input that did not make it, and why.
struct InputProblem {
  std::string path;
  std::string reason;
};

struct IngestReport {
  int64_t inputs = 0;           // files considered
  int64_t documents_ok = 0;     // converted and stored in this run
  int64_t documents_skipped = 0;  // already stored with the same content
  int64_t documents_failed = 0;
  int64_t unsupported = 0;      // files of a type docpipe does not read (found in directories)
  int64_t pages = 0;            // pages of the documents stored in this run
  int64_t pages_needing_ocr = 0;
  int64_t chunks = 0;
  int64_t bytes = 0;
  double wall_seconds = 0;
  int workers = 0;
  StageSeconds busy;            // summed over workers: where the time went
  double hash_seconds = 0;
  double pdf_engine_setup_seconds = 0;  // base MuPDF context
  double pdf_worker_setup_seconds = 0;  // all per-worker contexts together
  std::vector<InputProblem> failures;       // failed documents with reasons
  std::vector<InputProblem> page_problems;  // pages that failed alone ("page 7: timeout ...")
  std::vector<InputProblem> unsupported_files;

  bool any_failed() const { return documents_failed > 0; }
  std::string ToJson() const;   // the --json report
  std::string ToText() const;   // the human summary printed at the end of a run
};

struct IngestProgress {
  int64_t files_total = 0;  // known once inputs are listed
  int64_t files_done = 0;
  int64_t pages_done = 0;
  double elapsed_seconds = 0;
};

using IngestProgressCallback = std::function<void(const IngestProgress&)>;

// Lists the input files (walking directories recursively, applying globs,
// reading list files) in a stable order. A missing input is an error; an
// unreadable directory entry is reported as a failure by Ingest().
Result<std::vector<std::string>> CollectInputs(const IngestOptions& options);

// Runs the whole ingest into `store`. Errors in single documents are counted
// in the report; only a failure of the store itself (or bad options) is an
// error Status.
Result<IngestReport> Ingest(Store& store, const IngestOptions& options,
                            const IngestProgressCallback& progress = {});

}  // namespace docpipe
