#include "server/earlier_job_file.h"

#include <filesystem>

#include "docpipe/store.h"
#include "server/document_jobs.h"
#include "store/sqlite_db.h"

namespace docpipe::server {
namespace {

Result<std::vector<JobRecord>> ReadEarlierJobs(const std::string& path) {
  DOCPIPE_ASSIGN_OR_RETURN(auto db, store::SqliteDb::Open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX));
  DOCPIPE_ASSIGN_OR_RETURN(store::StatementLease has_table,
                           db->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'server_jobs'"));
  DOCPIPE_ASSIGN_OR_RETURN(bool found, has_table->Step());
  std::vector<JobRecord> jobs;
  if (!found) return jobs;
  DOCPIPE_ASSIGN_OR_RETURN(
      store::StatementLease select,
      db->Prepare("SELECT id, state, source, path, report, error, created_at, updated_at FROM server_jobs ORDER BY id"));
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    JobRecord job;
    job.id = select->ColumnInt(0);
    job.kind = "document";
    job.state = select->ColumnText(1);
    job.request_json = DocumentJobWork::Request(select->ColumnText(2), select->ColumnText(3));
    job.result_json = select->ColumnText(4);
    job.error = select->ColumnText(5);
    job.created_at = select->ColumnText(6);
    job.updated_at = select->ColumnText(7);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace

Status ImportEarlierJobFile(const ServerConfig& config, Store& store) {
  if (!IsServerDatabase(config.db)) return Status::Ok();
  const std::string path = config.upload_dir + "/jobs.sqlite";
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return Status::Ok();
  const std::string context = "importing the jobs of an earlier server from " + path +
                              " (move the file away to start without them)";
  Result<std::vector<JobRecord>> jobs = ReadEarlierJobs(path);
  if (!jobs.ok()) return jobs.status().WithContext(context);
  DOCPIPE_RETURN_IF_ERROR(store.ImportJobs(*jobs).WithContext(context));
  std::filesystem::rename(path, path + ".imported", error);
  if (error) return Status::Internal(context + ": renaming it after the import: " + error.message());
  return Status::Ok();
}

}  // namespace docpipe::server
