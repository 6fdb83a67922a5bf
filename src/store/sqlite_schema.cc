#include "store/sqlite_schema.h"

#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <cstddef>
#include <vector>

#include <fmt/format.h>

namespace docpipe::store {
namespace {

// Version 1: documents, their chunks, runs, and full-text search over chunks.
//
// Ids are AUTOINCREMENT so that an id is never handed out twice: a replaced
// document's chunks get new ids, and an index kept outside this database
// (vectors keyed by chunk id) can never attach an old entry to new text.
//
// chunks_fts is an external-content FTS5 table over chunks.text kept in step by
// triggers; the triggers also fire for chunks removed by ON DELETE CASCADE, so
// deleting a document removes its chunks from the index in the same transaction.
//
// Tokenizer: porter over unicode61 with diacritics removed. The corpora are
// mostly English technical text, where stemming ("indexing" finds "indexed",
// "fusion" finds "fusions") matters more for recall than the rare false match
// it adds; unicode61 underneath still splits and case-folds every script, and
// remove_diacritics 2 lets "naive" find "naïve".
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE docpipe_meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO docpipe_meta(key, value) VALUES ('application', 'docpipe');

CREATE TABLE documents(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL UNIQUE,
  sha256 TEXT,
  bytes INTEGER NOT NULL DEFAULT 0,
  pages INTEGER NOT NULL DEFAULT 0,
  kind TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error TEXT NOT NULL DEFAULT '',
  metadata TEXT NOT NULL DEFAULT '{}',
  timings TEXT NOT NULL DEFAULT '{}',
  pages_needing_ocr TEXT NOT NULL DEFAULT '[]',
  page_errors TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX documents_sha256 ON documents(sha256);

CREATE TABLE chunks(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  text TEXT NOT NULL,
  heading_path TEXT NOT NULL DEFAULT '[]',
  page_start INTEGER NOT NULL,
  page_end INTEGER NOT NULL,
  token_count INTEGER NOT NULL,
  char_start INTEGER NOT NULL,
  char_end INTEGER NOT NULL,
  UNIQUE (document_id, ordinal)
);

CREATE TABLE runs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  config TEXT NOT NULL DEFAULT '{}',
  metrics TEXT
);

CREATE VIRTUAL TABLE chunks_fts USING fts5(
  text,
  content = 'chunks',
  content_rowid = 'id',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
  INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER chunks_fts_update AFTER UPDATE OF text ON chunks BEGIN
  INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
  INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text);
END;
)sql";

// Version 2: LLM enrichment. enrichment_cache remembers validated LLM answers
// by (model, prompt version, chunk text hash), independent of any document, so
// deleting or replacing a document never forgets what the model said about its
// text. chunk_tags and chunk_entities hold what was extracted from each stored
// chunk (by the LLM, the heuristic tagger, or the heuristic standing in after an
// LLM failure) and go with their chunk by ON DELETE CASCADE.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE enrichment_cache(
  model TEXT NOT NULL,
  prompt_version TEXT NOT NULL,
  text_sha256 TEXT NOT NULL,
  result_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (model, prompt_version, text_sha256)
) WITHOUT ROWID;

CREATE TABLE chunk_tags(
  chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
  axis TEXT NOT NULL CHECK (axis IN ('domain', 'task', 'modifier')),
  label TEXT NOT NULL,
  confidence REAL NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('llm', 'heuristic', 'fallback')),
  producer TEXT NOT NULL,
  prompt_version TEXT NOT NULL DEFAULT ''
);
CREATE INDEX chunk_tags_chunk ON chunk_tags(chunk_id);
CREATE INDEX chunk_tags_label ON chunk_tags(axis, label);

CREATE TABLE chunk_entities(
  chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  text TEXT NOT NULL,
  start INTEGER NOT NULL,
  "end" INTEGER NOT NULL,
  confidence REAL NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('llm', 'heuristic', 'fallback'))
);
CREATE INDEX chunk_entities_chunk ON chunk_entities(chunk_id);
CREATE INDEX chunk_entities_text ON chunk_entities(type, text);
)sql";

// Version 3: dense vectors. An embedder row names the model that made a set of
// vectors (its identity key: name, dimension, weights hash), so vectors of
// different models never meet in one search. A chunk has at most one vector,
// a float32 little-endian blob, and loses it with the chunk (ON DELETE
// CASCADE). documents.embedding_key says which embedder the document's chunks
// were embedded with, so a re-ingest with another model re-embeds it.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE embedders(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  dimension INTEGER NOT NULL CHECK (dimension > 0),
  weights_hash TEXT NOT NULL,
  normalized INTEGER NOT NULL,
  source TEXT NOT NULL DEFAULT ''
);

CREATE TABLE chunk_vectors(
  chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
  embedder_id INTEGER NOT NULL REFERENCES embedders(id),
  vector BLOB NOT NULL
);
CREATE INDEX chunk_vectors_embedder ON chunk_vectors(embedder_id, chunk_id);

ALTER TABLE documents ADD COLUMN embedding_key TEXT NOT NULL DEFAULT '';
)sql";

// Version 4: streamed documents. A big document's chunks are written in
// pieces while the rest is still being worked on; until its last piece is in,
// its state is 'partial' and searches leave it out. The partial index keeps
// "is any document partial?" (asked before every exact vector search) cheap.
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE documents ADD COLUMN state TEXT NOT NULL DEFAULT 'complete' CHECK (state IN ('partial', 'complete'));
CREATE INDEX documents_partial ON documents(state) WHERE state = 'partial';
)sql";

// Version 5: what a chunk holds of tables. has_table marks chunks with rows
// of a table; table_header is the header rows (Markdown) of a table that a
// chunk continues, kept beside the text so that the text stays an exact slice
// of the document text.
constexpr const char* kSchemaV5 = R"sql(
ALTER TABLE chunks ADD COLUMN has_table INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chunks ADD COLUMN table_header TEXT NOT NULL DEFAULT '';
)sql";

// Version 6: records from `docpipe extract`, one per document and schema hash,
// gone with their document.
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE extraction_records(
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  schema_sha256 TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  record_json TEXT NOT NULL,
  evidence_json TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (document_id, schema_sha256)
) WITHOUT ROWID;
)sql";

// Version 7: the server's jobs (POST /documents, POST /extract), so that
// they outlive the process. Servers before this kept document jobs in a table
// of their own, made outside the migrations (server_jobs, whose CHECK may
// predate 'cancelled'): its jobs move here with their ids, and it goes. The
// empty stand-in makes the copy a no-op where there was none. Request and
// result are JSON texts.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE jobs(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('document', 'extract')),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  request TEXT NOT NULL,
  result TEXT NOT NULL DEFAULT '{}',
  error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at TEXT NOT NULL DEFAULT '',
  finished_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_unfinished ON jobs(kind, id) WHERE state IN ('queued', 'running');

CREATE TABLE IF NOT EXISTS server_jobs(id INTEGER PRIMARY KEY, state TEXT, source TEXT, path TEXT, report TEXT,
                                       error TEXT, created_at TEXT, updated_at TEXT);
INSERT INTO jobs(id, kind, state, request, result, error, created_at, updated_at)
  SELECT id, 'document', state, json_object('source', source, 'path', path), report, error, created_at, updated_at
  FROM server_jobs ORDER BY id;
DROP TABLE server_jobs;
)sql";

// Version 8: which tables a chunk holds rows of (Chunk::tables, JSON: page,
// place on the page, caption), for search hits to name them. Chunks stored
// before have none listed, though has_table says they hold some.
constexpr const char* kSchemaV8 = R"sql(
ALTER TABLE chunks ADD COLUMN tables TEXT NOT NULL DEFAULT '[]';
)sql";

constexpr std::array<Migration, 8> kMigrations = {{
    {1, kSchemaV1},
    {2, kSchemaV2},
    {3, kSchemaV3},
    {4, kSchemaV4},
    {5, kSchemaV5},
    {6, kSchemaV6},
    {7, kSchemaV7},
    {8, kSchemaV8},
}};

constexpr char kSqliteMagic[] = "SQLite format 3";  // 16 bytes with its NUL

uint32_t BigEndian32(const unsigned char* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
}

std::string NotDocpipe(const std::string& path, std::string_view why) {
  return fmt::format("{} is not a docpipe store ({}); it was left untouched", path, why);
}

// Reads what SQLite itself says about the file through a read-only connection,
// which also sees pages still in a write-ahead log.
Result<FileProbe> ProbeSqlite(const std::string& path, int supported_version, int lock_timeout_ms) {
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, SQLITE_OPEN_READONLY));
  sqlite3_busy_timeout(db->handle(), lock_timeout_ms);
  // One read transaction for every question below: each statement on its own
  // would see the file as it is at that moment, and a first open committing in
  // between (another thread or process creating the store) made an empty file
  // with tables: "another application's database". Ends when `db` closes.
  DOCPIPE_RETURN_IF_ERROR(db->Exec("BEGIN"));
  DOCPIPE_ASSIGN_OR_RETURN(int64_t application_id, db->QueryInt("PRAGMA application_id"));
  DOCPIPE_ASSIGN_OR_RETURN(int64_t version, db->QueryInt("PRAGMA user_version"));
  DOCPIPE_ASSIGN_OR_RETURN(int64_t objects, db->QueryInt("SELECT count(*) FROM sqlite_schema"));
  if (application_id == 0 && objects == 0) return FileProbe{FileState::kEmpty, 0};
  if (application_id != kApplicationId) {
    return Status::Corrupt(NotDocpipe(path, application_id == 0
                                                ? "an SQLite database of another application"
                                                : fmt::format("an SQLite database with application_id {:#x}",
                                                              static_cast<uint32_t>(application_id))));
  }
  if (version > supported_version) {
    return Status::Unsupported(fmt::format(
        "{} was created by a newer docpipe (schema {}, this build supports {}); it was left untouched", path,
        version, supported_version));
  }
  if (version >= 1) {
    DOCPIPE_ASSIGN_OR_RETURN(
        int64_t marked,
        db->QueryInt("SELECT count(*) FROM docpipe_meta WHERE key = 'application' AND value = 'docpipe'"));
    if (marked != 1) return Status::Corrupt(NotDocpipe(path, "the docpipe_meta marker is missing"));
  }
  return FileProbe{FileState::kDocpipe, static_cast<int>(version)};
}

// Reads the first bytes of the file through SQLite's own file layer, not a
// plain open(): closing any descriptor of a file drops every POSIX lock this
// process holds on it, so a plain read next to another connection of this
// process (a second Store, a reader) would silently unlock that connection
// mid-transaction. SQLite's layer shares descriptors per file and defers the
// close while locks are held.
Status ReadHeader(const std::string& path, std::array<unsigned char, 100>& header, bool& complete) {
  sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
  std::vector<std::max_align_t> storage(static_cast<size_t>(vfs->szOsFile) / sizeof(std::max_align_t) + 1);
  auto* file = reinterpret_cast<sqlite3_file*>(storage.data());
  int flags = 0;
  int rc = vfs->xOpen(vfs, path.c_str(), file, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags);
  if (rc != SQLITE_OK) {
    if (file->pMethods != nullptr) file->pMethods->xClose(file);
    return Status::IoError(fmt::format("{}: cannot read the store file: {}", path, sqlite3_errstr(rc)));
  }
  rc = file->pMethods->xRead(file, header.data(), static_cast<int>(header.size()), 0);
  file->pMethods->xClose(file);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
    return Status::IoError(fmt::format("{}: cannot read the store file: {}", path, sqlite3_errstr(rc)));
  }
  complete = rc == SQLITE_OK;
  return Status::Ok();
}

}  // namespace

std::span<const Migration> DocpipeMigrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations.back().version; }

Result<FileProbe> ProbeFile(const std::string& path, int supported_version, int lock_timeout_ms) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return FileProbe{FileState::kAbsent, 0};
    return Status::IoError(fmt::format("{}: cannot inspect the store file: {}", path, std::strerror(errno)));
  }
  if (S_ISDIR(info.st_mode)) return Status::InvalidArgument(fmt::format("{} is a directory, not a store file", path));
  if (info.st_size == 0) return FileProbe{FileState::kEmpty, 0};

  // The header is checked by hand first so that a file that is not SQLite at
  // all, or belongs to another application, is never handed to SQLite.
  std::array<unsigned char, 100> header{};
  bool complete = false;
  DOCPIPE_RETURN_IF_ERROR(ReadHeader(path, header, complete));
  if (!complete || std::memcmp(header.data(), kSqliteMagic, sizeof(kSqliteMagic)) != 0) {
    return Status::Corrupt(NotDocpipe(path, "not an SQLite database"));
  }
  uint32_t application_id = BigEndian32(&header[68]);
  if (application_id != 0 && application_id != static_cast<uint32_t>(kApplicationId)) {
    return Status::Corrupt(NotDocpipe(path, fmt::format("an SQLite database with application_id {:#x}", application_id)));
  }
  return ProbeSqlite(path, supported_version, lock_timeout_ms);
}

Status Migrate(SqliteDb& db, std::span<const Migration> migrations) {
  if (migrations.empty()) return Status::Ok();
  const int latest = migrations.back().version;
  // Read without the write lock first: an up-to-date store opens even while
  // another process holds the write lock.
  DOCPIPE_ASSIGN_OR_RETURN(int64_t version, db.QueryInt("PRAGMA user_version"));
  if (version == latest) return Status::Ok();
  for (const Migration& migration : migrations) {
    DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> transaction, Transaction::Begin(db));
    // Re-read under the lock: another process may have migrated meanwhile.
    DOCPIPE_ASSIGN_OR_RETURN(version, db.QueryInt("PRAGMA user_version"));
    DOCPIPE_ASSIGN_OR_RETURN(int64_t application_id, db.QueryInt("PRAGMA application_id"));
    if (application_id != 0 && application_id != kApplicationId) {
      return Status::Corrupt(NotDocpipe(db.path(), "another application's database"));
    }
    if (version > latest) {
      return Status::Unsupported(fmt::format("{} was created by a newer docpipe (schema {}, this build supports {})",
                                             db.path(), version, latest));
    }
    if (version >= migration.version) continue;
    Status status = db.Exec(migration.sql);
    if (!status.ok()) return status.WithContext(fmt::format("migrating to schema {}", migration.version));
    std::string stamp =
        fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {}", kApplicationId, migration.version);
    DOCPIPE_RETURN_IF_ERROR(db.Exec(stamp.c_str()));
    DOCPIPE_RETURN_IF_ERROR(transaction->Commit());
  }
  return Status::Ok();
}

}  // namespace docpipe::store
