// The knowledge store: documents, chunks, what was extracted from each chunk
// (tags and entities), the enrichment cache, runs, the server's jobs, and
// lexical search over chunks.
//
// Store is an interface so nothing above it speaks a particular database.
// Open() picks the backend from the location: a file path or "sqlite://path"
// is the embedded SQLite store; "postgresql://..." (or "postgres://...") is
// the PostgreSQL server backend (docs/postgres.md). A Store object is used by one thread at a time (the pipeline gives
// it a single writer thread); open one Store per thread to read concurrently.
// The StoreEnrichmentCache a Store opens is the exception: it has its own
// connection and may be used from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "docpipe/document.h"
#include "docpipe/embedding.h"
#include "docpipe/llm_cache.h"
#include "docpipe/status.h"
#include "docpipe/tagging.h"

namespace docpipe {

enum class DocumentStatus { kOk, kFailed };

// Whether all of a document's chunks are stored. A big document is written in
// pieces (DocumentWrite::continues); until its last piece lands it is
// kPartial, and a partial document is invisible: searches, ChunkHits,
// FindBySha256 and StoreCounts::documents leave it out, so a reader never sees
// half a document, and an ingest run treats it as not yet stored.
enum class DocumentState { kComplete, kPartial };

// True for a database server location ("postgresql://..." or "postgres://..."),
// false for an embedded store file (a path or "sqlite://path").
inline bool IsServerDatabase(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

// One row of the documents table.
struct DocumentRecord {
  int64_t id = 0;  // assigned by the store
  std::string path;
  std::string sha256;
  int64_t bytes = 0;
  int pages = 0;
  DocumentKind kind = DocumentKind::kDigital;
  DocumentStatus status = DocumentStatus::kOk;
  std::string error;          // why it failed; empty when ok
  DocumentMetadata metadata;  // title, author, producer, creator, dates, page_count
  StageSeconds seconds;
  std::vector<int> pages_needing_ocr;   // 1-based
  std::vector<std::string> page_errors;  // "page 7: timeout: ..." for pages that failed alone
  // EmbedderIdentity::Key() of the vectors stored with its chunks; empty: none.
  std::string embedding_key;
  // Written as a whole, or by every piece of a streamed document; kPartial on
  // every piece but the last (failed records are always complete).
  DocumentState state = DocumentState::kComplete;
};

// One document's record from `docpipe extract` (docpipe/extract.h), kept per
// schema: a later extraction with the same schema replaces it.
struct StoredExtraction {
  int64_t document_id = 0;
  std::string schema_sha256;
  std::string model;
  std::string prompt_version;
  std::string status;  // "ok" or "failed"
  std::string record_json = "null";
  std::string evidence_json = "{}";
  std::string error;  // why, when failed
};

// A document and its chunks, written atomically; or one piece of a document
// streamed in several writes, each atomic on its own.
struct DocumentWrite {
  DocumentRecord record;
  std::vector<Chunk> chunks;
  // What was extracted from each chunk: empty, or exactly one result per chunk
  // in the order of `chunks` (anything else is kInvalidArgument). Stored with
  // the chunks in the same transaction and removed with them.
  std::vector<EnrichmentResult> enrichments;
  // Embeddings of the chunks. With an `embedder` named: exactly one row per
  // chunk in the order of `chunks`, of the embedder's dimension, stored with
  // the chunks and removed with them, and record.embedding_key set to the
  // embedder's key (also for a document without chunks, so it is not embedded
  // again). Without one: no vectors, and record.embedding_key empty.
  EmbeddingMatrix vectors;
  EmbedderIdentity embedder;
  // Streaming a big document: its first piece (continues == false) replaces
  // earlier records as a whole write does; each later piece (continues ==
  // true) adds its chunks to the partial document at record.path and rewrites
  // its record, and is kNotFound when no partial document of the same content is there
  // (another writer replaced it). Pieces carry the chunks' own ordinals.
  // record.state says whether more pieces follow. A run killed between pieces
  // leaves the document partial; the next write of its path, or a first
  // piece or whole write of the same content, replaces it.
  bool continues = false;
  // Ingest's "store this content once": when a successfully and completely
  // stored record of the same sha256 exists (another writer stored it, maybe
  // under another path, after this one's skip check), the write stores nothing
  // and record.id becomes that record's id. Decided inside the write
  // transaction, under a lock on the content (PostgreSQL) or the file's write
  // lock (SQLite), so two writers racing on copies of one file store it once,
  // with no error.
  bool unless_content_stored = false;
};

// An EnrichmentCache kept in the store, so that re-ingesting the same text
// never asks the LLM again, whichever document or run the text came from.
//
// Thread-safety: Get() and Put() may be called from any threads at once (it
// uses its own connection to the store, behind a mutex). Put() only queues the
// result in memory, where Get() already sees it; Flush() writes the queue in
// one transaction. The owner calls Flush() from time to time (the ingest
// pipeline does at every store batch) and at the end; the destructor flushes
// what is left and drops a write error, which costs repeated LLM calls later,
// never wrong data.
class StoreEnrichmentCache : public EnrichmentCache {
 public:
  virtual Status Flush() = 0;
  virtual size_t pending() const = 0;  // results queued, not yet flushed
};

// Which chunks a search may return; every condition given must hold.
struct SearchFilter {
  std::vector<int64_t> document_ids;  // any of these documents (all when empty)
  std::string path_glob;              // the document path matches this glob (* ? [..], as SQLite GLOB)
  // Tags the chunk carries, as (axis, label): "domain"/"task"/"modifier". All must be present.
  std::vector<std::pair<std::string, std::string>> tags;
  // true: only chunks that hold rows of a table (Chunk::has_table); false: only
  // chunks that hold none; unset: either.
  std::optional<bool> has_table;
  bool empty() const { return document_ids.empty() && path_glob.empty() && tags.empty() && !has_table; }
};

struct SearchOptions {
  int k = 10;
  int snippet_tokens = 24;  // words of context in the snippet
  std::string open_mark = "[";   // put around matched terms in the snippet
  std::string close_mark = "]";
  SearchFilter filter;
};

struct SearchHit {
  int64_t chunk_id = 0;
  int64_t document_id = 0;
  std::string path;
  std::string title;
  double score = 0;  // higher is better (BM25 negated by SQLite is flipped back)
  std::string snippet;
  std::string text;
  std::vector<std::string> heading_path;
  int page_start = 0, page_end = 0;
  bool has_table = false;    // the chunk holds rows of a table (Chunk::has_table)
  std::string table_header;  // Chunk::table_header: header rows of the table it continues
  std::vector<ChunkTable> tables;  // Chunk::tables: page, place on the page and caption of each table
};

// What identifies the set of vectors one embedder has in the store, cheaply:
// chunk ids are never reused, so any insertion or removal changes it. A
// vector index built from the store keeps the stamp it was built at.
struct VectorStamp {
  int64_t count = 0;
  int64_t max_chunk_id = 0;
  int64_t chunk_id_sum = 0;
  bool operator==(const VectorStamp&) const = default;
};

struct StoreCounts {
  int64_t documents = 0;          // stored successfully (status ok), all of them (state complete)
  int64_t partial_documents = 0;  // streamed documents whose last piece is not stored yet
  int64_t failed_documents = 0;  // records of documents that failed
  int64_t chunks = 0, runs = 0;
  int64_t vectors = 0;  // chunk embeddings, over all embedders
};

// One run as the store recorded it: its configuration when it began and its
// report when it finished (JSON texts); an unfinished run has empty
// finished_at and metrics_json (still running, or killed before the end).
struct RunRecord {
  int64_t id = 0;
  std::string started_at, finished_at;  // ISO 8601, UTC
  std::string config_json, metrics_json;
};

// A background job of the server (docs/server.md), kept in the store so that
// it outlives the process. `kind` names what runs it ("document": a file
// ingested; "extract": records extracted), `request_json` what to do, as that
// kind reads it; `result_json` its report so far. Times are ISO 8601, UTC,
// set by the store; started_at and finished_at are empty until then.
struct JobRecord {
  int64_t id = 0;
  std::string kind;
  std::string state;  // "queued", "running", "done", "failed" or "cancelled"
  std::string request_json = "{}";
  std::string result_json = "{}";
  std::string error;
  std::string created_at, updated_at, started_at, finished_at;
};

struct StoreOptions {
  bool create_if_missing = true;  // false: a missing database is kNotFound
  bool read_only = false;
  // How long a write waits for another writer (another process on the same
  // store) before giving up with kTimeout.
  int lock_timeout_ms = 15000;
  // PostgreSQL: connections the store, its readers and its enrichment cache
  // share (one writer, one reader and the cache need three; a fourth spares
  // the cache a wait). A lease waits up to lock_timeout_ms for a free one.
  int max_connections = 4;
};

class Store {
 public:
  // Opens or creates the store at `location`, migrating an older schema forward.
  // A file that is not a docpipe database is kCorrupt and left untouched; a
  // schema from a newer docpipe is kUnsupported, also untouched. A location
  // that cannot be written is kIoError naming it. A PostgreSQL server that
  // cannot be reached is kUnavailable (after the location's connect_timeout,
  // 10 s unless it sets one), wrong credentials kPermissionDenied.
  static Result<std::unique_ptr<Store>> Open(const std::string& location, const StoreOptions& options = {});
  // `location` as it may be shown or logged: a PostgreSQL password replaced by "***".
  static std::string DisplayLocation(const std::string& location);
  virtual ~Store() = default;

  // The stored record with this path, if any (partial or complete).
  virtual Result<std::optional<DocumentRecord>> FindByPath(const std::string& path) = 0;
  // The successfully and completely stored record with this content hash, if any.
  virtual Result<std::optional<DocumentRecord>> FindBySha256(const std::string& sha256) = 0;

  // Writes all documents in one transaction: all in or all out. A document
  // (or a streamed document's first piece) replaces any earlier record at the
  // same path and any failed or partial record with the same sha256, together
  // with their chunks. Assigns record ids.
  virtual Status PutDocuments(std::vector<DocumentWrite>& writes) = 0;

  // BM25 search over chunk text, within options.filter. An FTS query syntax
  // error is kInvalidArgument with a readable message.
  virtual Result<std::vector<SearchHit>> Search(const std::string& query, const SearchOptions& options) = 0;

  // Exact inner-product search over the vectors made by the embedder with this
  // key (EmbedderIdentity::Key()), within options.filter. Hits have the shape of Search()'s; the
  // snippet is the start of the chunk text. A query of another dimension is
  // kInvalidArgument; an embedder with no vectors here is kNotFound.
  virtual Result<std::vector<SearchHit>> VectorSearch(std::span<const float> query, const std::string& embedder_key,
                                                      const SearchOptions& options) = 0;

  // The embedders that have vectors in the store, with their sources.
  virtual Result<std::vector<EmbedderIdentity>> Embedders() = 0;

  // Calls `visit` with every vector made by the embedder with this key, in
  // chunk id order (for index builds). Vectors of partial documents are
  // included, so an index stays valid when such a document completes (the
  // stamp does not move then); ChunkHits leaves their chunks out until it does,
  // so a query through an index may return fewer than k hits meanwhile. An error from `visit` stops the walk
  // and is returned.
  using VectorVisitor = std::function<Status(int64_t chunk_id, std::span<const float> vector)>;
  virtual Status ForEachVector(const std::string& embedder_key, const VectorVisitor& visit) = 0;

  // The stamp of the embedder's vectors now (all zero when it has none).
  virtual Result<VectorStamp> StampOf(const std::string& embedder_key) = 0;

  // The chunks with these ids as search hits (score 0, snippet the leading
  // words), in the order given, leaving out ids that no longer exist or do
  // not pass options.filter. Used to complete hits found in a vector index.
  virtual Result<std::vector<SearchHit>> ChunkHits(std::span<const int64_t> chunk_ids,
                                                   const SearchOptions& options) = 0;

  // Chunks of one document in order.
  virtual Result<std::vector<Chunk>> ChunksOf(int64_t document_id) = 0;

  // What was extracted from the chunks of one document, one result per chunk
  // in chunk order (an empty result for a chunk with nothing stored). Each
  // result's id is the chunk's ordinal; its source, producer and prompt
  // version are those of the chunk's tag rows (else its entity rows).
  virtual Result<std::vector<EnrichmentResult>> EnrichmentsOf(int64_t document_id) = 0;

  // Another connection to the same store, read-only, for a second thread
  // (readers never wait for the writer, and the writer never waits for them).
  virtual Result<std::unique_ptr<Store>> OpenReader() const = 0;
  // Another writer to the same store, on connections of its own, for writing
  // from a second thread at the same time (ingest's --db-writers). PostgreSQL
  // writes concurrently; SQLite takes one writer at a time, so the second waits.
  virtual Result<std::unique_ptr<Store>> OpenWriter() const = 0;

  // A bulk load: from BeginBulkLoad() until FinishBulkLoad(), by this and any
  // other writer, chunks go in without their full-text index, which is built
  // once, in one pass, by the last bulk loader to finish (PostgreSQL; SQLite
  // does nothing). Search stays exact meanwhile (it reads the rows, only
  // slower). A bulk loader that was killed leaves the index to the next
  // store opened for writing or the next loader's finish. Writers that are not
  // bulk loading wait while the index is built.
  virtual Status BeginBulkLoad() = 0;
  virtual Status FinishBulkLoad() = 0;

  // The store's enrichment cache, on a connection of its own. A read-only
  // store is kInvalidArgument.
  virtual Result<std::unique_ptr<StoreEnrichmentCache>> OpenEnrichmentCache() = 0;

  // A run: its configuration at the start, its metrics at the end (JSON texts).
  virtual Result<int64_t> BeginRun(const std::string& config_json) = 0;
  virtual Status FinishRun(int64_t run_id, const std::string& metrics_json) = 0;
  // The latest `limit` runs, newest first.
  virtual Result<std::vector<RunRecord>> Runs(int64_t limit) = 0;

  virtual Result<StoreCounts> Counts() = 0;
  // The database engine behind this store and its version, as shown to
  // operators: "sqlite 3.40.1", "postgresql 15.5".
  virtual Result<std::string> Engine() = 0;

  // Extraction records (table extraction_records, keyed by document and schema
  // hash; they go with their document). PutExtraction replaces the row for
  // the same (document_id, schema_sha256); a document that does not exist is
  // kNotFound. ExtractionsOf lists a document's records by schema hash.
  virtual Status PutExtraction(const StoredExtraction& extraction) = 0;
  virtual Result<std::vector<StoredExtraction>> ExtractionsOf(int64_t document_id) = 0;
  // The successfully stored documents in id order, with id, path and sha256
  // set (the other fields left default): what `extract --db` walks.
  virtual Result<std::vector<DocumentRecord>> ListDocuments() = 0;

  // Server jobs (table jobs). AddJob stores a queued job and returns its id;
  // ids are never handed out twice. UpdateJob sets a job's state, result and
  // error (kNotFound for no such job, kInvalidArgument for a state not listed
  // in JobRecord or a result that is not JSON); started_at is stamped when it
  // becomes running, finished_at when it becomes done, failed or cancelled.
  // FindJob is nullopt for no such job. UnfinishedJobs: the queued and running
  // jobs of one kind, in id order (a server starting up queues them again).
  virtual Result<int64_t> AddJob(const std::string& kind, const std::string& request_json) = 0;
  virtual Status UpdateJob(int64_t id, const std::string& state, const std::string& result_json,
                           const std::string& error) = 0;
  virtual Result<std::optional<JobRecord>> FindJob(int64_t id) = 0;
  virtual Result<std::vector<JobRecord>> UnfinishedJobs(const std::string& kind) = 0;
  // Takes over jobs kept elsewhere by an earlier server, with their ids, in
  // one transaction: a job whose id the store already holds is left as it is,
  // and AddJob's later ids come after every imported one. Kind, state, request,
  // result, error and the two times created_at / updated_at are stored as
  // given (started_at and finished_at stay empty); kInvalidArgument, storing
  // none, for a state JobRecord does not list or a request or result that is
  // not JSON.
  virtual Status ImportJobs(const std::vector<JobRecord>& jobs) = 0;
};

}  // namespace docpipe
