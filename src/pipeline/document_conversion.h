// The ingest pipeline's per-document work: converting an input into a
// Document (the one place that picks a reader by input type), chunking it,
// tagging and embedding its chunks. A large document's work is cut into
// ranges (of pages, or of chunks) that any idle thread of the calling task
// arena may take, so one big document does not leave the other workers idle;
// the result is the same as one thread's, whatever the number of threads.
//
// Thread-safety: WorkerResources may be used from any thread (each thread gets
// its own PdfWorker); the functions are called from pipeline threads, one item
// per call.
#pragma once

#include <memory>

#include <tbb/enumerable_thread_specific.h>

#include "core/mutex.h"
#include "docpipe/ingest.h"
#include "docpipe/pdf.h"
#include "docpipe/text_embedder.h"
#include "pipeline/chunk_enrichment.h"
#include "pipeline/ingest_item.h"

namespace docpipe::pipeline {

// Per-worker resources, created on first use by each thread and kept for the run.
class WorkerResources {
 public:
  explicit WorkerResources(std::shared_ptr<const PdfEngine> engine) : engine_(std::move(engine)) {}

  Result<PdfWorker*> Pdf();
  double setup_seconds() const;

 private:
  std::shared_ptr<const PdfEngine> engine_;
  tbb::enumerable_thread_specific<std::unique_ptr<PdfWorker>> pdf_workers_;
  mutable Mutex mutex_;
  double setup_seconds_ DOCPIPE_GUARDED_BY(mutex_) = 0;
};

// Reads item.path into item.document with the reader for item.type, then
// chunks it. A failure sets item.fate to kFailed (kCancelled when the run's
// token stopped it) with the reason in item.status.
void ConvertInput(Item& item, WorkerResources& resources, const IngestOptions& options, int workers);

// item.enrichments for item.chunks from the heuristic tagger, by ranges of chunks.
void TagChunks(Item& item, ChunkEnrichment& enrichment);

// item.vectors for item.chunks, by ranges of chunks; a failure fails the document alone.
void EmbedChunks(Item& item, TextEmbedder& embedder);

}  // namespace docpipe::pipeline
