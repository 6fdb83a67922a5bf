#include "store/sqlite_store.h"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <thread>

#include "store/record_json.h"
#include "store/sqlite_schema.h"
#include "store/visible_document.h"
#include "store/write_checks.h"

namespace docpipe::store {
namespace {

// Timestamps are UTC ISO 8601 with milliseconds; they sort as text.
#define DOCPIPE_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

// The columns ReadRecord() expects, in its order.
#define DOCPIPE_DOCUMENT_COLUMNS                                                                             \
  "id, path, sha256, bytes, pages, kind, status, error, metadata, timings, pages_needing_ocr, page_errors, " \
  "embedding_key, state"

constexpr const char* kSelectByPath = "SELECT " DOCPIPE_DOCUMENT_COLUMNS " FROM documents WHERE path = ?1";
// Several paths may hold the same content; the newest stands for it.
constexpr const char* kSelectBySha256 =
    "SELECT " DOCPIPE_DOCUMENT_COLUMNS
    " FROM documents WHERE sha256 = ?1 AND " DOCPIPE_VISIBLE_DOCUMENT " "
    "ORDER BY id DESC LIMIT 1";

constexpr const char* kSelectCreatedAt = "SELECT created_at FROM documents WHERE path = ?1";
constexpr const char* kDeleteReplaced =
    "DELETE FROM documents WHERE path = ?1 OR (sha256 = ?2 AND (status = 'failed' OR state = 'partial'))";
constexpr const char* kInsertDocument =
    "INSERT INTO documents(path, sha256, bytes, pages, kind, status, error, metadata, timings, "
    "pages_needing_ocr, page_errors, embedding_key, state, created_at, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, "
    "coalesce(?12, " DOCPIPE_NOW "), " DOCPIPE_NOW ")";
// A later piece of a streamed document: the same parameters as kInsertDocument
// (status, error and created_at stay as the first piece wrote them).
constexpr const char* kContinueDocument =
    "UPDATE documents SET bytes = ?3, pages = ?4, kind = ?5, metadata = ?8, timings = ?9, "
    "pages_needing_ocr = ?10, page_errors = ?11, embedding_key = ?13, state = ?14, "
    "updated_at = " DOCPIPE_NOW
    " WHERE path = ?1 AND coalesce(sha256, '') = coalesce(?2, '') AND state = 'partial' AND status = 'ok' "
    "RETURNING id";
constexpr const char* kInsertChunk =
    "INSERT INTO chunks(document_id, ordinal, text, heading_path, page_start, page_end, token_count, "
    "char_start, char_end, has_table, table_header, tables) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

// Reads a row selected with DOCPIPE_DOCUMENT_COLUMNS.
Result<DocumentRecord> ReadRecord(const Statement& row) {
  DocumentRecord record;
  record.id = row.ColumnInt(0);
  record.path = row.ColumnText(1);
  record.sha256 = row.ColumnText(2);
  record.bytes = row.ColumnInt(3);
  record.pages = static_cast<int>(row.ColumnInt(4));
  DOCPIPE_ASSIGN_OR_RETURN(record.kind, ParseDocumentKind(row.ColumnText(5)));
  DOCPIPE_ASSIGN_OR_RETURN(record.status, ParseDocumentStatus(row.ColumnText(6)));
  record.error = row.ColumnText(7);
  DOCPIPE_ASSIGN_OR_RETURN(record.metadata, MetadataFromJson(row.ColumnText(8)));
  DOCPIPE_ASSIGN_OR_RETURN(record.seconds, SecondsFromJson(row.ColumnText(9)));
  DOCPIPE_ASSIGN_OR_RETURN(record.pages_needing_ocr, IntsFromJson(row.ColumnText(10)));
  DOCPIPE_ASSIGN_OR_RETURN(record.page_errors, StringsFromJson(row.ColumnText(11)));
  record.embedding_key = row.ColumnText(12);
  DOCPIPE_ASSIGN_OR_RETURN(record.state, ParseDocumentState(row.ColumnText(13)));
  return record;
}

// Binds kInsertDocument's (and kContinueDocument's) parameters but ?12.
// `texts` keeps the JSON texts alive while the statement runs.
void BindRecord(Statement& statement, const DocumentWrite& write, std::array<std::string, 5>& texts) {
  const DocumentRecord& record = write.record;
  texts = {MetadataToJson(record.metadata), SecondsToJson(record.seconds),
           IntsToJson(record.pages_needing_ocr), StringsToJson(record.page_errors),
           write.embedder.name.empty() ? std::string() : write.embedder.Key()};
  statement.BindText(1, record.path);
  if (!record.sha256.empty()) statement.BindText(2, record.sha256);
  statement.BindInt(3, record.bytes);
  statement.BindInt(4, record.pages);
  statement.BindText(5, DocumentKindName(record.kind));
  statement.BindText(6, DocumentStatusName(record.status));
  statement.BindText(7, record.error);
  statement.BindText(8, texts[0]);
  statement.BindText(9, texts[1]);
  statement.BindText(10, texts[2]);
  statement.BindText(11, texts[3]);
  statement.BindText(13, texts[4]);
  statement.BindText(14, DocumentStateName(record.state));
}

// Connection settings every store connection needs, writable or not.
Status Configure(SqliteDb& db, const StoreOptions& options) {
  sqlite3_busy_timeout(db.handle(), options.lock_timeout_ms);  // wait for another writer instead of failing
  return db.Exec("PRAGMA foreign_keys = ON");
}

Result<std::unique_ptr<SqliteStore>> OpenReadOnly(const std::string& path, const FileProbe& probe,
                                                  const StoreOptions& options) {
  if (probe.state != FileState::kDocpipe) return Status::NotFound(path + ": no docpipe store there");
  if (probe.schema_version < LatestSchemaVersion()) {
    return Status::Unsupported(fmt::format(
        "{} has schema {}, older than this build's {}; open it once for writing to upgrade it", path,
        probe.schema_version, LatestSchemaVersion()));
  }
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, SQLITE_OPEN_READONLY));
  DOCPIPE_RETURN_IF_ERROR(Configure(*db, options));
  return std::make_unique<SqliteStore>(std::move(db), /*read_only=*/true, options.lock_timeout_ms);
}

// Switching a new database to WAL needs an exclusive lock, and SQLite gives up
// at once, without its busy handler, when another connection is reading it
// (several processes or threads opening a fresh store together): retry within
// the lock timeout. True when the file is in WAL mode after it (the pragma
// answers with the mode it ended in: a file system without shared memory
// keeps the rollback journal).
Result<bool> SwitchToWal(SqliteDb& db, int lock_timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(lock_timeout_ms);
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease mode, db.Prepare("PRAGMA journal_mode = WAL"));
  while (true) {
    Result<bool> row = mode->Step();
    if (row.ok()) return *row && mode->ColumnText(0) == "wal";
    if (row.status().code() != StatusCode::kTimeout || std::chrono::steady_clock::now() >= deadline) {
      return row.status();
    }
    mode->Reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Make(const std::string& path, const StoreOptions& options) {
  if (path.empty()) return Status::InvalidArgument("the store location is empty");
  if (options.lock_timeout_ms < 0) return Status::InvalidArgument("lock_timeout_ms must not be negative");
  DOCPIPE_ASSIGN_OR_RETURN(FileProbe probe, ProbeFile(path, LatestSchemaVersion(), options.lock_timeout_ms));
  if (options.read_only) return OpenReadOnly(path, probe, options);
  if (probe.state == FileState::kAbsent && !options.create_if_missing) {
    return Status::NotFound(path + ": no docpipe store there (and creating one was not asked for)");
  }

  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db,
                           SqliteDb::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  if (sqlite3_db_readonly(db->handle(), "main") == 1) {
    return Status::IoError(path + ": the store file is read-only; open the store read-only to search it");
  }
  DOCPIPE_RETURN_IF_ERROR(Configure(*db, options));
  // WAL: readers and the one writer do not block each other, and a killed
  // writer leaves only whole transactions behind. NORMAL sync is durable
  // across process crashes (a power loss may drop the last commits, never
  // corrupt). Switching an existing WAL database is a no-op.
  DOCPIPE_ASSIGN_OR_RETURN(const bool wal, SwitchToWal(*db, options.lock_timeout_ms));
  DOCPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = NORMAL"));
  DOCPIPE_RETURN_IF_ERROR(Migrate(*db, DocpipeMigrations()));
  auto store = std::make_unique<SqliteStore>(std::move(db), /*read_only=*/false, options.lock_timeout_ms);
  // Checkpoints off the writer's thread; where the file stayed out of WAL
  // mode or a second connection fails, SQLite keeps checkpointing in the commits.
  if (wal) {
    Result<std::unique_ptr<WalCheckpointer>> checkpointer = WalCheckpointer::Start(*store->db_);
    if (checkpointer.ok()) store->checkpointer_ = std::move(checkpointer).value();
  }
  return store;
}

Result<std::unique_ptr<Store>> SqliteStore::OpenReader() const {
  StoreOptions options;
  options.create_if_missing = false;
  options.read_only = true;
  options.lock_timeout_ms = lock_timeout_ms_;
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> reader, Make(db_->path(), options));
  return std::unique_ptr<Store>(std::move(reader));
}

Result<std::unique_ptr<Store>> SqliteStore::OpenWriter() const {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  StoreOptions options;
  options.create_if_missing = false;
  options.lock_timeout_ms = lock_timeout_ms_;
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> writer, Make(db_->path(), options));
  return std::unique_ptr<Store>(std::move(writer));
}

Status SqliteStore::CheckWritable() const {
  if (read_only_) return Status::InvalidArgument(db_->path() + ": the store was opened read-only");
  return Status::Ok();
}

Result<std::optional<DocumentRecord>> SqliteStore::FindOne(const char* sql, const std::string& key) {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease statement, db_->Prepare(sql));
  statement->BindText(1, key);
  DOCPIPE_ASSIGN_OR_RETURN(bool row, statement->Step());
  if (!row) return std::optional<DocumentRecord>();
  DOCPIPE_ASSIGN_OR_RETURN(DocumentRecord record, ReadRecord(*statement));
  return std::optional<DocumentRecord>(std::move(record));
}

Result<std::optional<DocumentRecord>> SqliteStore::FindByPath(const std::string& path) {
  return FindOne(kSelectByPath, path);
}

Result<std::optional<DocumentRecord>> SqliteStore::FindBySha256(const std::string& sha256) {
  return FindOne(kSelectBySha256, sha256);
}

Status SqliteStore::PutDocuments(std::vector<DocumentWrite>& writes) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  if (writes.empty()) return Status::Ok();
  ++own_writes_;  // whatever the outcome: cached vector stamps are asked again
  // One transaction for the batch: a failure anywhere, or a crash, leaves none of it.
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> transaction, Transaction::Begin(*db_));
  std::vector<int64_t> ids;
  ids.reserve(writes.size());
  for (const DocumentWrite& write : writes) {
    Result<int64_t> id = WriteDocument(write);
    if (!id.ok()) return id.status().WithContext("storing " + write.record.path);
    ids.push_back(*id);
  }
  DOCPIPE_RETURN_IF_ERROR(transaction->Commit());
  // Only now are the ids real.
  for (size_t i = 0; i < writes.size(); ++i) writes[i].record.id = ids[i];
  return Status::Ok();
}

Result<int64_t> SqliteStore::WriteDocument(const DocumentWrite& write) {
  DOCPIPE_RETURN_IF_ERROR(CheckDocumentWrite(write));
  if (write.unless_content_stored && !write.record.sha256.empty()) {
    // Read inside the write transaction: no other writer can store it meanwhile.
    DOCPIPE_ASSIGN_OR_RETURN(std::optional<DocumentRecord> stored, FindOne(kSelectBySha256, write.record.sha256));
    if (stored) return stored->id;
  }
  int64_t embedder_id = 0;
  if (write.vectors.rows > 0) {
    DOCPIPE_ASSIGN_OR_RETURN(embedder_id, EmbedderId(write.embedder));
  }
  int64_t id = 0;
  if (write.continues) {
    DOCPIPE_ASSIGN_OR_RETURN(id, ContinueDocument(write));
  } else {
    DOCPIPE_ASSIGN_OR_RETURN(id, ReplaceDocument(write));
  }
  DOCPIPE_RETURN_IF_ERROR(WriteChunks(id, write, embedder_id));
  return id;
}

Result<int64_t> SqliteStore::ReplaceDocument(const DocumentWrite& write) {
  const DocumentRecord& record = write.record;
  // A replaced document keeps the time it was first stored.
  std::optional<std::string> created_at;
  {
    DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(kSelectCreatedAt));
    select->BindText(1, record.path);
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (row) created_at = select->ColumnText(0);
  }
  {
    // Chunks and their index rows go with the documents (ON DELETE CASCADE + triggers).
    DOCPIPE_ASSIGN_OR_RETURN(StatementLease remove, db_->Prepare(kDeleteReplaced));
    remove->BindText(1, record.path);
    if (!record.sha256.empty()) remove->BindText(2, record.sha256);  // NULL matches no row
    DOCPIPE_RETURN_IF_ERROR(remove->Run());
  }
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease insert, db_->Prepare(kInsertDocument));
  std::array<std::string, 5> texts;
  BindRecord(*insert, write, texts);
  if (created_at) insert->BindText(12, *created_at);
  DOCPIPE_RETURN_IF_ERROR(insert->Run());
  return sqlite3_last_insert_rowid(db_->handle());
}

Result<int64_t> SqliteStore::ContinueDocument(const DocumentWrite& write) {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease update, db_->Prepare(kContinueDocument));
  std::array<std::string, 5> texts;
  BindRecord(*update, write, texts);
  DOCPIPE_ASSIGN_OR_RETURN(bool row, update->Step());
  if (!row) {
    return Status::NotFound("no partial document of this content is stored at this path to continue");
  }
  return update->ColumnInt(0);
}

Status SqliteStore::WriteChunks(int64_t document_id, const DocumentWrite& write, int64_t embedder_id) {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease insert, db_->Prepare(kInsertChunk));
  std::string heading_path;
  std::string tables;
  for (size_t i = 0; i < write.chunks.size(); ++i) {
    const Chunk& chunk = write.chunks[i];
    heading_path = StringsToJson(chunk.heading_path);
    tables = TablesToJson(chunk.tables);
    insert->BindInt(1, document_id);
    insert->BindInt(2, chunk.ordinal);
    insert->BindText(3, chunk.text);
    insert->BindText(4, heading_path);
    insert->BindInt(5, chunk.page_start);
    insert->BindInt(6, chunk.page_end);
    insert->BindInt(7, chunk.token_count);
    insert->BindInt(8, chunk.char_start);
    insert->BindInt(9, chunk.char_end);
    insert->BindInt(10, chunk.has_table ? 1 : 0);
    insert->BindText(11, chunk.table_header);
    insert->BindText(12, tables);
    Status status = insert->Run();
    insert->Reset();
    if (!status.ok()) return status.WithContext(fmt::format("chunk {}", chunk.ordinal));
    const int64_t chunk_id = sqlite3_last_insert_rowid(db_->handle());
    if (embedder_id != 0) {
      status = WriteVector(chunk_id, embedder_id, write.vectors.Row(i));
      if (!status.ok()) return status.WithContext(fmt::format("vector of chunk {}", chunk.ordinal));
    }
    if (!write.enrichments.empty()) {
      status = WriteEnrichment(chunk_id, write.enrichments[i]);
      if (!status.ok()) return status.WithContext(fmt::format("enrichment of chunk {}", chunk.ordinal));
    }
  }
  return Status::Ok();
}

Result<std::string> SqliteStore::Engine() { return std::string("sqlite ") + sqlite3_libversion(); }

Result<int64_t> SqliteStore::BeginRun(const std::string& config_json) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  const std::string config = config_json.empty() ? "{}" : config_json;
  if (!IsJson(config)) return Status::InvalidArgument("the run configuration is not valid JSON");
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease insert,
                           db_->Prepare("INSERT INTO runs(started_at, config) VALUES (" DOCPIPE_NOW ", ?1)"));
  insert->BindText(1, config);
  DOCPIPE_RETURN_IF_ERROR(insert->Run());
  return sqlite3_last_insert_rowid(db_->handle());
}

Status SqliteStore::FinishRun(int64_t run_id, const std::string& metrics_json) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  const std::string metrics = metrics_json.empty() ? "{}" : metrics_json;
  if (!IsJson(metrics)) return Status::InvalidArgument("the run metrics are not valid JSON");
  DOCPIPE_ASSIGN_OR_RETURN(
      StatementLease update,
      db_->Prepare("UPDATE runs SET finished_at = " DOCPIPE_NOW ", metrics = ?2 WHERE id = ?1"));
  update->BindInt(1, run_id);
  update->BindText(2, metrics);
  DOCPIPE_RETURN_IF_ERROR(update->Run());
  if (sqlite3_changes(db_->handle()) == 0) return Status::NotFound(fmt::format("no run with id {}", run_id));
  return Status::Ok();
}

Result<std::vector<RunRecord>> SqliteStore::Runs(int64_t limit) {
  DOCPIPE_ASSIGN_OR_RETURN(
      StatementLease select,
      db_->Prepare("SELECT id, started_at, coalesce(finished_at, ''), config, coalesce(metrics, '') FROM runs "
                   "ORDER BY id DESC LIMIT ?1"));
  select->BindInt(1, limit);
  std::vector<RunRecord> runs;
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    runs.push_back({select->ColumnInt(0), select->ColumnText(1), select->ColumnText(2), select->ColumnText(3),
                    select->ColumnText(4)});
  }
  return runs;
}

Result<StoreCounts> SqliteStore::Counts() {
  DOCPIPE_ASSIGN_OR_RETURN(
      StatementLease query,
      db_->Prepare(
          "SELECT (SELECT count(*) FROM documents WHERE " DOCPIPE_VISIBLE_DOCUMENT "), "
          "(SELECT count(*) FROM documents WHERE status = 'failed'), "
          "(SELECT count(*) FROM chunks), (SELECT count(*) FROM runs), (SELECT count(*) FROM chunk_vectors), "
          "(SELECT count(*) FROM documents WHERE state = 'partial')"));
  DOCPIPE_ASSIGN_OR_RETURN(bool row, query->Step());
  if (!row) return Status::Internal(db_->path() + ": counting rows returned nothing");
  StoreCounts counts;
  counts.documents = query->ColumnInt(0);
  counts.failed_documents = query->ColumnInt(1);
  counts.chunks = query->ColumnInt(2);
  counts.runs = query->ColumnInt(3);
  counts.vectors = query->ColumnInt(4);
  counts.partial_documents = query->ColumnInt(5);
  return counts;
}

Result<bool> SqliteStore::HasPartialDocuments() {
  DOCPIPE_ASSIGN_OR_RETURN(int64_t any,
                           db_->QueryInt("SELECT EXISTS (SELECT 1 FROM documents WHERE state = 'partial')"));
  return any != 0;
}

Status SqliteStore::LimitPagesForTesting(int64_t max_pages) {
  std::string pragma = fmt::format("PRAGMA max_page_count = {}", max_pages);
  return db_->Exec(pragma.c_str());
}

}  // namespace docpipe::store
