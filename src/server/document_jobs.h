// POST /documents jobs: a document (uploaded, or a server-side path) ingested
// in the background through the file pipeline (the chain `docpipe ingest`
// runs), one job at a time, with progress. Every job writes through the
// server's one StoreSink, the writer /ingest uses too.
//
// Job state lives in the store's database (table server_jobs), written at
// every change of state, so jobs survive a restart: on start-up, jobs left
// queued or running are queued again (ingest is idempotent, so a job cut off
// mid-way simply runs again without duplicating anything).
//
// Cancel() stops a job: a queued one at once, a running one at its next page
// (its cancel token). What a stopped job leaves in the store is complete
// documents only: a document is handed to the store whole or not at all.
//
// Thread-safety: Submit(), Get(), Cancel() and the counters may be called from
// any thread; one runner thread does the work. Stop() stops the running job
// the same way and leaves it and the queued ones in the table for the next
// start; idempotent.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "docpipe/cancel_token.h"
#include "docpipe/ingest.h"
#include "docpipe/server_config.h"
#include "docpipe/status.h"
#include "pipeline/store_sink.h"
#include "server/server_metrics.h"
#include "store/sqlite_db.h"

namespace docpipe::server {

class DocumentJobs {
 public:
  // Opens the job table in the store file at config.db and queues the jobs
  // an earlier process left unfinished.
  // Each finished job's stage counters go to `metrics`; every document goes
  // through `sink`. Both must outlive the jobs.
  static Result<std::unique_ptr<DocumentJobs>> Make(const ServerConfig& config, IngestOptions ingest_options,
                                                    ServerMetrics& metrics, pipeline::StoreSink& sink);
  ~DocumentJobs();

  // Queues a job for `path` ("upload" or "path" says where it came from);
  // returns its id. kUnavailable when max_queued_jobs are waiting.
  Result<int64_t> Submit(const std::string& source, const std::string& path);
  // The job as GET /jobs/{id} shows it; nullopt when there is no such job.
  Result<std::optional<nlohmann::json>> Get(int64_t id);
  // Stops the job and returns it as Get() does (a job already finished is
  // left as it is). Waits up to `wait` for a running job to stop; it is
  // "cancelled" once stopped, still "running" if it has not stopped yet.
  Result<std::optional<nlohmann::json>> Cancel(int64_t id, std::chrono::milliseconds wait);

  size_t queued() const;
  int64_t resumed() const { return resumed_; }  // jobs requeued at start-up
  void Stop();

 private:
  DocumentJobs(const ServerConfig& config, IngestOptions options, ServerMetrics& metrics, pipeline::StoreSink& sink)
      : config_(config), ingest_options_(std::move(options)), metrics_(metrics), sink_(sink) {}
  Status OpenTable(const std::string& file);
  void Loop();
  void Run(int64_t id);
  Status SetState(int64_t id, const std::string& state, const std::string& report, const std::string& error);

  const ServerConfig config_;
  const IngestOptions ingest_options_;
  ServerMetrics& metrics_;
  pipeline::StoreSink& sink_;
  int64_t resumed_ = 0;

  std::mutex db_mutex_;
  std::unique_ptr<store::SqliteDb> db_;  // guarded by db_mutex_

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<int64_t> queue_;           // guarded by mutex_
  std::condition_variable job_ended_;
  int64_t running_ = 0;                 // guarded by mutex_; 0 when idle
  std::shared_ptr<CancelToken> running_cancel_;  // guarded by mutex_: of the running job
  bool cancel_requested_ = false;       // guarded by mutex_: Cancel() asked to stop the running job
  IngestProgress progress_;             // guarded by mutex_: of the running job
  bool stopping_ = false;               // guarded by mutex_
  std::thread thread_;
};

}  // namespace docpipe::server
