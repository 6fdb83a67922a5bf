#include "server/document_jobs.h"

#include <algorithm>
#include <filesystem>

#include <sqlite3.h>

#include "docpipe/store.h"
#include "pipeline/ingest_through.h"
#include "server/allowed_path.h"

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

constexpr const char* kJobTable = R"sql(
CREATE TABLE IF NOT EXISTS server_jobs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  source TEXT NOT NULL,
  path TEXT NOT NULL,
  report TEXT NOT NULL DEFAULT '{}',
  error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
)sql";

// A table made before jobs could be cancelled refuses the state 'cancelled'
// (its CHECK); it is rebuilt with the new CHECK, keeping every job and id.
constexpr const char* kAddCancelledState = R"sql(
BEGIN IMMEDIATE;
ALTER TABLE server_jobs RENAME TO server_jobs_before_cancel;
)sql";
constexpr const char* kCopyJobs = R"sql(
INSERT INTO server_jobs SELECT * FROM server_jobs_before_cancel;
DROP TABLE server_jobs_before_cancel;
COMMIT;
)sql";

}  // namespace

Status DocumentJobs::OpenTable(const std::string& file) {
  DOCPIPE_ASSIGN_OR_RETURN(db_, store::SqliteDb::Open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                                SQLITE_OPEN_NOMUTEX));
  sqlite3_busy_timeout(db_->handle(), 15000);
  DOCPIPE_RETURN_IF_ERROR(db_->Exec(kJobTable));
  {
    DOCPIPE_ASSIGN_OR_RETURN(store::StatementLease table,
                             db_->Prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'server_jobs'"));
    DOCPIPE_ASSIGN_OR_RETURN(bool row, table->Step());
    if (row && table->ColumnText(0).find("'cancelled'") != std::string::npos) return Status::Ok();
  }
  Status rebuilt = db_->Exec(kAddCancelledState);
  if (rebuilt.ok()) rebuilt = db_->Exec(kJobTable);
  if (rebuilt.ok()) rebuilt = db_->Exec(kCopyJobs);
  if (!rebuilt.ok()) (void)db_->Exec("ROLLBACK");
  return rebuilt;
}

Result<std::unique_ptr<DocumentJobs>> DocumentJobs::Make(const ServerConfig& config,
                                                         IngestOptions ingest_options,
                                                         ServerMetrics& metrics, pipeline::StoreSink& sink) {
  auto jobs = std::unique_ptr<DocumentJobs>(new DocumentJobs(config, std::move(ingest_options), metrics, sink));
  // Job state lives in the store's SQLite file; with a server database, in a
  // SQLite file of its own in the upload directory.
  std::string jobs_file = config.db;
  if (IsServerDatabase(config.db)) {
    std::error_code error;
    std::filesystem::create_directories(config.upload_dir, error);
    jobs_file = config.upload_dir + "/jobs.sqlite";
  }
  DOCPIPE_RETURN_IF_ERROR(jobs->OpenTable(jobs_file));
  {
    DOCPIPE_ASSIGN_OR_RETURN(store::StatementLease unfinished,
                             jobs->db_->Prepare("SELECT id FROM server_jobs WHERE state IN ('queued', 'running') "
                                                "ORDER BY id"));
    for (;;) {
      DOCPIPE_ASSIGN_OR_RETURN(bool row, unfinished->Step());
      if (!row) break;
      jobs->queue_.push_back(unfinished->ColumnInt(0));
    }
  }
  jobs->resumed_ = static_cast<int64_t>(jobs->queue_.size());
  jobs->thread_ = std::thread([j = jobs.get()] { j->Loop(); });
  return jobs;
}

DocumentJobs::~DocumentJobs() { Stop(); }

Result<int64_t> DocumentJobs::Submit(const std::string& source, const std::string& path) {
  std::unique_lock lock(mutex_);
  if (stopping_) return Status::Unavailable("the server is shutting down");
  if (static_cast<int64_t>(queue_.size()) >= config_.max_queued_jobs) {
    return Status::Unavailable(std::to_string(queue_.size()) + " jobs are waiting; retry later");
  }
  int64_t id = 0;
  {
    std::lock_guard db_lock(db_mutex_);
    DOCPIPE_ASSIGN_OR_RETURN(store::StatementLease insert,
                             db_->Prepare("INSERT INTO server_jobs(state, source, path) VALUES ('queued', ?, ?)"));
    insert->BindText(1, source);
    insert->BindText(2, path);
    DOCPIPE_RETURN_IF_ERROR(insert->Run());
    id = sqlite3_last_insert_rowid(db_->handle());
  }
  queue_.push_back(id);
  wake_.notify_one();
  return id;
}

Result<std::optional<Json>> DocumentJobs::Get(int64_t id) {
  Json job;
  {
    std::lock_guard db_lock(db_mutex_);
    DOCPIPE_ASSIGN_OR_RETURN(store::StatementLease select,
                             db_->Prepare("SELECT state, source, path, report, error, created_at, updated_at "
                                          "FROM server_jobs WHERE id = ?"));
    select->BindInt(1, id);
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) return std::optional<Json>();
    Json report = Json::parse(select->ColumnText(3), nullptr, false);
    job = {{"id", std::to_string(id)},  {"state", select->ColumnText(0)},      {"source", select->ColumnText(1)},
           {"path", select->ColumnText(2)}, {"created_at", select->ColumnText(5)}, {"updated_at", select->ColumnText(6)}};
    if (!report.is_discarded() && !report.empty()) job["report"] = report;
    if (!select->ColumnText(4).empty()) job["error"] = select->ColumnText(4);
  }
  std::lock_guard lock(mutex_);
  if (running_ == id) {
    job["progress"] = {{"files_done", progress_.files_done},
                       {"files_total", progress_.files_total},
                       {"pages_done", progress_.pages_done},
                       {"elapsed_seconds", progress_.elapsed_seconds}};
  }
  return std::optional<Json>(std::move(job));
}

Result<std::optional<Json>> DocumentJobs::Cancel(int64_t id, std::chrono::milliseconds wait) {
  {
    std::unique_lock lock(mutex_);
    auto queued = std::find(queue_.begin(), queue_.end(), id);
    if (queued != queue_.end()) {
      queue_.erase(queued);
      DOCPIPE_RETURN_IF_ERROR(SetState(id, "cancelled", "{}", "cancelled before it started"));
    } else if (running_ == id) {
      cancel_requested_ = true;
      running_cancel_->Cancel();
      job_ended_.wait_for(lock, wait, [&] { return running_ != id; });
    }
  }
  return Get(id);
}

size_t DocumentJobs::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void DocumentJobs::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    // The running job stops at its next page and is queued again for the next start.
    if (running_cancel_) running_cancel_->Cancel();
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

Status DocumentJobs::SetState(int64_t id, const std::string& state, const std::string& report,
                              const std::string& error) {
  std::lock_guard db_lock(db_mutex_);
  DOCPIPE_ASSIGN_OR_RETURN(store::StatementLease update,
                           db_->Prepare("UPDATE server_jobs SET state = ?, report = ?, error = ?, "
                                        "updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?"));
  update->BindText(1, state);
  update->BindText(2, report);
  update->BindText(3, error);
  update->BindInt(4, id);
  return update->Run();
}

void DocumentJobs::Loop() {
  for (;;) {
    int64_t id = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;  // queued jobs stay queued in the table
      id = queue_.front();
      queue_.pop_front();
      running_ = id;
      running_cancel_ = std::make_shared<CancelToken>();
      cancel_requested_ = false;
      progress_ = {};
    }
    Run(id);
    std::lock_guard lock(mutex_);
    running_ = 0;
    running_cancel_.reset();
    job_ended_.notify_all();
  }
}

void DocumentJobs::Run(int64_t id) {
  std::string source, path;
  {
    std::lock_guard db_lock(db_mutex_);
    Result<store::StatementLease> select = db_->Prepare("SELECT source, path FROM server_jobs WHERE id = ?");
    if (select.ok()) {
      (*select)->BindInt(1, id);
      Result<bool> row = (*select)->Step();
      if (row.ok() && *row) {
        source = (*select)->ColumnText(0);
        path = (*select)->ColumnText(1);
      }
    }
  }
  (void)SetState(id, "running", "{}", "");
  if (source == "path") {
    // The file may have been replaced (by a symlink, say) since it was submitted.
    Result<std::string> real = ResolveAllowedFile(path, config_.allowed_paths);
    if (!real.ok() || *real != path) {
      (void)SetState(id, "failed", "{}", real.ok() ? "path: " + path + " changed since it was submitted"
                                                   : real.status().ToString());
      return;
    }
  }
  Result<std::unique_ptr<Store>> store = Store::Open(config_.db);
  if (!store.ok()) {
    (void)SetState(id, "failed", "{}", store.status().ToString());
    return;
  }
  IngestOptions options = ingest_options_;
  options.inputs = {path};
  {
    std::lock_guard lock(mutex_);
    options.cancel = running_cancel_;
  }
  Result<IngestReport> report =
      pipeline::IngestThrough(**store, sink_, options, [this](const IngestProgress& progress) {
        std::lock_guard lock(mutex_);
        progress_ = progress;
      });
  if (!report.ok()) {
    (void)SetState(id, "failed", "{}", report.status().ToString());
    return;
  }
  metrics_.AddPipelineStages(report->stages);
  if (report->cancelled) {
    std::lock_guard lock(mutex_);
    // Stopped by Cancel(): it stays stopped. Stopped by Stop(): it runs again at the next start.
    if (cancel_requested_) {
      (void)SetState(id, "cancelled", report->ToJson(), "cancelled on request");
    } else {
      (void)SetState(id, "queued", "{}", "");
    }
    return;
  }
  std::string error;
  if (!report->failures.empty()) error = report->failures.front().reason;
  if (report->unsupported > 0 && report->documents_ok == 0) error = "unsupported file type";
  (void)SetState(id, error.empty() ? "done" : "failed", report->ToJson(), error);
}

}  // namespace docpipe::server
