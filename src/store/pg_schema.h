// The PostgreSQL store's schema: the same tables as the SQLite store's, in
// versioned migrations recorded in a schema_version table.
//
// Thread-safety: free functions over a connection the caller owns. Several
// processes may migrate the same database at once: a session-level advisory
// lock lets one at a time check and apply.
#pragma once

#include <span>

#include "docpipe/status.h"
#include "store/pg_conn.h"

namespace docpipe::store {

struct PgMigration {
  int version;
  const char* sql;
};

std::span<const PgMigration> PgMigrations();
int PgLatestSchemaVersion();

// Brings the database to the newest schema, one transaction per step. A
// database holding a `documents` table but no docpipe marker is kCorrupt, one
// from a newer docpipe kUnsupported; both are left untouched.
Status PgMigrate(PgConn& conn, std::span<const PgMigration> migrations);

// The schema version (0 for an empty database) after the same checks, without
// writing: for read-only stores.
Result<int> PgSchemaVersion(PgConn& conn, int supported_version);

}  // namespace docpipe::store
