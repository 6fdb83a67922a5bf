#include "server/extract_jobs.h"

#include <utility>
#include <vector>

#include "core/mutex.h"
#include "docpipe/extract.h"
#include "docpipe/extract_input.h"
#include "pipeline/chunk_enrichment.h"
#include "server/extract_request.h"

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

// One run of one job, on the runner thread; the LLM client's I/O thread hands
// results back through `finished_`.
class ExtractRun {
 public:
  ExtractRun(const ServerConfig& config, ExtractRequest request, std::vector<DocumentRecord> documents,
             JobControl& control)
      : config_(config), request_(std::move(request)), documents_(std::move(documents)), control_(control) {}
  ~ExtractRun() { control_.OnStop(nullptr); }  // waits out a stop that is calling in

  JobWork::End Run();

 private:
  // Sends the documents to `extractor`, writing finished ones as they come back.
  void ExtractAll(Store& store, Extractor& extractor) DOCPIPE_EXCLUDES(mutex_);
  // Writes the results that came back so far, on the runner's store connection.
  void StoreFinished(Store& store, const Extractor& extractor) DOCPIPE_EXCLUDES(mutex_);
  bool AlreadyExtracted(Store& store, int64_t document_id) const;
  Json Report() DOCPIPE_REQUIRES(mutex_);
  void ShowProgress() DOCPIPE_EXCLUDES(mutex_);
  JobWork::End Finish(const Status& status) DOCPIPE_EXCLUDES(mutex_);

  const ServerConfig& config_;
  const ExtractRequest request_;
  const std::vector<DocumentRecord> documents_;
  JobControl& control_;

  Mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ DOCPIPE_GUARDED_BY(mutex_) = false;  // the job was asked to stop
  size_t outstanding_ DOCPIPE_GUARDED_BY(mutex_) = 0;  // documents with the Extractor, not yet back
  // (document id, result) back from the LLM, not yet stored.
  std::vector<std::pair<int64_t, ExtractionResult>> finished_ DOCPIPE_GUARDED_BY(mutex_);
  bool drop_failed_ DOCPIPE_GUARDED_BY(mutex_) = false;  // after a stop: a failure then is the cut-off request
  int64_t ok_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  int64_t failed_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  int64_t skipped_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  int64_t not_finished_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  int64_t store_failures_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  std::string error_ DOCPIPE_GUARDED_BY(mutex_);  // why the job failed (a document's failure is in its record)
  ExtractorStats stats_ DOCPIPE_GUARDED_BY(mutex_);  // of the Extractor, as of the last stored batch
};

Json ExtractRun::Report() {
  return {{"progress",
           {{"documents_done", ok_ + failed_ + skipped_},
            {"documents_total", static_cast<int64_t>(documents_.size())}}},
          {"counts", {{"ok", ok_}, {"failed", failed_}, {"skipped", skipped_}, {"not_finished", not_finished_}}},
          {"llm",
           {{"requests", stats_.requests},
            {"repairs", stats_.repairs},
            {"request_failures", stats_.request_failures},
            {"tokens_in", stats_.tokens_in},
            {"tokens_out", stats_.tokens_out}}}};
}

void ExtractRun::ShowProgress() {
  Json report;
  {
    MutexLock lock(mutex_);
    report = Report();
  }
  control_.Progress(std::move(report));  // not under mutex_: OnStop's callback takes it
}

JobWork::End ExtractRun::Finish(const Status& status) {
  MutexLock lock(mutex_);
  if (!status.ok() && error_.empty()) error_ = status.ToString();
  if (stopping_) not_finished_ = static_cast<int64_t>(documents_.size()) - ok_ - failed_ - skipped_;
  // A stop that came after the last document is too late to have cut anything off.
  const std::string state = !status.ok() ? "failed" : not_finished_ > 0 ? "cancelled" : "done";
  return {state, Report().dump(-1, ' ', false, Json::error_handler_t::replace), error_};
}

JobWork::End ExtractRun::Run() {
  control_.OnStop([this] {
    MutexLock lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
  });
  Result<std::unique_ptr<Store>> store = Store::Open(config_.db);
  if (!store.ok()) return Finish(store.status().WithContext("db"));
  // A client per job: stopping the job ends its requests in flight by destroying it.
  Result<std::unique_ptr<LlmClient>> client = pipeline::MakeEnrichmentClient(config_.enrich);
  if (!client.ok()) return Finish(client.status().WithContext("llm"));
  ExtractorOptions options;
  options.schema = request_.schema;
  options.client = client->get();
  options.context_tokens = request_.context_tokens;
  options.evidence = request_.evidence;
  options.merge_llm = request_.merge_llm;
  Result<std::unique_ptr<Extractor>> extractor = Extractor::Make(options);
  if (!extractor.ok()) return Finish(extractor.status());
  ExtractAll(**store, **extractor);
  for (;;) {
    {
      MutexLock lock(mutex_);
      while (outstanding_ > 0 && !stopping_ && finished_.empty()) lock.Wait(changed_);
      if (outstanding_ == 0 || stopping_) break;
    }
    StoreFinished(**store, **extractor);
  }
  StoreFinished(**store, **extractor);
  {
    MutexLock lock(mutex_);
    drop_failed_ = stopping_;
  }
  client->reset();  // after a stop, ends what is in flight; every document's callback has run after this
  StoreFinished(**store, **extractor);
  int64_t store_failures = 0;
  {
    MutexLock lock(mutex_);
    store_failures = store_failures_;
  }
  return Finish(store_failures > 0
                    ? Status::IoError(std::to_string(store_failures) + " record(s) could not be stored")
                    : Status::Ok());
}

void ExtractRun::ExtractAll(Store& store, Extractor& extractor) {
  // Documents wait converted for the LLM, not in memory by thousands.
  const size_t limit = static_cast<size_t>(config_.enrich.llm_concurrency) * 4;
  for (const DocumentRecord& document : documents_) {
    {
      MutexLock lock(mutex_);
      while (!stopping_ && outstanding_ >= limit) lock.Wait(changed_);
      if (stopping_) return;
    }
    StoreFinished(store, extractor);
    if (!request_.force && AlreadyExtracted(store, document.id)) {
      {
        MutexLock lock(mutex_);
        ++skipped_;
      }
      ShowProgress();
      continue;
    }
    Result<ExtractionInput> input = ReadStoredExtractionInput(store, document);
    if (!input.ok()) {
      ExtractionResult unreadable;
      unreadable.failure = input.status().ToString();
      MutexLock lock(mutex_);
      finished_.emplace_back(document.id, std::move(unreadable));
      continue;
    }
    {
      MutexLock lock(mutex_);
      ++outstanding_;
    }
    extractor.Extract(std::move(input->document), [this, id = document.id](ExtractionResult result) {
      MutexLock done_lock(mutex_);
      finished_.emplace_back(id, std::move(result));
      --outstanding_;
      changed_.notify_all();
    });
  }
}

bool ExtractRun::AlreadyExtracted(Store& store, int64_t document_id) const {
  Result<std::vector<StoredExtraction>> records = store.ExtractionsOf(document_id);
  if (!records.ok()) return false;  // then it is simply extracted again
  for (const StoredExtraction& record : *records) {
    if (record.schema_sha256 == request_.schema.sha256 && record.status == "ok" &&
        record.model == config_.enrich.llm_model && record.prompt_version == kExtractionPromptVersion) {
      return true;
    }
  }
  return false;
}

void ExtractRun::StoreFinished(Store& store, const Extractor& extractor) {
  std::vector<std::pair<int64_t, ExtractionResult>> finished;
  bool drop_failed = false;
  {
    MutexLock lock(mutex_);
    finished = std::exchange(finished_, {});
    drop_failed = drop_failed_;
  }
  // Read before taking mutex_: the Extractor may hold its own lock while it calls back into us.
  const ExtractorStats stats = extractor.stats();
  int64_t ok = 0, failed = 0, store_failures = 0;
  std::string store_error;
  for (auto& [document_id, result] : finished) {
    if (drop_failed && result.status == ExtractionStatus::kFailed) continue;  // counted as not finished
    Status put = store.PutExtraction(
        ToStoredExtraction(document_id, request_.schema, config_.enrich.llm_model, result));
    // A document deleted or replaced since the job was submitted has no row to keep a record with.
    if (put.code() == StatusCode::kNotFound) {
      ++failed;
      continue;
    }
    if (!put.ok()) {
      ++store_failures;
      if (store_error.empty()) store_error = "document " + std::to_string(document_id) + ": " + put.ToString();
    }
    ++(result.status == ExtractionStatus::kOk ? ok : failed);
  }
  {
    MutexLock lock(mutex_);
    ok_ += ok;
    failed_ += failed;
    store_failures_ += store_failures;
    if (error_.empty() && !store_error.empty()) error_ = "storing a record: " + store_error;
    stats_ = stats;
  }
  ShowProgress();
}

}  // namespace

Result<std::string> ExtractJobWork::Request(std::string_view body, Store& store) const {
  if (config_.enrich.llm_url.empty()) {
    return Status::Unsupported("this server has no LLM server to extract with (set llm, and llm-model)");
  }
  DOCPIPE_ASSIGN_OR_RETURN(ExtractRequest request, ParseExtractRequest(body));
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<DocumentRecord> stored, store.ListDocuments());
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<DocumentRecord> documents, SelectDocuments(request, stored));
  Json chosen = Json::array();
  for (const DocumentRecord& document : documents) chosen.push_back({document.id, document.path, document.sha256});
  Json parsed = Json::parse(body, nullptr, false);
  if (parsed.is_discarded()) return Status::InvalidArgument("the request body is not JSON");
  Json job = {{"body", std::move(parsed)},
              {"schema_sha256", request.schema.sha256},
              {"model", config_.enrich.llm_model},
              {"documents", std::move(chosen)}};
  return job.dump(-1, ' ', false, Json::error_handler_t::replace);
}

JobWork::End ExtractJobWork::Run(const JobRecord& job, JobControl& control) {
  const Json stored = Json::parse(job.request_json, nullptr, false);
  if (!stored.is_object() || !stored.contains("body") || !stored.contains("documents")) {
    return {"failed", "{}", "the job's stored request is unreadable"};
  }
  Result<ExtractRequest> request = ParseExtractRequest(stored["body"].dump());
  if (!request.ok()) return {"failed", "{}", request.status().ToString()};
  std::vector<DocumentRecord> documents;
  for (const Json& row : stored["documents"]) {
    DocumentRecord document;
    document.id = row.at(0).get<int64_t>();
    document.path = row.at(1).get<std::string>();
    document.sha256 = row.at(2).get<std::string>();
    documents.push_back(std::move(document));
  }
  ExtractRun run(config_, std::move(request).value(), std::move(documents), control);
  return run.Run();
}

Json ExtractJobWork::Describe(const JobRecord& job, const Json& live, bool cancel_requested) const {
  const Json request = Json::parse(job.request_json, nullptr, false);
  const bool readable = request.is_object();
  const int64_t total = readable && request.contains("documents") ? static_cast<int64_t>(request["documents"].size()) : 0;
  Json report = live;
  if (report.is_null()) report = Json::parse(job.result_json, nullptr, false);
  if (!report.is_object() || !report.contains("counts")) {
    report = {{"progress", {{"documents_done", 0}, {"documents_total", total}}},
              {"counts", {{"ok", 0}, {"failed", 0}, {"skipped", 0}, {"not_finished", 0}}},
              {"llm", {{"requests", 0}, {"repairs", 0}, {"request_failures", 0}, {"tokens_in", 0}, {"tokens_out", 0}}}};
  }
  Json out = {{"id", std::to_string(job.id)},
              {"kind", "extract"},
              {"state", job.state},
              {"schema_sha256", readable ? request.value("schema_sha256", "") : ""},
              {"model", readable ? request.value("model", "") : ""},
              {"created_at", job.created_at},
              {"progress", report["progress"]},
              {"counts", report["counts"]},
              {"llm", report["llm"]}};
  if (!job.started_at.empty()) out["started_at"] = job.started_at;
  if (!job.finished_at.empty()) out["finished_at"] = job.finished_at;
  if (cancel_requested && job.state == "running") out["cancel_requested"] = true;
  if (!job.error.empty()) out["error"] = job.error;
  return out;
}

}  // namespace docpipe::server
