// The jobs table of the PostgreSQL store: the server's background jobs.
#include <fmt/format.h>

#include "store/pg_store.h"
#include "store/record_json.h"
#include "store/write_checks.h"

namespace docpipe::store {
namespace {

// Times as the SQLite store writes them; NULL (not started, not finished) as "".
#define DOCPIPE_PG_JOB_TIME(column) \
  "coalesce(to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), '')"
#define DOCPIPE_PG_JOB_SELECT                                                                            \
  "SELECT id, kind, state, request, result, error, " DOCPIPE_PG_JOB_TIME("created_at") ", "             \
  DOCPIPE_PG_JOB_TIME("updated_at") ", " DOCPIPE_PG_JOB_TIME("started_at") ", " DOCPIPE_PG_JOB_TIME( \
      "finished_at") " FROM jobs "

JobRecord ReadJob(const PgRows& rows, int i) {
  return {rows.Int(i, 0),     rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3), rows.Text(i, 4),
          rows.Text(i, 5),    rows.Text(i, 6), rows.Text(i, 7), rows.Text(i, 8), rows.Text(i, 9)};
}

}  // namespace

Result<int64_t> PgStore::AddJob(const std::string& kind, const std::string& request_json) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  if (!IsJson(request_json)) return Status::InvalidArgument("a job's request is not valid JSON");
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn->Exec("INSERT INTO jobs(kind, state, request) VALUES ($1, 'queued', $2) "
                                                   "RETURNING id",
                                                   {PgText(kind), PgText(request_json)}));
  return rows.Int(0, 0);
}

Status PgStore::UpdateJob(int64_t id, const std::string& state, const std::string& result_json,
                          const std::string& error) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  DOCPIPE_RETURN_IF_ERROR(CheckJobUpdate(state, result_json));
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(
      PgRows rows,
      conn->Exec("UPDATE jobs SET state = $2, result = $3, error = $4, updated_at = clock_timestamp(), "
                 "started_at = CASE WHEN $2 = 'running' THEN clock_timestamp() ELSE started_at END, "
                 "finished_at = CASE WHEN $2 IN ('done', 'failed', 'cancelled') THEN clock_timestamp() END "
                 "WHERE id = $1 RETURNING id",
                 {std::to_string(id), PgText(state), PgText(result_json), PgText(error)}));
  if (rows.size() == 0) return Status::NotFound(fmt::format("no job with id {}", id));
  return Status::Ok();
}

Result<std::optional<JobRecord>> PgStore::FindJob(int64_t id) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn->Exec(DOCPIPE_PG_JOB_SELECT "WHERE id = $1", {std::to_string(id)}));
  if (rows.size() == 0) return std::optional<JobRecord>();
  return std::optional<JobRecord>(ReadJob(rows, 0));
}

Result<std::vector<JobRecord>> PgStore::UnfinishedJobs(const std::string& kind) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(
      PgRows rows,
      conn->Exec(DOCPIPE_PG_JOB_SELECT "WHERE kind = $1 AND state IN ('queued', 'running') ORDER BY id", {PgText(kind)}));
  std::vector<JobRecord> out;
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadJob(rows, i));
  return out;
}

Status PgStore::ImportJobs(const std::vector<JobRecord>& jobs) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  for (const JobRecord& job : jobs) DOCPIPE_RETURN_IF_ERROR(CheckImportedJob(job));
  if (jobs.empty()) return Status::Ok();
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(auto transaction, PgTransaction::Begin(*conn));
  for (const JobRecord& job : jobs) {
    DOCPIPE_RETURN_IF_ERROR(
        conn->Exec("INSERT INTO jobs(id, kind, state, request, result, error, created_at, updated_at) "
                   "VALUES ($1, $2, $3, $4, $5, $6, coalesce(nullif($7, '')::timestamptz, clock_timestamp()), "
                   "coalesce(nullif($8, '')::timestamptz, clock_timestamp())) ON CONFLICT (id) DO NOTHING",
                   {std::to_string(job.id), PgText(job.kind), PgText(job.state), PgText(job.request_json),
                    PgText(job.result_json), PgText(job.error), PgText(job.created_at), PgText(job.updated_at)})
            .status());
  }
  // An identity column does not follow ids given explicitly: move its
  // sequence past them (and never back: it may already be further on).
  DOCPIPE_RETURN_IF_ERROR(
      conn->Exec("SELECT setval(pg_get_serial_sequence('jobs', 'id'), "
                 "greatest((SELECT max(id) FROM jobs), nextval(pg_get_serial_sequence('jobs', 'id')) - 1, 1))")
          .status());
  return transaction->Commit();
}

}  // namespace docpipe::store
