// The server's background jobs of one kind (POST /documents ingests a file,
// POST /extract extracts records): queued, run one at a time on one runner
// thread, cancelled, and kept in the store (Store::AddJob and friends, table
// jobs), so a job outlives the process on either backend.
//
// States: queued -> running -> done | failed | cancelled; a queued job may be
// cancelled before it starts. At most max_queued_jobs wait (Submit() is
// kUnavailable past that). On start-up the jobs of this kind an earlier
// process left queued or running are queued again: each kind's work resumes
// without redoing what it stored (ingest skips stored documents, extraction
// documents with a record).
//
// Cancel() of a running job cancels its token and waits a bounded time for it
// to end "cancelled". Stop() cancels the running job's token too, but the job
// goes back to "queued" for the next start; queued jobs stay queued.
//
// Thread-safety: Submit(), Get(), Cancel(), queued() and resumed() may be
// called from any thread; Stop() is idempotent and joins the runner thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "core/mutex.h"
#include "docpipe/cancel_token.h"
#include "docpipe/server_config.h"
#include "docpipe/status.h"
#include "docpipe/store.h"

namespace docpipe::server {

class JobRunner;

// What the running job sees of the runner. Thread-safety: any thread.
class JobControl {
 public:
  // Cancelled when the job is to stop (Cancel() or Stop()).
  const std::shared_ptr<CancelToken>& cancel() const { return cancel_; }
  bool stopping() const { return cancel_->cancelled(); }
  // The job's progress as GET shows it while it runs (the work's own JSON).
  void Progress(nlohmann::json progress);
  // `wake` is called (on the stopping thread, maybe twice, holding the
  // runner's lock: it may only notify) when the job is asked to stop, for work
  // that waits on a condition of its own. Set it before waiting; clear it
  // (OnStop(nullptr)) before what it refers to goes, which waits for a call in
  // progress. Progress() must not be called holding a lock that `wake` takes.
  void OnStop(std::function<void()> wake);

 private:
  friend class JobRunner;
  explicit JobControl(JobRunner& runner) : runner_(runner), cancel_(std::make_shared<CancelToken>()) {}
  void Stop();
  JobRunner& runner_;
  const std::shared_ptr<CancelToken> cancel_;
  Mutex mutex_;
  std::function<void()> wake_ DOCPIPE_GUARDED_BY(mutex_);
};

// What one kind of job does.
class JobWork {
 public:
  // How a run ended: "done", "failed" or "cancelled" (a cancelled run stays
  // cancelled after Cancel(), and is queued again after Stop()).
  struct End {
    std::string state;
    std::string result_json = "{}";
    std::string error;
  };
  virtual ~JobWork() = default;
  // Runs the job on the runner thread until it ends or control says stop.
  virtual End Run(const JobRecord& job, JobControl& control) = 0;
  // The job as GET shows it; `live` is the running job's latest progress
  // (null otherwise); `cancel_requested` while a cancelled job still runs.
  virtual nlohmann::json Describe(const JobRecord& job, const nlohmann::json& live, bool cancel_requested) const = 0;
};

class JobRunner {
 public:
  // `kind` as Store::AddJob takes it; `noun` names the jobs in messages
  // ("jobs", "extraction jobs"). Opens its own connection to config.db and
  // queues the jobs of this kind left unfinished.
  static Result<std::unique_ptr<JobRunner>> Make(const ServerConfig& config, std::string kind, std::string noun,
                                                 std::unique_ptr<JobWork> work);
  ~JobRunner();

  // Stores a queued job; returns its id. With `queued`, also the job as Get()
  // shows it before it can start.
  Result<int64_t> Submit(const std::string& request_json, nlohmann::json* queued = nullptr);
  // The job as JobWork::Describe() shows it; nullopt for no job of this kind.
  Result<std::optional<nlohmann::json>> Get(int64_t id);
  // Stops the job and returns it as Get() does (a finished job is left as it
  // is): a queued one at once; a running one is waited for up to `wait`
  // ("cancelled" once stopped, still "running" if it has not stopped yet).
  Result<std::optional<nlohmann::json>> Cancel(int64_t id, std::chrono::milliseconds wait);

  size_t queued() const;
  int64_t resumed() const { return resumed_; }  // jobs queued again at start-up
  void Stop();

 private:
  friend class JobControl;
  JobRunner(int64_t max_queued, std::string kind, std::string noun, std::unique_ptr<JobWork> work)
      : max_queued_(max_queued), kind_(std::move(kind)), noun_(std::move(noun)), work_(std::move(work)) {}
  void Loop();
  void Run(const JobRecord& job, JobControl& control);
  Status SetState(int64_t id, const std::string& state, const std::string& result_json, const std::string& error)
      DOCPIPE_EXCLUDES(store_mutex_);
  Result<std::optional<JobRecord>> Find(int64_t id) DOCPIPE_EXCLUDES(store_mutex_);

  const int64_t max_queued_;
  const std::string kind_, noun_;
  const std::unique_ptr<JobWork> work_;
  int64_t resumed_ = 0;

  Mutex store_mutex_;
  std::unique_ptr<Store> store_ DOCPIPE_PT_GUARDED_BY(store_mutex_);

  mutable Mutex mutex_;
  std::condition_variable wake_;       // the runner: a job queued, or stop
  std::condition_variable job_ended_;  // Cancel(): the running job ended
  std::deque<int64_t> queue_ DOCPIPE_GUARDED_BY(mutex_);
  int64_t running_ DOCPIPE_GUARDED_BY(mutex_) = 0;  // 0 when idle
  JobControl* control_ DOCPIPE_GUARDED_BY(mutex_) = nullptr;  // of the running job
  bool cancel_requested_ DOCPIPE_GUARDED_BY(mutex_) = false;  // Cancel() asked the running job to stop
  nlohmann::json progress_ DOCPIPE_GUARDED_BY(mutex_);         // of the running job
  bool stopping_ DOCPIPE_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace docpipe::server
