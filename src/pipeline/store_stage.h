// The ingest pipeline's sink: the single store writer. It batches documents
// into transactions (one per batch) and keeps the run report and progress.
// A document whose chunks span several page ranges is streamed: written in
// pieces, one page range's chunks each, one transaction per piece, partial
// until its last piece (docpipe/store.h, DocumentWrite::continues).
// Private to the pipeline.
//
// Thread-safety: one thread at a time (it is the chain's serial sink, and the
// caller of Ingest() after the chain has finished).
#pragma once

#include <cstdint>
#include <vector>

#include "core/stopwatch.h"
#include "docpipe/ingest.h"
#include "docpipe/store.h"
#include "docpipe/text_embedder.h"
#include "pipeline/chunk_enrichment.h"
#include "pipeline/ingest_item.h"

namespace docpipe::pipeline {

// `write` cut into pieces by the page range of each chunk's first page
// (ranges of `range_pages` pages); one whole write when its chunks start in
// one range. Chunks, enrichments and vectors keep their order and ordinals.
std::vector<DocumentWrite> CutIntoPieces(DocumentWrite write, int range_pages);

class StoreStage {
 public:
  StoreStage(Store& store, ChunkEnrichment& enrichment, const TextEmbedder* embedder,
             const IngestOptions& options, IngestReport& report, const IngestProgressCallback& progress,
             int64_t files_total)
      : store_(store),
        enrichment_(enrichment),
        embedder_(embedder),
        options_(options),
        report_(report),
        progress_(progress) {
    progress_state_.files_total = files_total;
  }

  // Counts the item in the report and queues its write (a full batch is written).
  void Accept(Item& item);
  // Writes what is batched; a store failure ends the run.
  Status Flush();
  const Status& status() const { return status_; }

 private:
  void AcceptFailed(Item& item);
  void AcceptConverted(Item& item);
  void CountEnrichments(const std::vector<EnrichmentResult>& results);
  void CountOcr(const std::string& path, const Page& page);
  void Enqueue(DocumentWrite write);

  Store& store_;
  ChunkEnrichment& enrichment_;
  const TextEmbedder* embedder_;
  const IngestOptions& options_;
  IngestReport& report_;
  const IngestProgressCallback& progress_;
  IngestProgress progress_state_;
  Stopwatch watch_;
  std::vector<DocumentWrite> batch_;
  size_t batch_chunks_ = 0;
  Status status_;
};

}  // namespace docpipe::pipeline
