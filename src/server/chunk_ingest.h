// POST /ingest: a batch of chunks tagged (LLM or heuristic, by the pipeline's
// ChunkEnrichment), embedded and stored, on the pipeline's stage chain
// ("enrich" -> "embed" -> the shared group-commit StoreSink), the chain
// `docpipe ingest` runs after conversion.
// The chunks of one request are one unit: one Enrich() call (the LLM requests
// of all chunks in flight at once, bounded by the client's concurrency), one
// encoder batch, one store batch (which the sink may share with other
// requests' and jobs' batches in one transaction). Each request's stage
// counters go to /metrics under the names the CLI report uses.
//
// Each chunk is stored as a document of its own at "ingest:<dataset_source>/<id>",
// its id given by the caller or derived from its text, so sending the same
// chunk again replaces it instead of storing it twice.
//
// Admission: chunks are counted from acceptance until stored; a request that
// would take the count past max_pending_chunks is refused (503) before any work.
//
// Thread-safety: Ingest() may be called from any number of request threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>

#include "docpipe/llm_client.h"
#include "docpipe/llm_enricher.h"
#include "docpipe/server_config.h"
#include "docpipe/store.h"
#include "pipeline/chunk_enrichment.h"
#include "pipeline/store_sink.h"
#include "server/request_json.h"
#include "server/server_metrics.h"
#include "server/vector_stage.h"

namespace docpipe::server {

class ChunkIngest {
 public:
  // `store` opens the enrichment cache; `sink`, `vectors` and `metrics` must outlive this.
  static Result<std::unique_ptr<ChunkIngest>> Make(const ServerConfig& config, Store& store,
                                                   pipeline::StoreSink& sink, VectorStage& vectors,
                                                   ServerMetrics& metrics);
  ~ChunkIngest();

  // Runs the request to the end. kUnavailable when the server is at its
  // pending-chunk limit; the response body (stored, errors, timings) otherwise.
  Result<nlohmann::json> Ingest(const IngestRequest& request);


  int64_t pending_chunks() const { return pending_.load(); }
  bool uses_llm() const { return enrichment_->uses_llm(); }
  const LlmClient* client() const { return enrichment_->client(); }
  EnrichmentStats enrichment_stats() const { return enrichment_->stats(); }

 private:
  struct Unit;
  ChunkIngest(const ServerConfig& config, pipeline::StoreSink& sink, VectorStage& vectors, ServerMetrics& metrics)
      : config_(config), sink_(sink), vectors_(vectors), metrics_(metrics) {}
  bool Admit(int64_t chunks);
  // The chain's stages, each on one request's unit.
  void Enrich(Unit& unit);
  void Embed(Unit& unit);
  void Write(Unit& unit);
  // Writes the LLM answers the cache has queued (after each of our transactions).
  Status FlushCache();

  const ServerConfig config_;
  pipeline::StoreSink& sink_;
  VectorStage& vectors_;
  ServerMetrics& metrics_;
  std::unique_ptr<pipeline::ChunkEnrichment> enrichment_;
  std::atomic<int64_t> pending_{0};
};

}  // namespace docpipe::server
