#include "server/extract_jobs.h"

#include <chrono>
#include <utility>
#include <vector>

#include "core/iso_date.h"
#include "docpipe/extract_input.h"
#include "pipeline/chunk_enrichment.h"

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

// Finished jobs kept for GET /extract/{id}; the oldest go first.
constexpr size_t kMaxKeptJobs = 1000;

// As document jobs' times (SQLite's strftime('%Y-%m-%dT%H:%M:%fZ')).
std::string NowUtc() { return UtcTimestamp(std::chrono::system_clock::now(), /*milliseconds=*/true); }

bool Finished(const std::string& state) {
  return state == "done" || state == "failed" || state == "cancelled";
}

}  // namespace

struct ExtractJobs::Job {
  int64_t id = 0;
  ExtractRequest request;
  std::vector<DocumentRecord> documents;  // chosen at submit time
  std::string state = "queued";           // queued, running, done, failed, cancelled
  bool cancel_requested = false;
  std::string error;  // why the job failed (not a document's failure: that is in its record)
  std::string created_at, started_at, finished_at;
  int64_t ok = 0, failed = 0, skipped = 0, not_finished = 0, store_failures = 0;
  ExtractorStats stats;  // of the job's Extractor, as of the last stored batch
};

// What comes back from the LLM client's I/O thread during one run; guarded by mutex_.
struct ExtractJobs::Pending {
  const Extractor* extractor = nullptr;
  size_t outstanding = 0;  // documents handed to the Extractor and not yet back
  std::vector<std::pair<int64_t, ExtractionResult>> finished;  // (document id, result), not yet stored
  bool drop_failed = false;  // after a cancel: a failure then is the cut-off request, not the document's
};

ExtractJobs::ExtractJobs(const ServerConfig& config) : config_(config) {}

Result<std::unique_ptr<ExtractJobs>> ExtractJobs::Make(const ServerConfig& config) {
  auto jobs = std::unique_ptr<ExtractJobs>(new ExtractJobs(config));
  DOCPIPE_ASSIGN_OR_RETURN(jobs->store_, Store::Open(config.db));
  jobs->thread_ = std::thread([j = jobs.get()] { j->Loop(); });
  return jobs;
}

ExtractJobs::~ExtractJobs() { Stop(); }

void ExtractJobs::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->cancel_requested = true;
    changed_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

Result<Json> ExtractJobs::Submit(const ExtractRequest& request) {
  if (config_.enrich.llm_url.empty()) {
    return Status::Unsupported("this server has no LLM server to extract with (set llm, and llm-model)");
  }
  std::vector<DocumentRecord> documents;
  {
    std::lock_guard lock(store_mutex_);
    DOCPIPE_ASSIGN_OR_RETURN(std::vector<DocumentRecord> stored, store_->ListDocuments());
    DOCPIPE_ASSIGN_OR_RETURN(documents, SelectDocuments(request, stored));
  }
  std::lock_guard lock(mutex_);
  if (stopping_) return Status::Unavailable("the server is shutting down");
  if (static_cast<int64_t>(queue_.size()) >= config_.max_queued_jobs) {
    return Status::Unavailable(std::to_string(queue_.size()) + " extraction jobs are waiting; retry later");
  }
  auto job = std::make_unique<Job>();
  job->id = next_id_++;
  job->request = request;
  job->documents = std::move(documents);
  job->created_at = NowUtc();
  Json described = Describe(*job);
  queue_.push_back(job->id);
  jobs_.emplace(job->id, std::move(job));
  for (auto it = jobs_.begin(); jobs_.size() > kMaxKeptJobs && it != jobs_.end();) {
    it = Finished(it->second->state) ? jobs_.erase(it) : std::next(it);
  }
  changed_.notify_all();
  return described;
}

std::optional<Json> ExtractJobs::Get(int64_t id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return Describe(*it->second);
}

std::optional<Json> ExtractJobs::Cancel(int64_t id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  Job& job = *it->second;
  if (job.state == "queued") {
    std::erase(queue_, id);
    job.state = "cancelled";
    job.finished_at = NowUtc();
  } else if (job.state == "running") {
    job.cancel_requested = true;
    changed_.notify_all();
  }
  return Describe(job);
}

Json ExtractJobs::Describe(const Job& job) const {
  Json out = {{"id", std::to_string(job.id)},
              {"kind", "extract"},
              {"state", job.state},
              {"schema_sha256", job.request.schema.sha256},
              {"model", config_.enrich.llm_model},
              {"created_at", job.created_at},
              {"progress",
               {{"documents_done", job.ok + job.failed + job.skipped},
                {"documents_total", static_cast<int64_t>(job.documents.size())}}},
              {"counts",
               {{"ok", job.ok},
                {"failed", job.failed},
                {"skipped", job.skipped},
                {"not_finished", job.not_finished}}},
              {"llm",
               {{"requests", job.stats.requests},
                {"repairs", job.stats.repairs},
                {"request_failures", job.stats.request_failures},
                {"tokens_in", job.stats.tokens_in},
                {"tokens_out", job.stats.tokens_out}}}};
  if (!job.started_at.empty()) out["started_at"] = job.started_at;
  if (!job.finished_at.empty()) out["finished_at"] = job.finished_at;
  if (job.cancel_requested && job.state == "running") out["cancel_requested"] = true;
  if (!job.error.empty()) out["error"] = job.error;
  return out;
}

void ExtractJobs::Loop() {
  for (;;) {
    Job* job = nullptr;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = jobs_.at(queue_.front()).get();  // kept: only finished jobs are erased
      queue_.pop_front();
      job->state = "running";
      job->started_at = NowUtc();
    }
    Run(*job);
  }
}

void ExtractJobs::Run(Job& job) {
  auto finish = [&](const Status& status) {
    std::lock_guard lock(mutex_);
    job.finished_at = NowUtc();
    if (!status.ok() && job.error.empty()) job.error = status.ToString();
    if (job.cancel_requested) {
      job.not_finished = static_cast<int64_t>(job.documents.size()) - job.ok - job.failed - job.skipped;
    }
    // A cancel that came after the last document is too late to have cut anything off.
    job.state = !status.ok() ? "failed" : job.not_finished > 0 ? "cancelled" : "done";
  };
  Result<std::unique_ptr<Store>> store = Store::Open(config_.db);
  if (!store.ok()) return finish(store.status().WithContext("db"));
  // A client per job: cancelling the job ends its requests in flight by destroying it.
  Result<std::unique_ptr<LlmClient>> client = pipeline::MakeEnrichmentClient(config_.enrich);
  if (!client.ok()) return finish(client.status().WithContext("llm"));
  ExtractorOptions options;
  options.schema = job.request.schema;
  options.client = client->get();
  options.context_tokens = job.request.context_tokens;
  options.evidence = job.request.evidence;
  options.merge_llm = job.request.merge_llm;
  Result<std::unique_ptr<Extractor>> extractor = Extractor::Make(options);
  if (!extractor.ok()) return finish(extractor.status());
  Pending pending;
  pending.extractor = extractor->get();
  ExtractAll(job, **store, **extractor, pending);
  for (;;) {
    std::unique_lock lock(mutex_);
    changed_.wait(
        lock, [&] { return pending.outstanding == 0 || job.cancel_requested || !pending.finished.empty(); });
    if (pending.outstanding == 0 || job.cancel_requested) break;
    lock.unlock();
    StoreFinished(job, **store, pending);
  }
  StoreFinished(job, **store, pending);
  {
    std::lock_guard lock(mutex_);
    pending.drop_failed = job.cancel_requested;
  }
  client->reset();  // on a cancel, ends what is in flight; every document's callback has run after this
  StoreFinished(job, **store, pending);
  int64_t store_failures = 0;
  {
    std::lock_guard lock(mutex_);
    store_failures = job.store_failures;
  }
  finish(store_failures > 0
             ? Status::IoError(std::to_string(store_failures) + " record(s) could not be stored")
             : Status::Ok());
}

void ExtractJobs::ExtractAll(Job& job, Store& store, Extractor& extractor, Pending& pending) {
  // Documents wait converted for the LLM, not in memory by thousands.
  const size_t limit = static_cast<size_t>(config_.enrich.llm_concurrency) * 4;
  for (const DocumentRecord& document : job.documents) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return job.cancel_requested || pending.outstanding < limit; });
      if (job.cancel_requested) return;
    }
    StoreFinished(job, store, pending);
    if (!job.request.force && AlreadyExtracted(job, store, document.id)) {
      std::lock_guard lock(mutex_);
      ++job.skipped;
      continue;
    }
    Result<ExtractionInput> input = ReadStoredExtractionInput(store, document);
    if (!input.ok()) {
      ExtractionResult unreadable;
      unreadable.failure = input.status().ToString();
      std::lock_guard lock(mutex_);
      pending.finished.emplace_back(document.id, std::move(unreadable));
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      ++pending.outstanding;
    }
    extractor.Extract(std::move(input->document),
                      [this, &pending, id = document.id](ExtractionResult result) {
                        std::lock_guard done_lock(mutex_);
                        pending.finished.emplace_back(id, std::move(result));
                        --pending.outstanding;
                        changed_.notify_all();
                      });
  }
}

bool ExtractJobs::AlreadyExtracted(const Job& job, Store& store, int64_t document_id) {
  Result<std::vector<StoredExtraction>> records = store.ExtractionsOf(document_id);
  if (!records.ok()) return false;  // then it is simply extracted again
  for (const StoredExtraction& record : *records) {
    if (record.schema_sha256 == job.request.schema.sha256 && record.status == "ok" &&
        record.model == config_.enrich.llm_model && record.prompt_version == kExtractionPromptVersion) {
      return true;
    }
  }
  return false;
}

void ExtractJobs::StoreFinished(Job& job, Store& store, Pending& pending) {
  std::vector<std::pair<int64_t, ExtractionResult>> finished;
  bool drop_failed = false;
  {
    std::lock_guard lock(mutex_);
    finished = std::exchange(pending.finished, {});
    drop_failed = pending.drop_failed;
  }
  // Read before taking mutex_: the Extractor may hold its own lock while it calls back into us.
  const ExtractorStats stats = pending.extractor->stats();
  int64_t ok = 0, failed = 0, store_failures = 0;
  std::string store_error;
  for (auto& [document_id, result] : finished) {
    if (drop_failed && result.status == ExtractionStatus::kFailed) continue;  // counted as not finished
    Status put = store.PutExtraction(
        ToStoredExtraction(document_id, job.request.schema, config_.enrich.llm_model, result));
    // A document deleted or replaced since the job was submitted has no row to keep a record with.
    if (put.code() == StatusCode::kNotFound) {
      ++failed;
      continue;
    }
    if (!put.ok()) {
      ++store_failures;
      if (store_error.empty())
        store_error = "document " + std::to_string(document_id) + ": " + put.ToString();
    }
    ++(result.status == ExtractionStatus::kOk ? ok : failed);
  }
  std::lock_guard lock(mutex_);
  job.ok += ok;
  job.failed += failed;
  job.store_failures += store_failures;
  if (job.error.empty() && !store_error.empty()) job.error = "storing a record: " + store_error;
  job.stats = stats;
}

}  // namespace docpipe::server
