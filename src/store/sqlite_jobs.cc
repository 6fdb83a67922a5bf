// The jobs table of the SQLite store: the server's background jobs.
#include <fmt/format.h>

#include "store/record_json.h"
#include "store/sqlite_store.h"
#include "store/write_checks.h"

namespace docpipe::store {
namespace {

#define DOCPIPE_JOB_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

#define DOCPIPE_JOB_SELECT \
  "SELECT id, kind, state, request, result, error, created_at, updated_at, started_at, finished_at FROM jobs "

JobRecord ReadJob(const Statement& row) {
  return {row.ColumnInt(0),  row.ColumnText(1), row.ColumnText(2), row.ColumnText(3), row.ColumnText(4),
          row.ColumnText(5), row.ColumnText(6), row.ColumnText(7), row.ColumnText(8), row.ColumnText(9)};
}

}  // namespace

Result<int64_t> SqliteStore::AddJob(const std::string& kind, const std::string& request_json) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  if (!IsJson(request_json)) return Status::InvalidArgument("a job's request is not valid JSON");
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease insert,
                           db_->Prepare("INSERT INTO jobs(kind, state, request) VALUES (?1, 'queued', ?2)"));
  insert->BindText(1, kind);
  insert->BindText(2, request_json);
  DOCPIPE_RETURN_IF_ERROR(insert->Run());
  return sqlite3_last_insert_rowid(db_->handle());
}

Status SqliteStore::UpdateJob(int64_t id, const std::string& state, const std::string& result_json,
                              const std::string& error) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  DOCPIPE_RETURN_IF_ERROR(CheckJobUpdate(state, result_json));
  DOCPIPE_ASSIGN_OR_RETURN(
      StatementLease update,
      db_->Prepare("UPDATE jobs SET state = ?2, result = ?3, error = ?4, updated_at = " DOCPIPE_JOB_NOW ", "
                   "started_at = CASE WHEN ?2 = 'running' THEN " DOCPIPE_JOB_NOW " ELSE started_at END, "
                   "finished_at = CASE WHEN ?2 IN ('done', 'failed', 'cancelled') THEN " DOCPIPE_JOB_NOW
                   " ELSE '' END WHERE id = ?1"));
  update->BindInt(1, id);
  update->BindText(2, state);
  update->BindText(3, result_json);
  update->BindText(4, error);
  DOCPIPE_RETURN_IF_ERROR(update->Run());
  if (sqlite3_changes(db_->handle()) == 0) return Status::NotFound(fmt::format("no job with id {}", id));
  return Status::Ok();
}

Result<std::optional<JobRecord>> SqliteStore::FindJob(int64_t id) {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(DOCPIPE_JOB_SELECT "WHERE id = ?1"));
  select->BindInt(1, id);
  DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
  if (!row) return std::optional<JobRecord>();
  return std::optional<JobRecord>(ReadJob(*select));
}

Result<std::vector<JobRecord>> SqliteStore::UnfinishedJobs(const std::string& kind) {
  DOCPIPE_ASSIGN_OR_RETURN(
      StatementLease select,
      db_->Prepare(DOCPIPE_JOB_SELECT "WHERE kind = ?1 AND state IN ('queued', 'running') ORDER BY id"));
  select->BindText(1, kind);
  std::vector<JobRecord> out;
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    out.push_back(ReadJob(*select));
  }
  return out;
}

Status SqliteStore::ImportJobs(const std::vector<JobRecord>& jobs) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  for (const JobRecord& job : jobs) DOCPIPE_RETURN_IF_ERROR(CheckImportedJob(job));
  DOCPIPE_ASSIGN_OR_RETURN(auto transaction, Transaction::Begin(*db_));
  // AUTOINCREMENT's counter follows the largest id inserted, so AddJob goes on after them.
  DOCPIPE_ASSIGN_OR_RETURN(
      StatementLease insert,
      db_->Prepare("INSERT OR IGNORE INTO jobs(id, kind, state, request, result, error, created_at, updated_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  for (const JobRecord& job : jobs) {
    insert->BindInt(1, job.id);
    insert->BindText(2, job.kind);
    insert->BindText(3, job.state);
    insert->BindText(4, job.request_json);
    insert->BindText(5, job.result_json);
    insert->BindText(6, job.error);
    insert->BindText(7, job.created_at);
    insert->BindText(8, job.updated_at);
    DOCPIPE_RETURN_IF_ERROR(insert->Run());
    insert->Reset();
  }
  return transaction->Commit();
}

}  // namespace docpipe::store
