// POST /extract jobs: one structured record per stored document, from the
// server's LLM (the `llm*` settings), following a schema given in the
// request. The same Extractor as `docpipe extract` (docpipe/extract.h) does
// the work; each result is written to the store's extraction_records, served
// by GET /documents/{id}/records.
//
// One job runs at a time, on one runner thread; its documents are read from
// the store one by one, with at most 4 x llm-concurrency of them waiting for
// the LLM. A document whose ok record of the same schema, model and prompt
// version is stored is skipped unless the request says "force", so a job
// submitted again after a cancel or a restart only asks for what is missing.
//
// Job state is kept in memory: GET /extract/{id} shows it until the server
// stops (the records themselves are in the store). Cancel() of a queued job
// drops it; of a running job, stops asking for more, ends the requests in
// flight at once (their documents get no record) and keeps what is stored.
//
// Thread-safety: Submit(), Get(), Cancel() may be called from any thread.
// Stop() cancels the running job, drops the queued ones and joins; idempotent.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "docpipe/extract.h"
#include "docpipe/server_config.h"
#include "docpipe/status.h"
#include "docpipe/store.h"
#include "server/extract_request.h"

namespace docpipe::server {

class ExtractJobs {
 public:
  static Result<std::unique_ptr<ExtractJobs>> Make(const ServerConfig& config);
  ~ExtractJobs();

  // Checks the request against the store (kNotFound for a document that is
  // not stored), then queues the job; returns its JSON (state "queued").
  // kUnsupported without an LLM server; kUnavailable when max_queued_jobs wait.
  Result<nlohmann::json> Submit(const ExtractRequest& request);
  // The job as GET /extract/{id} shows it; nullopt when there is no such job.
  std::optional<nlohmann::json> Get(int64_t id) const;
  // Asks the job to stop (see above) and returns its JSON; nullopt when there is no such job.
  std::optional<nlohmann::json> Cancel(int64_t id);

  void Stop();

 private:
  struct Job;
  struct Pending;
  explicit ExtractJobs(const ServerConfig& config);
  void Loop();
  void Run(Job& job);
  // Sends the job's documents to `extractor`, writing finished ones as they come back.
  void ExtractAll(Job& job, Store& store, Extractor& extractor, Pending& pending);
  // Writes the results that came back so far, on the runner's store connection.
  void StoreFinished(Job& job, Store& store, Pending& pending);
  bool AlreadyExtracted(const Job& job, Store& store, int64_t document_id);
  nlohmann::json Describe(const Job& job) const;  // mutex_ held

  const ServerConfig config_;
  std::mutex store_mutex_;
  std::unique_ptr<Store> store_;  // guarded by store_mutex_: lists documents for Submit()

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::map<int64_t, std::unique_ptr<Job>> jobs_;  // guarded by mutex_
  std::deque<int64_t> queue_;                     // guarded by mutex_
  int64_t next_id_ = 1;                           // guarded by mutex_
  bool stopping_ = false;                         // guarded by mutex_
  std::thread thread_;
};

}  // namespace docpipe::server
