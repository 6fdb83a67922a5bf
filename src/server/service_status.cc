// GET /health and GET /metrics: what the service and its components are doing.
#include "core/redact.h"
#include "server/http_service.h"

#ifndef DOCPIPE_VERSION
#define DOCPIPE_VERSION "unknown"
#endif

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

Json LlmHealth(const ServerConfig& config, const LlmClient* client) {
  if (client == nullptr) return {{"status", "not_configured"}, {"tagger", "heuristic"}};
  LlmClientStats stats = client->stats();
  Result<LlmProtocol> protocol = ParseLlmProtocol(config.enrich.llm_protocol, config.enrich.llm_url);
  return {{"status", stats.breaker_open ? "unavailable" : "ok"},
          {"url", RedactCredentials(config.enrich.llm_url)},
          {"model", config.enrich.llm_model},
          {"protocol", protocol.ok() ? std::string(LlmProtocolName(*protocol)) : config.enrich.llm_protocol},
          {"breaker_open", stats.breaker_open},
          {"in_flight", stats.submitted - stats.succeeded - stats.failed}};
}

}  // namespace

Reply HttpService::Health(bool detailed) {
  Json components;
  bool healthy = true;
  Result<std::unique_ptr<Store>> reader = TakeReader();
  Result<StoreCounts> counts = reader.ok() ? (*reader)->Counts() : Result<StoreCounts>(reader.status());
  Result<std::string> engine = reader.ok() ? (*reader)->Engine() : Result<std::string>(reader.status());
  if (reader.ok()) ReturnReader(std::move(reader).value());
  if (counts.ok() && !engine.ok()) counts = engine.status();
  if (counts.ok()) {
    components["store"] = {{"status", "ok"},          {"location", RedactCredentials(config_.db)},
                           {"documents", counts->documents}, {"chunks", counts->chunks}, {"vectors", counts->vectors},
                           {"engine", *engine}};
  } else {
    healthy = false;
    components["store"] = {{"status", "error"}, {"location", RedactCredentials(config_.db)}, {"error", counts.status().ToString()}};
  }
  if (vectors_->enabled()) {
    const EmbedderIdentity& id = *vectors_->identity();
    components["encoder"] = {{"status", "ok"},          {"name", id.name},
                             {"dimension", id.dimension}, {"weights_hash", id.weights_hash},
                             {"source", RedactCredentials(id.source)}};
  } else {
    components["encoder"] = {{"status", "not_configured"}};
  }
  components["llm"] = LlmHealth(config_, ingest_->client());
  Json modes = Json::array();
  for (const std::string& mode : SearchModes()) modes.push_back(mode);
  components["index"] = {{"status", "ok"},
                         {"lexical", IsServerDatabase(config_.db) ? "postgresql tsvector ts_rank_cd" : "sqlite fts5 bm25"},
                         {"vector", vectors_->enabled() ? "faiss (flat or hnsw), exact while it is rebuilt" : "none"},
                         {"hybrid", vectors_->enabled() ? "reciprocal rank fusion" : "none"},
                         {"modes", modes}};
  if (index_cache_) {
    const SearchIndexCache::Stats stats = index_cache_->stats();
    components["index"]["vector_index"] = {{"vectors", stats.vectors},
                                           {"rebuilds", stats.rebuilds},
                                           {"building", stats.building},
                                           {"last_error", stats.last_error}};
  }
  components["jobs"] = {{"status", "ok"},
                        {"queued", jobs_->queued()},
                        {"resumed_at_start", jobs_->resumed()},
                        {"extract_queued", extract_jobs_->queued()},
                        {"extract_resumed_at_start", extract_jobs_->resumed()}};
  // Without the key a caller learns only whether the service is alive and ready.
  if (!detailed) {
    Json body = {{"status", healthy ? "ok" : "error"}, {"ready", healthy}};
    return {healthy ? 200 : 503, body.dump(), "application/json", 0};
  }
  Json body = {{"status", healthy ? "ok" : "error"},
               {"version", DOCPIPE_VERSION},
               {"http", "boost.beast"},
               {"components", std::move(components)}};
  return {healthy ? 200 : 503, body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json", 0};
}

Reply HttpService::Metrics() {
  metrics_.SetStoreWriter(sink_->busy_seconds(), sink_->documents_completed());
  std::vector<MetricSample> samples = {
      {"docpipe_ingest_pending_chunks", "gauge", "Chunks accepted by /ingest and not yet stored",
       static_cast<double>(ingest_->pending_chunks())},
      {"docpipe_ingest_pending_chunks_limit", "gauge", "Past this many pending chunks /ingest answers 503",
       static_cast<double>(config_.max_pending_chunks)},
      {"docpipe_store_queue_batches", "gauge", "Batches waiting for the store writer",
       static_cast<double>(sink_->queued())},
      {"docpipe_jobs_queued", "gauge", "Document jobs waiting", static_cast<double>(jobs_->queued())},
      {"docpipe_embed_waiting", "gauge", "Embedding calls waiting for an encoder slot",
       static_cast<double>(vectors_->waiting())},
  };
  EnrichmentStats enrich = ingest_->enrichment_stats();
  samples.push_back({"docpipe_enrich_chunks_total", "counter", "Chunks tagged", static_cast<double>(enrich.chunks)});
  samples.push_back({"docpipe_enrich_cache_hits_total", "counter", "Chunks whose LLM result came from the cache",
                     static_cast<double>(enrich.cache_hits)});
  samples.push_back({"docpipe_enrich_fallbacks_total", "counter", "Chunks tagged by the heuristic after an LLM failure",
                     static_cast<double>(enrich.fallbacks)});
  if (const LlmClient* client = ingest_->client()) {
    LlmClientStats stats = client->stats();
    samples.push_back({"docpipe_llm_in_flight", "gauge", "LLM requests submitted and not finished",
                       static_cast<double>(stats.submitted - stats.succeeded - stats.failed)});
    samples.push_back({"docpipe_llm_requests_total", "counter", "LLM requests submitted",
                       static_cast<double>(stats.submitted)});
    samples.push_back({"docpipe_llm_failures_total", "counter", "LLM requests given up on",
                       static_cast<double>(stats.failed)});
    samples.push_back({"docpipe_llm_retries_total", "counter", "LLM attempts repeated",
                       static_cast<double>(stats.retries)});
    samples.push_back({"docpipe_llm_breaker_open", "gauge", "1 while the LLM circuit breaker is open",
                       stats.breaker_open ? 1.0 : 0.0});
  }
  return {200, metrics_.Render(samples), "text/plain; version=0.0.4", 0};
}

}  // namespace docpipe::server
