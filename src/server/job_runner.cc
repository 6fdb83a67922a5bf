#include "server/job_runner.h"

#include <algorithm>

namespace docpipe::server {

using Json = nlohmann::json;

void JobControl::Progress(Json progress) {
  MutexLock lock(runner_.mutex_);
  runner_.progress_ = std::move(progress);
}

void JobControl::OnStop(std::function<void()> wake) {
  MutexLock lock(mutex_);
  wake_ = std::move(wake);
}

void JobControl::Stop() {
  cancel_->Cancel();
  // Called under mutex_, so that OnStop(nullptr) waits for a call in progress.
  MutexLock lock(mutex_);
  if (wake_) wake_();
}

Result<std::unique_ptr<JobRunner>> JobRunner::Make(const ServerConfig& config, std::string kind, std::string noun,
                                                   std::unique_ptr<JobWork> work) {
  auto runner = std::unique_ptr<JobRunner>(
      new JobRunner(config.max_queued_jobs, std::move(kind), std::move(noun), std::move(work)));
  JobRunner& r = *runner;
  Result<std::unique_ptr<Store>> store = Store::Open(config.db);
  if (!store.ok()) return store.status().WithContext("db " + Store::DisplayLocation(config.db));
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<JobRecord> unfinished, (*store)->UnfinishedJobs(r.kind_));
  {
    MutexLock lock(r.store_mutex_);
    r.store_ = std::move(store).value();
  }
  {
    MutexLock lock(r.mutex_);
    for (const JobRecord& job : unfinished) r.queue_.push_back(job.id);
  }
  r.resumed_ = static_cast<int64_t>(unfinished.size());
  r.thread_ = std::thread([&r] { r.Loop(); });
  return runner;
}

JobRunner::~JobRunner() { Stop(); }

Result<int64_t> JobRunner::Submit(const std::string& request_json, Json* queued) {
  MutexLock lock(mutex_);
  if (stopping_) return Status::Unavailable("the server is shutting down");
  if (static_cast<int64_t>(queue_.size()) >= max_queued_) {
    return Status::Unavailable(std::to_string(queue_.size()) + " " + noun_ + " are waiting; retry later");
  }
  Result<int64_t> id = Status::Internal("the job was not stored");
  {
    MutexLock store_lock(store_mutex_);
    id = store_->AddJob(kind_, request_json);
    if (id.ok() && queued != nullptr) {
      Result<std::optional<JobRecord>> job = store_->FindJob(*id);
      if (!job.ok()) return job.status();
      if (job->has_value()) *queued = work_->Describe(**job, Json(), false);
    }
  }
  if (!id.ok()) return id.status();
  queue_.push_back(*id);
  wake_.notify_one();
  return *id;
}

Result<std::optional<JobRecord>> JobRunner::Find(int64_t id) {
  MutexLock lock(store_mutex_);
  DOCPIPE_ASSIGN_OR_RETURN(std::optional<JobRecord> job, store_->FindJob(id));
  if (job && job->kind != kind_) return std::optional<JobRecord>();
  return job;
}

Result<std::optional<Json>> JobRunner::Get(int64_t id) {
  DOCPIPE_ASSIGN_OR_RETURN(std::optional<JobRecord> job, Find(id));
  if (!job) return std::optional<Json>();
  Json live;
  bool cancel_requested = false;
  {
    MutexLock lock(mutex_);
    // The store says "running" from before the runner took it until its end is written.
    if (running_ == id && job->state == "running") {
      live = progress_;
      cancel_requested = cancel_requested_;
    }
  }
  return std::optional<Json>(work_->Describe(*job, live, cancel_requested));
}

Result<std::optional<Json>> JobRunner::Cancel(int64_t id, std::chrono::milliseconds wait) {
  {
    MutexLock lock(mutex_);
    auto queued = std::find(queue_.begin(), queue_.end(), id);
    if (queued != queue_.end()) {
      queue_.erase(queued);
      DOCPIPE_RETURN_IF_ERROR(SetState(id, "cancelled", "{}", "cancelled before it started"));
    } else if (running_ == id) {
      cancel_requested_ = true;
      control_->Stop();  // set with running_, under mutex_
      const auto deadline = std::chrono::steady_clock::now() + wait;
      while (running_ == id && lock.WaitUntil(job_ended_, deadline)) {
      }
    }
  }
  return Get(id);
}

size_t JobRunner::queued() const {
  MutexLock lock(mutex_);
  return queue_.size();
}

void JobRunner::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
    // The running job stops at its next step and is queued again for the next start.
    if (control_ != nullptr) control_->Stop();
    wake_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

Status JobRunner::SetState(int64_t id, const std::string& state, const std::string& result_json,
                           const std::string& error) {
  MutexLock lock(store_mutex_);
  return store_->UpdateJob(id, state, result_json, error);
}

void JobRunner::Loop() {
  for (;;) {
    JobControl control(*this);
    int64_t id = 0;
    {
      MutexLock lock(mutex_);
      while (!stopping_ && queue_.empty()) lock.Wait(wake_);
      if (stopping_) return;  // queued jobs stay queued in the store
      id = queue_.front();
      queue_.pop_front();
      // Running from here, so that a Cancel() finds it whatever comes next.
      running_ = id;
      control_ = &control;
      cancel_requested_ = false;
      progress_ = Json();
    }
    Result<std::optional<JobRecord>> job = Find(id);
    if (job.ok() && job->has_value()) Run(**job, control);
    MutexLock lock(mutex_);
    running_ = 0;
    control_ = nullptr;
    job_ended_.notify_all();
  }
}

void JobRunner::Run(const JobRecord& job, JobControl& control) {
  {
    MutexLock lock(mutex_);
    if (stopping_) return;  // stopped before it started: it stays queued
    if (cancel_requested_) {
      (void)SetState(job.id, "cancelled", "{}", "cancelled before it started");
      return;
    }
  }
  (void)SetState(job.id, "running", "{}", "");
  JobWork::End end = work_->Run(job, control);
  bool requeue = false;
  {
    MutexLock lock(mutex_);
    // Stopped by Cancel(): it stays stopped. Stopped by Stop(): it runs again at the next start.
    requeue = end.state == "cancelled" && !cancel_requested_;
  }
  if (requeue) {
    (void)SetState(job.id, "queued", "{}", "");
  } else {
    (void)SetState(job.id, end.state, end.result_json, end.error);
  }
}

}  // namespace docpipe::server
