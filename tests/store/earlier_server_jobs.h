// The table the first servers kept their document jobs in (server_jobs, made
// outside the store's migrations, before jobs could be cancelled): in a SQLite
// store, and in <upload-dir>/jobs.sqlite beside a PostgreSQL store. Tests of
// the take-over create it as those servers did.
#pragma once

namespace docpipe::testing {

inline constexpr const char* kEarlierServerJobsTable = R"sql(
  CREATE TABLE server_jobs(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    source TEXT NOT NULL, path TEXT NOT NULL, report TEXT NOT NULL DEFAULT '{}',
    error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
)sql";

}  // namespace docpipe::testing
