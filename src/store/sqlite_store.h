// The embedded backend of Store: one SQLite file in WAL mode with FTS5.
//
// Thread-safety: as Store, one thread at a time per object. Several objects,
// in this process or others, may open the same file; writers take turns
// (BEGIN IMMEDIATE, waiting up to StoreOptions::lock_timeout_ms), readers never
// block the writer.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>

#include "docpipe/store.h"
#include "store/sqlite_checkpointer.h"
#include "store/sqlite_db.h"

namespace docpipe::store {

class SqliteStore final : public Store {
 public:
  // Opens or creates the store file at `path`; see Store::Open for the rules.
  static Result<std::unique_ptr<SqliteStore>> Make(const std::string& path, const StoreOptions& options);

  SqliteStore(std::unique_ptr<SqliteDb> db, bool read_only, int lock_timeout_ms)
      : db_(std::move(db)), read_only_(read_only), lock_timeout_ms_(lock_timeout_ms) {}

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
  // Its FTS5 index is written within each transaction; nothing is deferred.
  Status BeginBulkLoad() override { return CheckWritable(); }
  Status FinishBulkLoad() override { return Status::Ok(); }
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

  // Caps the file at `max_pages` database pages, so that tests can provoke
  // the "disk full" path without filling a disk.
  Status LimitPagesForTesting(int64_t max_pages);
  // Checkpoints run by this writer's checkpointer so far; -1 without one.
  int CheckpointsForTesting() const { return checkpointer_ ? checkpointer_->checkpoints() : -1; }

 private:
  Status CheckWritable() const;
  // Writes one document and its chunks inside the caller's transaction.
  Result<int64_t> WriteDocument(const DocumentWrite& write);
  // A whole document or a first piece: replaces what it replaces, inserts the record.
  Result<int64_t> ReplaceDocument(const DocumentWrite& write);
  // A later piece of a streamed document: updates the partial record.
  Result<int64_t> ContinueDocument(const DocumentWrite& write);
  Status WriteChunks(int64_t document_id, const DocumentWrite& write, int64_t embedder_id);
  // Whether a streamed document is stored only in part (its chunks must be
  // left out of an unfiltered vector search).
  Result<bool> HasPartialDocuments();
  // Vectors (sqlite_vectors.cc): the row id of an embedder, added when new;
  // one chunk's vector.
  Result<int64_t> EmbedderId(const EmbedderIdentity& embedder);
  Status WriteVector(int64_t chunk_id, int64_t embedder_id, std::span<const float> vector);
  // The embedder row with this key: id and dimension; kNotFound when absent.
  Result<std::pair<int64_t, size_t>> FindEmbedder(const std::string& key);
  // A chunk as a search hit (score left 0) with its leading words as snippet;
  // nothing when it does not exist or does not pass options.filter.
  Result<std::optional<SearchHit>> ChunkHit(int64_t chunk_id, const SearchOptions& options);
  // Tag and entity rows of one chunk (sqlite_enrichment.cc).
  Status WriteEnrichment(int64_t chunk_id, const EnrichmentResult& result);
  Result<std::optional<DocumentRecord>> FindOne(const char* sql, const std::string& key);

  std::unique_ptr<SqliteDb> db_;
  // A writable store's checkpoints (null: SQLite's own, in the commits).
  // After db_: stopped before the writer's connection closes.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  bool read_only_;
  int lock_timeout_ms_;
  // StampOf's answers, valid while the file's data_version (other
  // connections' commits) and own_writes_ (this one's) stay as they were.
  struct CachedStamp {
    int64_t data_version = 0;
    int64_t own_writes = 0;
    VectorStamp stamp;
  };
  std::unordered_map<std::string, CachedStamp> stamps_;
  int64_t own_writes_ = 0;
};

}  // namespace docpipe::store
