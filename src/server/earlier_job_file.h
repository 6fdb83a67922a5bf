// Servers before store schema 7 (SQLite) / 9 (PostgreSQL) kept the document
// jobs of a PostgreSQL-backed server in a SQLite file of their own,
// <upload-dir>/jobs.sqlite, table server_jobs. Jobs now live in the store; at
// start the server moves that file's jobs there, with their ids (so that a
// client's GET /jobs/{id} still finds them, and a job queued before the
// upgrade runs), then renames the file to jobs.sqlite.imported.
#pragma once

#include "docpipe/server_config.h"
#include "docpipe/status.h"

namespace docpipe {
class Store;
}

namespace docpipe::server {

// Nothing to do (Ok) for a SQLite store, whose own migration took its
// server_jobs table over, or when there is no such file. An error names the
// file and leaves it where it was, nothing imported.
Status ImportEarlierJobFile(const ServerConfig& config, Store& store);

}  // namespace docpipe::server
