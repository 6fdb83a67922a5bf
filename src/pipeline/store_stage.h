// The ingest pipeline's last stage: it batches documents and hands each batch
// to the StoreSink (the one group-commit writer, on its own thread), and
// keeps the run report and progress. It does not wait for a batch to be
// written: a batch's outcome is collected at the next hand-over, and a store
// failure ends the run. A big document is streamed: written in pieces of
// whole page ranges (CutIntoPieces), one batch per piece, partial until its
// last piece (docpipe/store.h, DocumentWrite::continues). Private to the pipeline.
//
// Thread-safety: one thread at a time (it is the chain's serial sink, and the
// caller of Ingest() after the chain has finished), except TagAndWritePieces(),
// which any pipeline thread may call meanwhile. The destructor waits for
// every batch handed over (their after-commit step uses the enrichment).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <future>
#include <vector>

#include "core/stopwatch.h"
#include "docpipe/ingest.h"
#include "docpipe/store.h"
#include "docpipe/text_embedder.h"
#include "pipeline/chunk_enrichment.h"
#include "pipeline/ingest_item.h"
#include "pipeline/store_sink.h"

namespace docpipe::pipeline {

// `write` cut into pieces of whole page ranges (by the page range of each
// chunk's first page, ranges of `range_pages` pages), each of at least
// `piece_chunks` chunks but the last; one whole write when that makes one
// piece. Chunks, enrichments and vectors keep their order and ordinals.
std::vector<DocumentWrite> CutIntoPieces(DocumentWrite write, int range_pages, int piece_chunks);
// Where those pieces start, and the end: chunk indexes, one more than pieces.
std::vector<size_t> PieceBounds(const std::vector<Chunk>& chunks, int range_pages, int piece_chunks);

class StoreStage {
 public:
  StoreStage(StoreSink& sink, ChunkEnrichment& enrichment, const TextEmbedder* embedder,
             const IngestOptions& options, IngestReport& report, const IngestProgressCallback& progress,
             int64_t files_total)
      : sink_(sink),
        enrichment_(enrichment),
        embedder_(embedder),
        options_(options),
        report_(report),
        progress_(progress) {
    progress_state_.files_total = files_total;
  }

  // Tags a converted document written in several pieces (CutIntoPieces) with
  // the heuristic tagger, piece by piece (on the threads of the calling task
  // arena), and hands each piece to the sink as soon as it and those before it
  // are tagged: the writer starts on a big document while its later pieces
  // are tagged, instead of after. The pieces' outcomes go in item.written,
  // collected by Accept(). Returns false, doing nothing, for a document of one
  // piece or with the LLM as tagger. Callable from any pipeline thread (it
  // touches only the sink, the enrichment and the item).
  bool TagAndWritePieces(Item& item);

  // Counts the item in the report and queues its write (a full batch is written).
  void Accept(Item& item);
  ~StoreStage();

  // Hands what is batched to the sink; a store failure seen so far ends the run.
  Status Flush();
  // Flushes, then waits until every batch handed over is written.
  Status Finish();
  const Status& status() const { return status_; }
  // Whether a store failure was seen; unlike status(), callable from any stage's thread.
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  // The writer's busy time on this run's batches (each transaction counted
  // once) and the documents it stored whole (a streamed one once, at its last piece).
  double store_seconds() const { return store_seconds_; }
  int64_t documents_stored() const { return documents_stored_; }

 private:
  void AcceptFailed(Item& item);
  void AcceptConverted(Item& item);
  void CountEnrichments(const std::vector<EnrichmentResult>& results);
  void CountOcr(const std::string& path, const Page& page);
  void Enqueue(DocumentWrite write);
  // Takes the outcome of written batches: those ready, or all when `wait`.
  void Collect(bool wait);

  StoreSink& sink_;
  ChunkEnrichment& enrichment_;
  const TextEmbedder* embedder_;
  const IngestOptions& options_;
  IngestReport& report_;
  const IngestProgressCallback& progress_;
  IngestProgress progress_state_;
  Stopwatch watch_;
  std::vector<DocumentWrite> batch_;
  size_t batch_chunks_ = 0;
  std::deque<std::future<Result<StoredBatch>>> handed_;  // in the order handed over
  double store_seconds_ = 0;
  int64_t documents_stored_ = 0;
  Status status_;
  std::atomic<bool> failed_{false};
};

}  // namespace docpipe::pipeline
