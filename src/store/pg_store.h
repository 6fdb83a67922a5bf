// The server backend of Store: a PostgreSQL database reached through libpq.
//
// Thread-safety: as Store, one thread at a time per object. The connection
// pool is shared with the readers (OpenReader) and the enrichment cache this
// store opens; every method leases a connection for its own duration, so any
// number of processes and machines may write the same database at once.
//
// Writes: one transaction per PutDocuments call; chunks, tags and entities go
// in with binary COPY. Writers of the same path take a transaction-level
// advisory lock on it, so concurrent writers of the same document replace one
// another in turn and never leave two copies or fail on the unique path. A
// batch that loses its connection (or hits a deadlock) is retried whole on a
// fresh connection; it is all in or all out either way.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "docpipe/store.h"
#include "store/pg_pool.h"

namespace docpipe::store {

class PgStore final : public Store {
 public:
  // Opens the store in the database at `location` ("postgresql://..."),
  // migrating its schema forward; see Store::Open for the rules.
  static Result<std::unique_ptr<PgStore>> Make(const std::string& location, const StoreOptions& options);

  PgStore(std::shared_ptr<PgPool> pool, bool read_only) : pool_(std::move(pool)), read_only_(read_only) {}

  Result<std::optional<DocumentRecord>> FindByPath(const std::string& path) override;
  Result<std::optional<DocumentRecord>> FindBySha256(const std::string& sha256) override;
  Status PutDocuments(std::vector<DocumentWrite>& writes) override;
  Result<std::vector<SearchHit>> Search(const std::string& query, const SearchOptions& options) override;
  Result<std::vector<SearchHit>> VectorSearch(std::span<const float> query, const std::string& embedder_key,
                                              const SearchOptions& options) override;
  Result<std::vector<EmbedderIdentity>> Embedders() override;
  Status ForEachVector(const std::string& embedder_key, const VectorVisitor& visit) override;
  Result<VectorStamp> StampOf(const std::string& embedder_key) override;
  Result<std::vector<SearchHit>> ChunkHits(std::span<const int64_t> chunk_ids, const SearchOptions& options) override;
  Result<std::vector<Chunk>> ChunksOf(int64_t document_id) override;
  Result<std::vector<EnrichmentResult>> EnrichmentsOf(int64_t document_id) override;
  Result<std::unique_ptr<Store>> OpenReader() const override;
  Result<std::unique_ptr<Store>> OpenWriter() const override;
  Status BeginBulkLoad() override;  // pg_bulk_load.cc
  Status FinishBulkLoad() override;
  Result<std::unique_ptr<StoreEnrichmentCache>> OpenEnrichmentCache() override;
  Result<int64_t> BeginRun(const std::string& config_json) override;
  Status FinishRun(int64_t run_id, const std::string& metrics_json) override;
  Result<std::vector<RunRecord>> Runs(int64_t limit) override;
  Result<StoreCounts> Counts() override;
  Result<std::string> Engine() override;
  Status PutExtraction(const StoredExtraction& extraction) override;
  Result<std::vector<StoredExtraction>> ExtractionsOf(int64_t document_id) override;
  Result<std::vector<DocumentRecord>> ListDocuments() override;
  Result<int64_t> AddJob(const std::string& kind, const std::string& request_json) override;
  Status UpdateJob(int64_t id, const std::string& state, const std::string& result_json,
                   const std::string& error) override;
  Result<std::optional<JobRecord>> FindJob(int64_t id) override;
  Result<std::vector<JobRecord>> UnfinishedJobs(const std::string& kind) override;
  Status ImportJobs(const std::vector<JobRecord>& jobs) override;

  // Called inside each write transaction after the data went in and before
  // COMMIT, with the connection's server process id, so that tests can cut
  // the connection at the worst moment. Attempts made by the last PutDocuments.
  void SetBeforeCommitForTesting(std::function<void(int backend_pid)> hook) { before_commit_ = std::move(hook); }
  int last_write_attempts() const { return last_write_attempts_; }

 private:
  Status CheckWritable() const;
  // One attempt at the whole batch on one connection; fills `ids` on success.
  Status WriteBatch(PgConn& conn, const std::vector<DocumentWrite>& writes, std::vector<int64_t>& ids);
  // The batch's document rows, replacing what they replace; `ids` in order.
  // In turn, `replaced` marks the writes a later write of the batch replaced;
  // a streamed document's later piece continues the record it names instead.
  Status WriteDocumentsInTurn(PgConn& conn, const std::vector<DocumentWrite>& writes, std::vector<int64_t>& ids,
                              std::vector<bool>& replaced);
  Status WriteDocumentsPipelined(PgConn& conn, const std::vector<DocumentWrite>& writes, std::vector<int64_t>& ids);
  // The chunks of `writes` and their tag, entity and vector rows.
  Status WriteChunkRows(PgConn& conn, const std::vector<DocumentWrite>& writes,
                        const std::vector<int64_t>& document_ids);
  Status CopyChunks(PgConn& conn, const std::vector<DocumentWrite>& writes, const std::vector<int64_t>& document_ids,
                    const std::vector<int64_t>& chunk_ids);
  // Tag and entity rows of the batch's chunks (pg_enrichment.cc).
  Status CopyEnrichments(PgConn& conn, const std::vector<DocumentWrite>& writes,
                         const std::vector<int64_t>& chunk_ids);
  // Chunk vectors of the batch, and their embedder rows (pg_vectors.cc).
  Status CopyVectors(PgConn& conn, const std::vector<DocumentWrite>& writes, const std::vector<int64_t>& chunk_ids);
  // The id and dimension of the embedder with this key; kNotFound when none.
  Result<std::pair<int64_t, size_t>> FindEmbedder(PgConn& conn, const std::string& key);
  // The chunks with these ids that pass options.filter, as hits in the given order.
  Result<std::vector<SearchHit>> Hits(PgConn& conn, std::span<const int64_t> chunk_ids, const SearchOptions& options);
  Result<std::optional<DocumentRecord>> FindOne(const char* sql, const std::string& key);
  // Whether a streamed document is stored only in part (its chunks must be
  // left out of an unfiltered vector search).
  Result<bool> HasPartialDocuments(PgConn& conn);

  // For each write asking to be stored unless its content is, the id of the
  // visible record that holds its content already (0: none, or not asked).
  // Runs under the batch's locks, which cover those contents.
  Result<std::vector<int64_t>> StoredCopies(PgConn& conn, const std::vector<DocumentWrite>& writes);
  // The batch's writes, once its locks are held; `ids` in order.
  Status WriteLocked(PgConn& conn, const std::vector<DocumentWrite>& writes, std::vector<int64_t>& ids);

  std::shared_ptr<PgPool> pool_;
  bool read_only_;
  // While bulk loading: the session that holds this process's share of the
  // bulk-load lock (pg_bulk_load.cc).
  std::unique_ptr<PgConn> bulk_session_;
  std::function<void(int)> before_commit_;
  int last_write_attempts_ = 0;
};

// Checks one write before anything is sent: CheckDocumentWrite() and
// distinct chunk ordinals.
Status ValidateWrite(const DocumentWrite& write);

// Builds the chunks' full-text index when it is missing and no bulk loader is
// loading (pg_bulk_load.cc): at the end of a bulk load, and on opening a store
// for writing after a bulk loader was killed.
Status PgBuildSearchIndexIfDone(PgConn& conn);

}  // namespace docpipe::store
