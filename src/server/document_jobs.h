// POST /documents jobs (kind "document" of JobRunner): a document (uploaded,
// or a server-side path) ingested in the background through the file
// pipeline (the chain `docpipe ingest` runs), with progress. Every job writes
// through the server's one StoreSink, the writer /ingest uses too.
//
// A job cut off by a stop or a restart simply runs again: ingest is
// idempotent, so nothing is duplicated. A cancelled job stops at its next page
// (its cancel token); what it leaves in the store is complete documents only.
//
// Thread-safety: Run() on the runner thread; Describe() on any.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "docpipe/ingest.h"
#include "docpipe/server_config.h"
#include "pipeline/store_sink.h"
#include "server/job_runner.h"
#include "server/server_metrics.h"

namespace docpipe::server {

class DocumentJobWork final : public JobWork {
 public:
  // Each finished job's stage counters go to `metrics`; every document goes
  // through `sink`. Both must outlive the work.
  DocumentJobWork(const ServerConfig& config, IngestOptions options, ServerMetrics& metrics,
                  pipeline::StoreSink& sink)
      : config_(config), ingest_options_(std::move(options)), metrics_(metrics), sink_(sink) {}

  // The request of a job for `path` ("upload" or "path" says where it came from).
  static std::string Request(const std::string& source, const std::string& path);

  End Run(const JobRecord& job, JobControl& control) override;
  nlohmann::json Describe(const JobRecord& job, const nlohmann::json& live, bool cancel_requested) const override;

 private:
  const ServerConfig config_;
  const IngestOptions ingest_options_;
  ServerMetrics& metrics_;
  pipeline::StoreSink& sink_;
};

}  // namespace docpipe::server
