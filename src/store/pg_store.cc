#include "store/pg_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>
#include <unordered_set>

#include "store/pg_schema.h"
#include "store/record_json.h"
#include "store/visible_document.h"
#include "store/write_checks.h"

namespace docpipe::store {
namespace {

// The columns ReadRecord() expects, in its order.
#define DOCPIPE_PG_DOCUMENT_COLUMNS                                                                    \
  "id, path, coalesce(sha256, ''), bytes, pages, kind, status, error, metadata::text, timings::text, " \
  "pages_needing_ocr::text, page_errors::text, embedding_key, state"

constexpr const char* kSelectByPath = "SELECT " DOCPIPE_PG_DOCUMENT_COLUMNS " FROM documents WHERE path = $1";
// Several paths may hold the same content; the newest stands for it.
constexpr const char* kSelectBySha256 =
    "SELECT " DOCPIPE_PG_DOCUMENT_COLUMNS
    " FROM documents WHERE sha256 = $1 AND " DOCPIPE_VISIBLE_DOCUMENT " "
    "ORDER BY id DESC LIMIT 1";

// A document replaces the record at its path and failed or partial records
// of its content. (One statement cannot do both: PostgreSQL checks the unique path
// against the row the same statement deletes.)
constexpr const char* kDeleteReplaced =
    "DELETE FROM documents WHERE path = $1 OR (sha256 = $2 AND (status = 'failed' OR state = 'partial')) "
    "RETURNING path = $1, created_at, id";
// A replaced document keeps the time it was first stored ($12).
constexpr const char* kInsertDocument =
    "INSERT INTO documents(path, sha256, bytes, pages, kind, status, error, metadata, timings, "
    "pages_needing_ocr, page_errors, created_at, embedding_key, state, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12::timestamptz, now()), $13, $14, "
    "now()) RETURNING id";
// A later piece of a streamed document (ContinueParams()); status, error and
// created_at stay as the first piece wrote them.
constexpr const char* kContinueDocument =
    "UPDATE documents SET bytes = $3, pages = $4, kind = $5, metadata = $6, timings = $7, "
    "pages_needing_ocr = $8, page_errors = $9, embedding_key = $10, state = $11, updated_at = now() "
    "WHERE path = $1 AND coalesce(sha256, '') = coalesce($2, '') AND state = 'partial' AND status = 'ok' "
    "RETURNING id";

// Sorted, so that two writers of overlapping batches take their locks in the
// same order and cannot deadlock on them.
constexpr const char* kLockPaths =
    "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT k FROM unnest($1::bigint[]) AS k ORDER BY k) AS s";

constexpr const char* kAllocateChunkIds =
    "SELECT nextval(pg_get_serial_sequence('chunks', 'id')) FROM generate_series(1, $1)";

constexpr const char* kCopyChunks =
    "COPY chunks(id, document_id, ordinal, text, heading_path, page_start, page_end, token_count, char_start, "
    "char_end, has_table, table_header, tables) FROM STDIN (FORMAT binary)";

// A write that fills the full-text index's pending list (64 MB, pg_schema.cc)
// merges it into the index itself, gathering entries in work_mem: at the 4 MB
// default the merge flushed to the index about every 4 MB of list, touching the
// same posting lists again each time; with the whole list at once it wrote 30%
// less WAL (docs/performance.md).
constexpr const char* kWriteMemory = "SET LOCAL work_mem = '64MB'";

// How often a batch is tried when the connection drops or a deadlock aborts it.
constexpr int kWriteAttempts = 3;
// Bytes of COPY data gathered before they are sent.
constexpr size_t kCopyBufferBytes = 1 << 20;

Result<DocumentRecord> ReadRecord(const PgRows& rows, int row) {
  DocumentRecord record;
  record.id = rows.Int(row, 0);
  record.path = rows.Text(row, 1);
  record.sha256 = rows.Text(row, 2);
  record.bytes = rows.Int(row, 3);
  record.pages = static_cast<int>(rows.Int(row, 4));
  DOCPIPE_ASSIGN_OR_RETURN(record.kind, ParseDocumentKind(rows.Text(row, 5)));
  DOCPIPE_ASSIGN_OR_RETURN(record.status, ParseDocumentStatus(rows.Text(row, 6)));
  record.error = rows.Text(row, 7);
  DOCPIPE_ASSIGN_OR_RETURN(record.metadata, MetadataFromJson(rows.Text(row, 8)));
  DOCPIPE_ASSIGN_OR_RETURN(record.seconds, SecondsFromJson(rows.Text(row, 9)));
  DOCPIPE_ASSIGN_OR_RETURN(record.pages_needing_ocr, IntsFromJson(rows.Text(row, 10)));
  DOCPIPE_ASSIGN_OR_RETURN(record.page_errors, StringsFromJson(rows.Text(row, 11)));
  record.embedding_key = rows.Text(row, 12);
  DOCPIPE_ASSIGN_OR_RETURN(record.state, ParseDocumentState(rows.Text(row, 13)));
  return record;
}

// Whether no write of the batch replaces another write of the same batch
// (the same path, or a failed record of the same content): then all the
// deletes can run before all the inserts with the same outcome as writing one
// document after another, and both go to the server in one round trip each.
bool WritesAreIndependent(const std::vector<DocumentWrite>& writes) {
  // Paths as stored: two that differ only in invalid UTF-8 are one path.
  std::unordered_set<std::string> paths;
  std::unordered_set<std::string_view> contents, failed_contents;
  for (const DocumentWrite& write : writes) {
    if (write.continues) return false;  // it needs the record an earlier write of the batch may make
    if (!paths.insert(PgText(write.record.path)).second) return false;
    const std::string& sha256 = write.record.sha256;
    if (sha256.empty()) continue;
    // A partial record is replaced by later writes of its content, as a failed one is.
    const bool failed =
        write.record.status == DocumentStatus::kFailed || write.record.state == DocumentState::kPartial;
    if (failed_contents.contains(sha256) || (failed && contents.contains(sha256))) return false;
    contents.insert(sha256);
    if (failed) failed_contents.insert(sha256);
  }
  return true;
}

std::optional<std::string> Sha256Param(const DocumentRecord& record) {
  return record.sha256.empty() ? std::nullopt : std::optional<std::string>(PgText(record.sha256));
}

// kDeleteReplaced's parameters. Chunks and their tag, entity and vector rows
// go with the documents (ON DELETE CASCADE).
PgParams DeleteParams(const DocumentWrite& write) { return {PgText(write.record.path), Sha256Param(write.record)}; }

// kInsertDocument's parameters; `removed` is what kDeleteReplaced returned
// for the same write, whose record at the same path gives its created_at.
PgParams InsertParams(const DocumentWrite& write, const PgRows& removed) {
  const DocumentRecord& record = write.record;
  std::optional<std::string> created_at;
  for (int row = 0; row < removed.size(); ++row) {
    if (removed.Text(row, 0) == "t") created_at = removed.Text(row, 1);
  }
  return {
      PgText(record.path),
      Sha256Param(record),
      std::to_string(record.bytes),
      std::to_string(record.pages),
      std::string(DocumentKindName(record.kind)),
      std::string(DocumentStatusName(record.status)),
      PgText(record.error),
      PgText(MetadataToJson(record.metadata)),
      PgText(SecondsToJson(record.seconds)),
      IntsToJson(record.pages_needing_ocr),
      PgText(StringsToJson(record.page_errors)),
      created_at,
      write.vectors.rows > 0 ? PgText(write.embedder.Key()) : std::string(),
      std::string(DocumentStateName(record.state)),
  };
}

// kContinueDocument's parameters.
PgParams ContinueParams(const DocumentWrite& write) {
  const DocumentRecord& record = write.record;
  return {
      PgText(record.path),
      Sha256Param(record),
      std::to_string(record.bytes),
      std::to_string(record.pages),
      std::string(DocumentKindName(record.kind)),
      PgText(MetadataToJson(record.metadata)),
      PgText(SecondsToJson(record.seconds)),
      IntsToJson(record.pages_needing_ocr),
      PgText(StringsToJson(record.page_errors)),
      write.embedder.name.empty() ? std::string() : PgText(write.embedder.Key()),
      std::string(DocumentStateName(record.state)),
  };
}

// FNV-1a: a stable 64-bit advisory lock key for a path, the same in every process.
int64_t PathLockKey(std::string_view path) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (char c : path) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  return static_cast<int64_t>(hash);
}

// The batch's advisory lock keys: its paths, and the contents of the writes
// that are stored only once (a NUL first keeps them apart from any path), so
// that two writers of copies of one file under two paths take turns.
std::string LockArray(const std::vector<DocumentWrite>& writes) {
  std::string array = "{";
  const auto add = [&](std::string_view key) {
    if (array.size() > 1) array += ',';
    array += std::to_string(PathLockKey(key));
  };
  for (const DocumentWrite& write : writes) {
    add(write.record.path);
    if (write.unless_content_stored && !write.record.sha256.empty()) add(std::string(1, '\0') + write.record.sha256);
  }
  return array + "}";
}

// The newest visible record of each of these contents.
constexpr const char* kStoredContents =
    "SELECT DISTINCT ON (sha256) sha256, id FROM documents WHERE sha256 = ANY($1::text[]) AND " DOCPIPE_VISIBLE_DOCUMENT
    " ORDER BY sha256, id DESC";

}  // namespace

Status ValidateWrite(const DocumentWrite& write) {
  DOCPIPE_RETURN_IF_ERROR(CheckDocumentWrite(write));
  // Checked here rather than left to the unique index: a COPY error would not
  // say which document of the batch it came from.
  std::set<int> ordinals;
  for (const Chunk& chunk : write.chunks) {
    if (!ordinals.insert(chunk.ordinal).second) {
      return Status::InvalidArgument(fmt::format("chunk ordinal {} appears twice", chunk.ordinal));
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<PgStore>> PgStore::Make(const std::string& location, const StoreOptions& options) {
  if (options.lock_timeout_ms < 0) return Status::InvalidArgument("lock_timeout_ms must not be negative");
  PgPoolOptions pool_options;
  pool_options.max_connections = options.max_connections;
  pool_options.wait_ms = options.lock_timeout_ms;
  pool_options.lock_timeout_ms = options.lock_timeout_ms;
  DOCPIPE_ASSIGN_OR_RETURN(std::shared_ptr<PgPool> pool, PgPool::Make(location, pool_options));
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool->Acquire());
  if (options.read_only || !options.create_if_missing) {
    const int latest = PgLatestSchemaVersion();
    DOCPIPE_ASSIGN_OR_RETURN(int version, PgSchemaVersion(*conn, latest));
    if (version == 0) return Status::NotFound(pool->shown_location() + ": no docpipe store in this database");
    if (options.read_only && version < latest) {
      return Status::Unsupported(fmt::format(
          "{} has schema {}, older than this build's {}; open it once for writing to upgrade it",
          pool->shown_location(), version, latest));
    }
  }
  if (!options.read_only) {
    DOCPIPE_RETURN_IF_ERROR(PgMigrate(*conn, PgMigrations()));
    DOCPIPE_RETURN_IF_ERROR(PgBuildSearchIndexIfDone(*conn));
  }
  return std::make_unique<PgStore>(std::move(pool), options.read_only);
}

Result<std::unique_ptr<Store>> PgStore::OpenReader() const {
  return std::unique_ptr<Store>(std::make_unique<PgStore>(pool_, /*read_only=*/true));
}

Result<std::unique_ptr<Store>> PgStore::OpenWriter() const {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  // A pool of its own: its writes never wait for a connection of this store's.
  auto pool = std::make_shared<PgPool>(pool_->location(), pool_->options());
  return std::unique_ptr<Store>(std::make_unique<PgStore>(std::move(pool), /*read_only=*/false));
}

Status PgStore::CheckWritable() const {
  if (read_only_) return Status::InvalidArgument(pool_->shown_location() + ": the store was opened read-only");
  return Status::Ok();
}

Result<std::optional<DocumentRecord>> PgStore::FindOne(const char* sql, const std::string& key) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn->Exec(sql, {PgText(key)}));
  if (rows.size() == 0) return std::optional<DocumentRecord>();
  DOCPIPE_ASSIGN_OR_RETURN(DocumentRecord record, ReadRecord(rows, 0));
  return std::optional<DocumentRecord>(std::move(record));
}

Result<std::optional<DocumentRecord>> PgStore::FindByPath(const std::string& path) {
  return FindOne(kSelectByPath, path);
}

Result<std::optional<DocumentRecord>> PgStore::FindBySha256(const std::string& sha256) {
  return FindOne(kSelectBySha256, sha256);
}

Status PgStore::PutDocuments(std::vector<DocumentWrite>& writes) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  last_write_attempts_ = 0;
  if (writes.empty()) return Status::Ok();
  for (const DocumentWrite& write : writes) {
    Status valid = ValidateWrite(write);
    if (!valid.ok()) return valid.WithContext("storing " + write.record.path);
  }
  std::vector<int64_t> ids;
  for (int attempt = 1;; ++attempt) {
    last_write_attempts_ = attempt;
    Result<PgLease> conn = pool_->Acquire();
    Status status = conn.ok() ? WriteBatch(**conn, writes, ids) : conn.status();
    if (status.ok()) break;
    // A lost connection or a deadlock aborted the whole transaction on the
    // server: nothing of the batch is in, and it can be sent again as it is.
    // (A connection lost during COMMIT may have committed; writing the batch
    // again then replaces it with itself.)
    if (status.code() != StatusCode::kUnavailable || attempt == kWriteAttempts) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100 * attempt));
  }
  // Only now are the ids real.
  for (size_t i = 0; i < writes.size(); ++i) writes[i].record.id = ids[i];
  return Status::Ok();
}

Result<std::vector<int64_t>> PgStore::StoredCopies(PgConn& conn, const std::vector<DocumentWrite>& writes) {
  std::vector<int64_t> copies(writes.size(), 0);
  std::string contents = "{";
  for (const DocumentWrite& write : writes) {
    if (!write.unless_content_stored || write.record.sha256.empty()) continue;
    if (contents.size() > 1) contents += ',';
    contents += '"' + PgText(write.record.sha256) + '"';  // hex digits: nothing to escape
  }
  if (contents.size() == 1) return copies;
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn.Exec(kStoredContents, {contents + "}"}));
  for (size_t i = 0; i < writes.size(); ++i) {
    if (!writes[i].unless_content_stored) continue;
    for (int row = 0; row < rows.size(); ++row) {
      if (rows.Text(row, 0) == writes[i].record.sha256) copies[i] = rows.Int(row, 1);
    }
  }
  return copies;
}

Status PgStore::WriteBatch(PgConn& conn, const std::vector<DocumentWrite>& writes, std::vector<int64_t>& ids) {
  ids.clear();
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<PgTransaction> transaction, PgTransaction::Begin(conn));
  DOCPIPE_RETURN_IF_ERROR(conn.Exec(kWriteMemory).status());
  DOCPIPE_RETURN_IF_ERROR(conn.Exec(kLockPaths, {LockArray(writes)}).status());
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<int64_t> copies, StoredCopies(conn, writes));
  if (std::all_of(copies.begin(), copies.end(), [](int64_t id) { return id == 0; })) {
    DOCPIPE_RETURN_IF_ERROR(WriteLocked(conn, writes, ids));
  } else {
    // Another writer stored some of these contents since the skip check: those
    // writes store nothing and answer with the stored copy's id.
    std::vector<DocumentWrite> rest;
    for (size_t i = 0; i < writes.size(); ++i) {
      if (copies[i] == 0) rest.push_back(writes[i]);
    }
    std::vector<int64_t> rest_ids;
    DOCPIPE_RETURN_IF_ERROR(WriteLocked(conn, rest, rest_ids));
    for (size_t i = 0, next = 0; i < writes.size(); ++i) ids.push_back(copies[i] != 0 ? copies[i] : rest_ids[next++]);
  }
  if (before_commit_) before_commit_(PQbackendPID(conn.handle()));
  return transaction->Commit();
}

Status PgStore::WriteLocked(PgConn& conn, const std::vector<DocumentWrite>& writes, std::vector<int64_t>& ids) {
  if (writes.empty()) return Status::Ok();
  if (WritesAreIndependent(writes)) {
    DOCPIPE_RETURN_IF_ERROR(WriteDocumentsPipelined(conn, writes, ids));
    DOCPIPE_RETURN_IF_ERROR(WriteChunkRows(conn, writes, ids));
  } else {
    std::vector<bool> replaced;
    DOCPIPE_RETURN_IF_ERROR(WriteDocumentsInTurn(conn, writes, ids, replaced));
    // A write that a later one of the batch replaced keeps no chunks.
    std::vector<DocumentWrite> standing;
    std::vector<int64_t> standing_ids;
    for (size_t i = 0; i < writes.size(); ++i) {
      if (replaced[i]) continue;
      standing.push_back(writes[i]);
      standing_ids.push_back(ids[i]);
    }
    DOCPIPE_RETURN_IF_ERROR(WriteChunkRows(conn, standing, standing_ids));
  }
  return Status::Ok();
}

Status PgStore::WriteChunkRows(PgConn& conn, const std::vector<DocumentWrite>& writes,
                               const std::vector<int64_t>& document_ids) {
  size_t chunk_count = 0;
  for (const DocumentWrite& write : writes) chunk_count += write.chunks.size();
  if (chunk_count == 0) return Status::Ok();
  DOCPIPE_ASSIGN_OR_RETURN(PgRows allocated, conn.Exec(kAllocateChunkIds, {std::to_string(chunk_count)}));
  std::vector<int64_t> chunk_ids(chunk_count);
  for (size_t i = 0; i < chunk_count; ++i) chunk_ids[i] = allocated.Int(static_cast<int>(i), 0);
  DOCPIPE_RETURN_IF_ERROR(CopyChunks(conn, writes, document_ids, chunk_ids));
  DOCPIPE_RETURN_IF_ERROR(CopyEnrichments(conn, writes, chunk_ids));
  return CopyVectors(conn, writes, chunk_ids);
}

Status PgStore::WriteDocumentsInTurn(PgConn& conn, const std::vector<DocumentWrite>& writes,
                                     std::vector<int64_t>& ids, std::vector<bool>& replaced) {
  replaced.assign(writes.size(), false);
  for (const DocumentWrite& write : writes) {
    if (write.continues) {
      Result<PgRows> updated = conn.Exec(kContinueDocument, ContinueParams(write));
      if (!updated.ok()) return updated.status().WithContext("storing " + write.record.path);
      if (updated->size() == 0) {
        return Status::NotFound("storing " + write.record.path +
                                ": no partial document of this content is stored at this path to continue");
      }
      ids.push_back(updated->Int(0, 0));
      continue;
    }
    Result<PgRows> removed = conn.Exec(kDeleteReplaced, DeleteParams(write));
    Result<PgRows> inserted =
        removed.ok() ? conn.Exec(kInsertDocument, InsertParams(write, *removed)) : removed.status();
    if (!inserted.ok()) return inserted.status().WithContext("storing " + write.record.path);
    for (int row = 0; row < removed->size(); ++row) {
      const auto earlier = std::find(ids.begin(), ids.end(), removed->Int(row, 2));
      if (earlier != ids.end()) replaced[static_cast<size_t>(earlier - ids.begin())] = true;
    }
    ids.push_back(inserted->Int(0, 0));
  }
  return Status::Ok();
}

Status PgStore::WriteDocumentsPipelined(PgConn& conn, const std::vector<DocumentWrite>& writes,
                                        std::vector<int64_t>& ids) {
  std::vector<PgParams> params;
  params.reserve(writes.size());
  for (const DocumentWrite& write : writes) params.push_back(DeleteParams(write));
  std::vector<PgRows> removed;
  Status status = conn.ExecEach(kDeleteReplaced, params, "removing replaced documents", removed);
  if (!status.ok()) return status.WithContext("storing " + writes[removed.size()].record.path);
  params.clear();
  for (size_t i = 0; i < writes.size(); ++i) params.push_back(InsertParams(writes[i], removed[i]));
  std::vector<PgRows> inserted;
  status = conn.ExecEach(kInsertDocument, params, "inserting documents", inserted);
  if (!status.ok()) return status.WithContext("storing " + writes[inserted.size()].record.path);
  for (const PgRows& rows : inserted) ids.push_back(rows.Int(0, 0));
  return Status::Ok();
}

Status PgStore::CopyChunks(PgConn& conn, const std::vector<DocumentWrite>& writes,
                           const std::vector<int64_t>& document_ids, const std::vector<int64_t>& chunk_ids) {
  size_t document = 0, chunk = 0, next_id = 0;
  bool header = true;
  auto produce = [&](std::string& out) -> Result<bool> {
    if (header) PgCopyEncoder::Header(out);
    header = false;
    for (; document < writes.size(); ++document, chunk = 0) {
      const DocumentWrite& write = writes[document];
      for (; chunk < write.chunks.size(); ++chunk) {
        if (out.size() >= kCopyBufferBytes) return true;
        const Chunk& c = write.chunks[chunk];
        PgCopyEncoder::Row(out, 13);
        PgCopyEncoder::Int64(out, chunk_ids[next_id++]);
        PgCopyEncoder::Int64(out, document_ids[document]);
        PgCopyEncoder::Int32(out, c.ordinal);
        PgCopyEncoder::Text(out, PgText(c.text));
        PgCopyEncoder::Jsonb(out, PgText(StringsToJson(c.heading_path)));
        PgCopyEncoder::Int32(out, c.page_start);
        PgCopyEncoder::Int32(out, c.page_end);
        PgCopyEncoder::Int32(out, c.token_count);
        PgCopyEncoder::Int64(out, c.char_start);
        PgCopyEncoder::Int64(out, c.char_end);
        PgCopyEncoder::Bool(out, c.has_table);
        PgCopyEncoder::Text(out, PgText(c.table_header));
        PgCopyEncoder::Jsonb(out, PgText(TablesToJson(c.tables)));
      }
    }
    PgCopyEncoder::Trailer(out);
    return false;
  };
  return conn.Copy(kCopyChunks, produce);
}

Result<std::string> PgStore::Engine() {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  const int version = PQserverVersion(conn->handle());  // 150005 for 15.5 (major * 10000 + minor since 10)
  return fmt::format("postgresql {}.{}", version / 10000, version % 10000);
}

Result<int64_t> PgStore::BeginRun(const std::string& config_json) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  const std::string config = config_json.empty() ? "{}" : config_json;
  if (!IsJson(config)) return Status::InvalidArgument("the run configuration is not valid JSON");
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows,
                           conn->Exec("INSERT INTO runs(config) VALUES ($1::jsonb) RETURNING id", {PgText(config)}));
  return rows.Int(0, 0);
}

Result<std::vector<RunRecord>> PgStore::Runs(int64_t limit) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(
      PgRows rows,
      conn->Exec("SELECT id, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
                 "coalesce(to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), ''), "
                 "config::text, coalesce(metrics::text, '') FROM runs ORDER BY id DESC LIMIT $1",
                 {std::to_string(limit)}));
  std::vector<RunRecord> runs;
  for (int row = 0; row < rows.size(); ++row) {
    runs.push_back({rows.Int(row, 0), rows.Text(row, 1), rows.Text(row, 2), rows.Text(row, 3), rows.Text(row, 4)});
  }
  return runs;
}

Status PgStore::FinishRun(int64_t run_id, const std::string& metrics_json) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  const std::string metrics = metrics_json.empty() ? "{}" : metrics_json;
  if (!IsJson(metrics)) return Status::InvalidArgument("the run metrics are not valid JSON");
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(
      PgRows rows, conn->Exec("UPDATE runs SET finished_at = clock_timestamp(), metrics = $2::jsonb WHERE id = $1 "
                              "RETURNING id",
                              {std::to_string(run_id), PgText(metrics)}));
  if (rows.size() == 0) return Status::NotFound(fmt::format("no run with id {}", run_id));
  return Status::Ok();
}

Result<StoreCounts> PgStore::Counts() {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(
      PgRows rows,
      conn->Exec("SELECT (SELECT count(*) FROM documents WHERE " DOCPIPE_VISIBLE_DOCUMENT "), "
                 "(SELECT count(*) FROM documents WHERE status = 'failed'), "
                 "(SELECT count(*) FROM chunks), (SELECT count(*) FROM runs), "
                 "(SELECT count(*) FROM chunk_vectors), "
                 "(SELECT count(*) FROM documents WHERE state = 'partial')"));
  StoreCounts counts;
  counts.documents = rows.Int(0, 0);
  counts.failed_documents = rows.Int(0, 1);
  counts.chunks = rows.Int(0, 2);
  counts.runs = rows.Int(0, 3);
  counts.vectors = rows.Int(0, 4);
  counts.partial_documents = rows.Int(0, 5);
  return counts;
}

Result<bool> PgStore::HasPartialDocuments(PgConn& conn) {
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows,
                           conn.Exec("SELECT EXISTS (SELECT 1 FROM documents WHERE state = 'partial')"));
  return rows.Text(0, 0) == "t";
}

}  // namespace docpipe::store
