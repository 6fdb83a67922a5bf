#include "pipeline/chunk_enrichment.h"

#include <chrono>
#include <string>

#include "core/stopwatch.h"
#include "docpipe/taxonomy.h"

namespace docpipe::pipeline {

Result<std::unique_ptr<LlmClient>> MakeEnrichmentClient(const IngestEnrichOptions& options) {
  if (options.llm_concurrency < 1) return Status::InvalidArgument("--llm-concurrency must be at least 1");
  if (options.llm_batch < 1) return Status::InvalidArgument("--llm-batch must be at least 1");
  if (!(options.llm_timeout_seconds > 0)) return Status::InvalidArgument("--llm-timeout must be positive");
  if (options.llm_retries < 0) return Status::InvalidArgument("--llm-retries must not be negative");
  LlmClientOptions client;
  client.base_url = options.llm_url;
  client.model = options.llm_model;
  DOCPIPE_ASSIGN_OR_RETURN(client.protocol, ParseLlmProtocol(options.llm_protocol, options.llm_url));
  client.api_key = options.llm_api_key;
  client.max_in_flight = options.llm_concurrency;
  client.max_retries = options.llm_retries;
  client.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(options.llm_timeout_seconds * 1000));
  return LlmClient::Make(client);
}

namespace {

std::vector<EnrichmentInput> Inputs(std::span<const Chunk> chunks, size_t first_id = 0) {
  std::vector<EnrichmentInput> inputs;
  inputs.reserve(chunks.size());
  for (size_t i = 0; i < chunks.size(); ++i) inputs.push_back({std::to_string(first_id + i), chunks[i].text});
  return inputs;
}

}  // namespace

Result<std::unique_ptr<ChunkEnrichment>> ChunkEnrichment::Make(const IngestEnrichOptions& options, Store& store) {
  auto enrichment = std::make_unique<ChunkEnrichment>();
  EnricherOptions enricher;
  enricher.kinds = options.kinds;
  enricher.batch_size = options.llm_batch;
  if (!options.taxonomy_file.empty()) {
    Result<std::shared_ptr<const Taxonomy>> taxonomy = Taxonomy::FromFile(options.taxonomy_file);
    if (!taxonomy.ok()) return Status::InvalidArgument("--taxonomy: " + taxonomy.status().ToString());
    enricher.taxonomy = *taxonomy;
  }
  enrichment->producer_ = "heuristic";
  DOCPIPE_ASSIGN_OR_RETURN(enrichment->heuristic_, Enricher::Make(enricher));
  enrichment->enricher_ = enrichment->heuristic_.get();
  if (!options.llm_url.empty()) {
    DOCPIPE_ASSIGN_OR_RETURN(enrichment->cache_, store.OpenEnrichmentCache());
    Result<std::unique_ptr<LlmClient>> client = MakeEnrichmentClient(options);
    if (!client.ok()) return Status::InvalidArgument("--llm: " + client.status().ToString());
    enrichment->client_ = std::move(client).value();
    enricher.client = enrichment->client_.get();
    enricher.cache = enrichment->cache_.get();
    enrichment->producer_ = "llm:" + options.llm_model;
    DOCPIPE_ASSIGN_OR_RETURN(enrichment->llm_, Enricher::Make(enricher));
    enrichment->enricher_ = enrichment->llm_.get();
  }
  return enrichment;
}

std::vector<EnrichmentResult> ChunkEnrichment::Tag(std::span<const Chunk> chunks, size_t first_id) {
  Stopwatch watch;
  // Without a client the Enricher answers on this thread before returning.
  std::vector<EnrichmentResult> results = enricher_->Enrich(Inputs(chunks, first_id)).get();
  MutexLock lock(seconds_mutex_);
  seconds_ += watch.Seconds();
  return results;
}

std::vector<EnrichmentResult> ChunkEnrichment::TagHeuristic(std::span<const Chunk> chunks) {
  Stopwatch watch;
  std::vector<EnrichmentResult> results = heuristic_->Enrich(Inputs(chunks)).get();
  MutexLock lock(seconds_mutex_);
  seconds_ += watch.Seconds();
  return results;
}

void ChunkEnrichment::Submit(const std::vector<Chunk>& chunks,
                             std::function<void(std::vector<EnrichmentResult>)> done) {
  Stopwatch watch;
  enricher_->Enrich(Inputs(chunks), std::move(done));
  MutexLock lock(seconds_mutex_);
  seconds_ += watch.Seconds();
}

Status ChunkEnrichment::FlushCache() { return cache_ ? cache_->Flush() : Status::Ok(); }

void ChunkEnrichment::FillReport(IngestEnrichmentReport& report) const {
  report.producer = producer_;
  EnrichmentStats stats = enricher_->stats();
  report.cache_hits = stats.cache_hits;
  report.llm_requests = stats.llm_requests;
  report.invalid_outputs = stats.invalid_outputs;
  report.errors = stats.request_failures;
  {
    MutexLock lock(seconds_mutex_);
    report.seconds = seconds_;
  }
  if (client_) {
    LlmClientStats client = client_->stats();
    report.retries = client.retries;
    report.breaker_trips = client.breaker_opened;
    report.llm_client_cpu_seconds = client.io_thread_cpu_seconds;
  }
}

EnrichmentStats ChunkEnrichment::stats() const {
  EnrichmentStats stats = heuristic_->stats();
  if (llm_) {
    EnrichmentStats llm = llm_->stats();
    stats.chunks += llm.chunks;
    stats.llm_results += llm.llm_results;
    stats.cache_hits += llm.cache_hits;
    stats.fallbacks += llm.fallbacks;
    stats.llm_requests += llm.llm_requests;
    stats.request_failures += llm.request_failures;
    stats.invalid_outputs += llm.invalid_outputs;
  }
  return stats;
}

}  // namespace docpipe::pipeline
