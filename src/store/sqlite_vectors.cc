// SqliteStore's vectors: embedder rows, chunk vectors, and exact inner-product
// search over them.
#include <algorithm>
#include <bit>
#include <cstring>
#include <queue>
#include <unordered_set>

#include <fmt/format.h>

#include "store/record_json.h"
#include "store/sqlite_filter.h"
#include "store/sqlite_store.h"
#include "store/vector_math.h"

namespace docpipe::store {
namespace {

// Vectors are stored as the host's float32 bytes; the format says little-endian.
static_assert(std::endian::native == std::endian::little, "chunk_vectors blobs are float32 little-endian");

constexpr const char* kSelectEmbedder = "SELECT id, dimension FROM embedders WHERE key = ?1";
constexpr const char* kInsertEmbedder =
    "INSERT INTO embedders(key, name, dimension, weights_hash, normalized, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
// A newer source (the model moved, or came from another folder) replaces the old.
constexpr const char* kUpdateSource = "UPDATE embedders SET source = ?2 WHERE id = ?1 AND source <> ?2";
constexpr const char* kInsertVector = "INSERT INTO chunk_vectors(chunk_id, embedder_id, vector) VALUES (?1, ?2, ?3)";
constexpr const char* kScanVectors =
    "SELECT chunk_id, vector FROM chunk_vectors WHERE embedder_id = ?1 ORDER BY chunk_id";
constexpr const char* kSelectEmbedders =
    "SELECT e.name, e.dimension, e.weights_hash, e.normalized, e.source FROM embedders e "
    "WHERE EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.embedder_id = e.id) ORDER BY e.id";
constexpr const char* kSelectHit =
    "SELECT c.id, c.document_id, d.path, coalesce(json_extract(d.metadata, '$.title'), ''), c.text, "
    "c.heading_path, c.page_start, c.page_end, c.has_table, c.table_header, c.tables "
    "FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?1 AND" DOCPIPE_FILTER_SQL;
// The chunks a filter lets through, for exact search with a filter.
constexpr const char* kFilteredChunks =
    "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE" DOCPIPE_FILTER_SQL;
constexpr const char* kStamp =
    "SELECT count(*), coalesce(max(chunk_id), 0), coalesce(sum(chunk_id), 0) FROM chunk_vectors "
    "WHERE embedder_id = ?1";

}  // namespace

Result<std::pair<int64_t, size_t>> SqliteStore::FindEmbedder(const std::string& key) {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(kSelectEmbedder));
  select->BindText(1, key);
  DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
  if (!row) return Status::NotFound(fmt::format("{}: no vectors made by embedder {}", db_->path(), key));
  return std::pair<int64_t, size_t>(select->ColumnInt(0), static_cast<size_t>(select->ColumnInt(1)));
}

Result<int64_t> SqliteStore::EmbedderId(const EmbedderIdentity& embedder) {
  const std::string key = embedder.Key();
  Result<std::pair<int64_t, size_t>> found = FindEmbedder(key);
  if (found.ok()) {
    DOCPIPE_ASSIGN_OR_RETURN(StatementLease update, db_->Prepare(kUpdateSource));
    update->BindInt(1, found->first);
    update->BindText(2, embedder.source);
    DOCPIPE_RETURN_IF_ERROR(update->Run());
    return found->first;
  }
  if (found.status().code() != StatusCode::kNotFound) return found.status();
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease insert, db_->Prepare(kInsertEmbedder));
  insert->BindText(1, key);
  insert->BindText(2, embedder.name);
  insert->BindInt(3, static_cast<int64_t>(embedder.dimension));
  insert->BindText(4, embedder.weights_hash);
  insert->BindInt(5, embedder.normalized ? 1 : 0);
  insert->BindText(6, embedder.source);
  DOCPIPE_RETURN_IF_ERROR(insert->Run());
  return sqlite3_last_insert_rowid(db_->handle());
}

Status SqliteStore::WriteVector(int64_t chunk_id, int64_t embedder_id, std::span<const float> vector) {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease insert, db_->Prepare(kInsertVector));
  insert->BindInt(1, chunk_id);
  insert->BindInt(2, embedder_id);
  insert->BindBlob(3, vector.data(), vector.size_bytes());
  return insert->Run();
}

Status SqliteStore::ForEachVector(const std::string& embedder_key, const VectorVisitor& visit) {
  DOCPIPE_ASSIGN_OR_RETURN(auto embedder, FindEmbedder(embedder_key));
  const auto [embedder_id, dimension] = embedder;
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease scan, db_->Prepare(kScanVectors));
  scan->BindInt(1, embedder_id);
  std::vector<float> vector(dimension);
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(bool row, scan->Step());
    if (!row) return Status::Ok();
    const int64_t chunk_id = scan->ColumnInt(0);
    std::span<const unsigned char> bytes = scan->ColumnBlob(1);
    if (bytes.size() != dimension * sizeof(float)) {
      return Status::Corrupt(fmt::format("{}: the vector of chunk {} has {} bytes, expected {}", db_->path(),
                                         chunk_id, bytes.size(), dimension * sizeof(float)));
    }
    // SQLite gives no alignment guarantee for blobs: copy into aligned floats.
    std::memcpy(vector.data(), bytes.data(), bytes.size());
    DOCPIPE_RETURN_IF_ERROR(visit(chunk_id, vector));
  }
}

Result<std::vector<SearchHit>> SqliteStore::VectorSearch(std::span<const float> query,
                                                         const std::string& embedder_key,
                                                         const SearchOptions& options) {
  if (options.k < 0) return Status::InvalidArgument("search k must not be negative");
  DOCPIPE_ASSIGN_OR_RETURN(auto embedder, FindEmbedder(embedder_key));
  if (query.size() != embedder.second) {
    return Status::InvalidArgument(fmt::format("the query vector has dimension {}, the stored vectors {}",
                                               query.size(), embedder.second));
  }
  std::vector<SearchHit> hits;
  if (options.k == 0) return hits;
  std::unordered_set<int64_t> allowed;
  // Chunks of partial documents are left out like those a filter excludes;
  // the cheap check first spares the usual unfiltered search the chunk list.
  DOCPIPE_ASSIGN_OR_RETURN(bool partial, HasPartialDocuments());
  const bool filtered = !options.filter.empty() || partial;
  if (filtered) {
    DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(kFilteredChunks));
    BoundFilter bound;
    BindFilter(*select, options.filter, bound);
    while (true) {
      DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
      if (!row) break;
      allowed.insert(select->ColumnInt(0));
    }
  }
  BestK best(options.k);
  DOCPIPE_RETURN_IF_ERROR(ForEachVector(embedder_key, [&](int64_t chunk_id, std::span<const float> vector) {
    if (filtered && !allowed.contains(chunk_id)) return Status::Ok();
    best.Offer(InnerProduct(query, vector), chunk_id);
    return Status::Ok();
  }));
  for (const ScoredChunk& scored : best.Take()) {
    DOCPIPE_ASSIGN_OR_RETURN(std::optional<SearchHit> hit, ChunkHit(scored.chunk_id, options));
    if (!hit) return Status::Internal(fmt::format("{}: chunk {} has a vector but no row", db_->path(), scored.chunk_id));
    hit->score = scored.score;
    hits.push_back(std::move(*hit));
  }
  return hits;
}

Result<std::vector<SearchHit>> SqliteStore::ChunkHits(std::span<const int64_t> chunk_ids,
                                                      const SearchOptions& options) {
  std::vector<SearchHit> hits;
  for (int64_t chunk_id : chunk_ids) {
    DOCPIPE_ASSIGN_OR_RETURN(std::optional<SearchHit> hit, ChunkHit(chunk_id, options));
    if (hit) hits.push_back(std::move(*hit));
  }
  return hits;
}

Result<VectorStamp> SqliteStore::StampOf(const std::string& embedder_key) {
  // Counting the vectors reads the whole embedder's index (tens of ms at
  // 100,000 vectors), and a server asks before every vector query. SQLite's
  // data_version changes when another connection commits to the file; this
  // connection's own writes are counted in own_writes_. Neither moved: the
  // stamp cannot have either.
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease version_query, db_->Prepare("PRAGMA data_version"));
  DOCPIPE_ASSIGN_OR_RETURN(bool has_version, version_query->Step());
  const int64_t data_version = has_version ? version_query->ColumnInt(0) : -1;
  const auto cached = stamps_.find(embedder_key);
  if (cached != stamps_.end() && has_version && cached->second.data_version == data_version &&
      cached->second.own_writes == own_writes_) {
    return cached->second.stamp;
  }
  VectorStamp stamp;
  Result<std::pair<int64_t, size_t>> embedder = FindEmbedder(embedder_key);
  if (!embedder.ok() && embedder.status().code() != StatusCode::kNotFound) return embedder.status();
  if (embedder.ok()) {
    DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(kStamp));
    select->BindInt(1, embedder->first);
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (row) stamp = VectorStamp{select->ColumnInt(0), select->ColumnInt(1), select->ColumnInt(2)};
  }
  stamps_[embedder_key] = CachedStamp{data_version, own_writes_, stamp};
  return stamp;
}

Result<std::optional<SearchHit>> SqliteStore::ChunkHit(int64_t chunk_id, const SearchOptions& options) {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(kSelectHit));
  select->BindInt(1, chunk_id);
  BoundFilter bound;
  BindFilter(*select, options.filter, bound);
  DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
  if (!row) return std::optional<SearchHit>();
  SearchHit hit;
  hit.chunk_id = select->ColumnInt(0);
  hit.document_id = select->ColumnInt(1);
  hit.path = select->ColumnText(2);
  hit.title = select->ColumnText(3);
  hit.text = select->ColumnText(4);
  DOCPIPE_ASSIGN_OR_RETURN(hit.heading_path, StringsFromJson(select->ColumnText(5)));
  hit.page_start = static_cast<int>(select->ColumnInt(6));
  hit.page_end = static_cast<int>(select->ColumnInt(7));
  hit.has_table = select->ColumnInt(8) != 0;
  hit.table_header = select->ColumnText(9);
  DOCPIPE_ASSIGN_OR_RETURN(hit.tables, TablesFromJson(select->ColumnText(10)));
  hit.snippet = LeadingWords(hit.text, options.snippet_tokens);
  return std::optional<SearchHit>(std::move(hit));
}

Result<std::vector<EmbedderIdentity>> SqliteStore::Embedders() {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(kSelectEmbedders));
  std::vector<EmbedderIdentity> embedders;
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) return embedders;
    EmbedderIdentity identity;
    identity.name = select->ColumnText(0);
    identity.dimension = static_cast<size_t>(select->ColumnInt(1));
    identity.weights_hash = select->ColumnText(2);
    identity.normalized = select->ColumnInt(3) != 0;
    identity.source = select->ColumnText(4);
    embedders.push_back(std::move(identity));
  }
}

}  // namespace docpipe::store
