// The SQLite store's schema: an ordered list of migrations, the marker that
// tells a docpipe database from any other file, and the check that inspects a
// file before anything is written to it.
//
// Thread-safety: free functions over a connection the caller owns.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "docpipe/status.h"
#include "store/sqlite_db.h"

namespace docpipe::store {

// PRAGMA application_id of every docpipe database: "DPIP".
inline constexpr int32_t kApplicationId = 0x44504950;

// One schema step. Steps are applied in order, each in its own transaction
// together with PRAGMA user_version = version, so a crash leaves the database
// at the previous version or the next, never between.
struct Migration {
  int version;
  const char* sql;
};

// The migrations this build knows; the last one's version is the newest schema.
std::span<const Migration> DocpipeMigrations();
int LatestSchemaVersion();

// What a location holds before docpipe writes to it.
enum class FileState {
  kAbsent,   // no file: docpipe may create it
  kEmpty,    // an empty file, or an SQLite database with no tables and no marker
  kDocpipe,  // a docpipe database at `schema_version`
};

struct FileProbe {
  FileState state = FileState::kAbsent;
  int schema_version = 0;
};

// Inspects `path` without writing to it (the file's header is read directly;
// an SQLite file is then opened read-only). A file that is not an SQLite
// database, or a database of another application, is kCorrupt; a docpipe
// database newer than `supported_version` is kUnsupported. The read waits up
// to `lock_timeout_ms` for a writer that is recovering or checkpointing.
Result<FileProbe> ProbeFile(const std::string& path, int supported_version, int lock_timeout_ms);

// Applies every migration newer than the database's user_version, one
// transaction each. Refuses (kUnsupported) a database newer than the list and
// (kCorrupt) a database that carries another application's id.
Status Migrate(SqliteDb& db, std::span<const Migration> migrations);

}  // namespace docpipe::store
