// The parts of the HTTP service that answer requests, behind the public
// Server: the shared pipeline pieces (the one store sink, chunk ingest,
// embedder, jobs, readers for search) and one handler per endpoint. Handlers return a
// Reply (status + JSON body); server.cc turns it into the HTTP response.
//
// Thread-safety: every handler may run on any number of request threads at
// once. Make() and Stop() run on one thread.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "docpipe/server_config.h"
#include "docpipe/store.h"
#include "pipeline/store_sink.h"
#include "server/chunk_ingest.h"
#include "server/search_index_cache.h"
#include "server/extract_jobs.h"
#include "server/job_runner.h"
#include "server/server_metrics.h"
#include "server/vector_stage.h"

namespace docpipe::server {

struct Reply {
  int status = 200;
  std::string body;  // JSON, or Prometheus text for /metrics
  std::string content_type = "application/json";
  int retry_after_seconds = 0;  // sent as Retry-After when > 0
};

// A Status as an HTTP reply: kInvalidArgument 400, kNotFound 404,
// kResourceExhausted 413, kUnavailable 503 + Retry-After, others 500.
Reply ErrorReply(const Status& status, int retry_after_seconds);
// A JSON body (invalid UTF-8 replaced, never an exception).
Reply JsonReply(const nlohmann::json& body, int status = 200);

class HttpService {
 public:
  static Result<std::unique_ptr<HttpService>> Make(const ServerConfig& config);
  ~HttpService();

  Reply Ingest(const std::string& body);
  Reply DocumentByPath(const std::string& body);
  Reply DocumentUpload(const std::string& filename, const std::string& content);
  Reply Job(const std::string& id);
  // DELETE /documents/{job}: stops a queued or running job.
  Reply CancelJob(const std::string& id);
  Reply Search(const std::string& body);
  // POST /extract (extract_api.h).
  Reply SubmitExtract(const std::string& body);
  // GET /documents/{id}/records: the document's `docpipe extract` records, one per schema.
  Reply DocumentRecords(int64_t document_id);
  // detailed: components, versions and locations (credentials redacted);
  // otherwise only liveness and readiness, for callers without the API key.
  Reply Health(bool detailed);
  Reply Metrics();

  ServerMetrics& metrics() { return metrics_; }
  VectorStage& vectors() { return *vectors_; }
  JobRunner& extract_jobs() { return *extract_jobs_; }  // GET and DELETE /extract/{id} (extract_api.h)
  // Writes what was accepted and stops the background threads; idempotent.
  void Stop();

 private:
  HttpService(const ServerConfig& config) : config_(config) {}
  Result<std::unique_ptr<Store>> TakeReader();
  void ReturnReader(std::unique_ptr<Store> reader);
  Result<std::vector<SearchHit>> RunSearch(Store& reader, const SearchRequest& request);
  std::vector<std::string> SearchModes() const;

  const ServerConfig config_;
  ServerMetrics metrics_;
  std::unique_ptr<Store> store_;  // opened first: creates or migrates the schema; source of the enrichment cache
  std::unique_ptr<VectorStage> vectors_;
  std::unique_ptr<Store> writing_;  // written only by sink_'s thread
  std::unique_ptr<pipeline::StoreSink> sink_;
  std::unique_ptr<ChunkIngest> ingest_;
  std::unique_ptr<JobRunner> jobs_;  // POST /documents (document_jobs.h)
  const ExtractJobWork* extract_work_ = nullptr;  // owned by extract_jobs_
  std::unique_ptr<JobRunner> extract_jobs_;
  Mutex readers_mutex_;
  std::vector<std::unique_ptr<Store>> readers_ DOCPIPE_GUARDED_BY(readers_mutex_);
  std::unique_ptr<SearchIndexCache> index_cache_;  // the vector side of /search; null without an embedder
};

}  // namespace docpipe::server
