// PgStore's vectors: embedder rows, chunk vectors copied in with their chunks,
// and exact inner-product search.
//
// The search runs in this process over vectors streamed from the server in
// binary (a cursor, 4096 rows per fetch), not inside PostgreSQL: the vectors
// are plain float32 bytea (the format every backend shares, readable without
// an extension such as pgvector, which Debian's PostgreSQL 15 does not ship by
// default), and decoding bytea floats in SQL or PL/pgSQL is far slower than the
// vectorised InnerProduct() here. Exact search is meant for small collections;
// large ones go through the ANN index, whose builds read the same stream
// (ForEachVector).
#include <algorithm>
#include <bit>
#include <cstring>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "store/pg_filter.h"
#include "store/pg_store.h"
#include "store/record_json.h"
#include "store/vector_math.h"

namespace docpipe::store {
namespace {

static_assert(std::endian::native == std::endian::little, "chunk_vectors values are float32 little-endian");

constexpr const char* kSelectEmbedder = "SELECT id, dimension, source FROM embedders WHERE key = $1";
// Another writer may insert the same embedder at the same moment: DO NOTHING
// and read it back then. A plain upsert would lock the row for the rest of
// every writer's transaction and make concurrent writers take turns.
constexpr const char* kInsertEmbedder =
    "INSERT INTO embedders(key, name, dimension, weights_hash, normalized, source) VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (key) DO NOTHING RETURNING id";
// A newer source (the model moved, or came from another folder) replaces the old.
constexpr const char* kUpdateSource = "UPDATE embedders SET source = $2 WHERE id = $1";
constexpr const char* kCopyVectors = "COPY chunk_vectors(chunk_id, embedder_id, vector) FROM STDIN (FORMAT binary)";
constexpr const char* kDeclareScan =
    "DECLARE docpipe_vectors NO SCROLL CURSOR FOR "
    "SELECT chunk_id, vector FROM chunk_vectors WHERE embedder_id = $1 ORDER BY chunk_id";
constexpr const char* kFetchScan = "FETCH 4096 FROM docpipe_vectors";
constexpr const char* kSelectEmbedders =
    "SELECT e.name, e.dimension, e.weights_hash, e.normalized, e.source FROM embedders e "
    "WHERE EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.embedder_id = e.id) ORDER BY e.id";
// {} is the filter's conditions.
constexpr const char* kSelectHits =
    "SELECT c.id, c.document_id, d.path, coalesce(d.metadata->>'title', ''), c.text, c.heading_path::text, "
    "c.page_start, c.page_end, c.has_table::int, c.table_header, c.tables::text "
    "FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ANY($1::bigint[]){}";
constexpr const char* kFilteredChunks = "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE true{}";
// Kept in the embedder's row by triggers (schema version 7, pg_schema.cc).
constexpr const char* kStamp =
    "SELECT vector_count, vector_max_chunk_id, vector_chunk_id_sum FROM embedders WHERE key = $1";

// The embedder's id, inserting its row when it is new.
Result<int64_t> EmbedderId(PgConn& conn, const EmbedderIdentity& embedder) {
  const std::string key = PgText(embedder.Key());
  const std::string source = PgText(embedder.source);
  for (int attempt = 0; attempt < 2; ++attempt) {
    DOCPIPE_ASSIGN_OR_RETURN(PgRows found, conn.Exec(kSelectEmbedder, {key}));
    if (found.size() > 0) {
      const int64_t id = found.Int(0, 0);
      if (found.Text(0, 2) != source) {
        DOCPIPE_RETURN_IF_ERROR(conn.Exec(kUpdateSource, {std::to_string(id), source}).status());
      }
      return id;
    }
    DOCPIPE_ASSIGN_OR_RETURN(
        PgRows inserted,
        conn.Exec(kInsertEmbedder, {key, PgText(embedder.name), std::to_string(embedder.dimension),
                                    PgText(embedder.weights_hash), embedder.normalized ? "true" : "false", source}));
    if (inserted.size() > 0) return inserted.Int(0, 0);
  }
  return Status::Internal("the embedder row " + key + " was neither found nor inserted");
}

// Streams the vectors of one embedder through `visit` on `conn`, in chunk id order.
Status WalkVectors(PgConn& conn, int64_t embedder_id, size_t dimension, const Store::VectorVisitor& visit) {
  // A cursor needs a transaction; it reads one snapshot from start to end.
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<PgTransaction> transaction, PgTransaction::Begin(conn));
  DOCPIPE_RETURN_IF_ERROR(conn.Exec(kDeclareScan, {std::to_string(embedder_id)}).status());
  std::vector<float> vector(dimension);
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn.Exec(kFetchScan, {}, /*binary_results=*/true));
    if (rows.size() == 0) break;
    for (int row = 0; row < rows.size(); ++row) {
      const int64_t chunk_id = rows.BinaryInt64(row, 0);
      const std::string_view bytes = rows.Raw(row, 1);
      if (bytes.size() != dimension * sizeof(float)) {
        return Status::Corrupt(fmt::format("{}: the vector of chunk {} has {} bytes, expected {}", conn.location(),
                                           chunk_id, bytes.size(), dimension * sizeof(float)));
      }
      // libpq gives no alignment guarantee for values: copy into aligned floats.
      std::memcpy(vector.data(), bytes.data(), bytes.size());
      DOCPIPE_RETURN_IF_ERROR(visit(chunk_id, vector));
    }
  }
  return transaction->Commit();
}

}  // namespace

Result<std::pair<int64_t, size_t>> PgStore::FindEmbedder(PgConn& conn, const std::string& key) {
  DOCPIPE_ASSIGN_OR_RETURN(PgRows found, conn.Exec(kSelectEmbedder, {PgText(key)}));
  if (found.size() == 0) {
    return Status::NotFound(fmt::format("{}: no vectors made by embedder {}", pool_->shown_location(), key));
  }
  return std::pair<int64_t, size_t>(found.Int(0, 0), static_cast<size_t>(found.Int(0, 1)));
}

Status PgStore::CopyVectors(PgConn& conn, const std::vector<DocumentWrite>& writes,
                            const std::vector<int64_t>& chunk_ids) {
  std::unordered_map<std::string, int64_t> embedder_ids;
  std::vector<int64_t> per_write(writes.size(), 0);
  for (size_t w = 0; w < writes.size(); ++w) {
    if (writes[w].vectors.rows == 0) continue;
    const std::string key = writes[w].embedder.Key();
    auto it = embedder_ids.find(key);
    if (it == embedder_ids.end()) {
      DOCPIPE_ASSIGN_OR_RETURN(int64_t id, EmbedderId(conn, writes[w].embedder));
      it = embedder_ids.emplace(key, id).first;
    }
    per_write[w] = it->second;
  }
  if (embedder_ids.empty()) return Status::Ok();

  size_t write = 0, row = 0, next_id = 0;
  bool header = true;
  auto produce = [&](std::string& out) -> Result<bool> {
    if (header) PgCopyEncoder::Header(out);
    header = false;
    for (; write < writes.size(); ++write, row = 0) {
      const DocumentWrite& w = writes[write];
      if (per_write[write] == 0) {
        next_id += w.chunks.size() - row;
        continue;
      }
      for (; row < w.chunks.size(); ++row) {
        if (out.size() >= (1u << 20)) return true;
        const std::span<const float> vector = w.vectors.Row(row);
        PgCopyEncoder::Row(out, 3);
        PgCopyEncoder::Int64(out, chunk_ids[next_id++]);
        PgCopyEncoder::Int64(out, per_write[write]);
        PgCopyEncoder::Bytes(out, std::string_view(reinterpret_cast<const char*>(vector.data()), vector.size_bytes()));
      }
    }
    PgCopyEncoder::Trailer(out);
    return false;
  };
  return conn.Copy(kCopyVectors, produce);
}

Status PgStore::ForEachVector(const std::string& embedder_key, const VectorVisitor& visit) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(auto embedder, FindEmbedder(*conn, embedder_key));
  return WalkVectors(*conn, embedder.first, embedder.second, visit);
}

Result<std::vector<SearchHit>> PgStore::VectorSearch(std::span<const float> query, const std::string& embedder_key,
                                                     const SearchOptions& options) {
  if (options.k < 0) return Status::InvalidArgument("search k must not be negative");
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(auto embedder, FindEmbedder(*conn, embedder_key));
  if (query.size() != embedder.second) {
    return Status::InvalidArgument(fmt::format("the query vector has dimension {}, the stored vectors {}",
                                               query.size(), embedder.second));
  }
  if (options.k == 0) return std::vector<SearchHit>();
  std::unordered_set<int64_t> allowed;
  // Chunks of partial documents are left out like those a filter excludes;
  // the cheap check first spares the usual unfiltered search the chunk list.
  DOCPIPE_ASSIGN_OR_RETURN(bool partial, HasPartialDocuments(*conn));
  const bool filtered = !options.filter.empty() || partial;
  if (filtered) {
    PgParams params;
    const std::string sql = fmt::format(kFilteredChunks, PgFilterSql(options.filter, params));
    DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn->Exec(sql, params));
    for (int row = 0; row < rows.size(); ++row) allowed.insert(rows.Int(row, 0));
  }
  BestK best(options.k);
  DOCPIPE_RETURN_IF_ERROR(
      WalkVectors(*conn, embedder.first, embedder.second, [&](int64_t chunk_id, std::span<const float> vector) {
        if (filtered && !allowed.contains(chunk_id)) return Status::Ok();
        best.Offer(InnerProduct(query, vector), chunk_id);
        return Status::Ok();
      }));
  std::vector<int64_t> ids;
  std::unordered_map<int64_t, double> scores;
  for (const ScoredChunk& scored : best.Take()) {
    ids.push_back(scored.chunk_id);
    scores[scored.chunk_id] = scored.score;
  }
  // A chunk whose document was replaced since the scan is left out.
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, Hits(*conn, ids, options));
  for (SearchHit& hit : hits) hit.score = scores[hit.chunk_id];
  return hits;
}

Result<std::vector<SearchHit>> PgStore::Hits(PgConn& conn, std::span<const int64_t> chunk_ids,
                                             const SearchOptions& options) {
  std::vector<SearchHit> hits;
  if (chunk_ids.empty()) return hits;
  std::string ids = "{";
  for (int64_t id : chunk_ids) ids += (ids.size() > 1 ? "," : "") + std::to_string(id);
  PgParams params = {ids + "}"};
  const std::string sql = fmt::format(kSelectHits, PgFilterSql(options.filter, params));
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn.Exec(sql, params));
  std::unordered_map<int64_t, int> row_of;
  for (int row = 0; row < rows.size(); ++row) row_of[rows.Int(row, 0)] = row;
  for (int64_t chunk_id : chunk_ids) {
    auto it = row_of.find(chunk_id);
    if (it == row_of.end()) continue;  // gone, or not let through by the filter
    const int row = it->second;
    SearchHit hit;
    hit.chunk_id = chunk_id;
    hit.document_id = rows.Int(row, 1);
    hit.path = rows.Text(row, 2);
    hit.title = rows.Text(row, 3);
    hit.text = rows.Text(row, 4);
    DOCPIPE_ASSIGN_OR_RETURN(hit.heading_path, StringsFromJson(rows.Text(row, 5)));
    hit.page_start = static_cast<int>(rows.Int(row, 6));
    hit.page_end = static_cast<int>(rows.Int(row, 7));
    hit.has_table = rows.Int(row, 8) != 0;
    hit.table_header = rows.Text(row, 9);
    DOCPIPE_ASSIGN_OR_RETURN(hit.tables, TablesFromJson(rows.Text(row, 10)));
    hit.snippet = LeadingWords(hit.text, options.snippet_tokens);
    hits.push_back(std::move(hit));
  }
  return hits;
}

Result<std::vector<SearchHit>> PgStore::ChunkHits(std::span<const int64_t> chunk_ids, const SearchOptions& options) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  return Hits(*conn, chunk_ids, options);
}

Result<VectorStamp> PgStore::StampOf(const std::string& embedder_key) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn->Exec(kStamp, {PgText(embedder_key)}));
  if (rows.size() == 0 || rows.Int(0, 0) == 0) return VectorStamp{};
  return VectorStamp{rows.Int(0, 0), rows.Int(0, 1), rows.Int(0, 2)};
}

Result<std::vector<EmbedderIdentity>> PgStore::Embedders() {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn->Exec(kSelectEmbedders));
  std::vector<EmbedderIdentity> embedders;
  for (int row = 0; row < rows.size(); ++row) {
    EmbedderIdentity identity;
    identity.name = rows.Text(row, 0);
    identity.dimension = static_cast<size_t>(rows.Int(row, 1));
    identity.weights_hash = rows.Text(row, 2);
    identity.normalized = rows.Text(row, 3) == "t";
    identity.source = rows.Text(row, 4);
    embedders.push_back(std::move(identity));
  }
  return embedders;
}

}  // namespace docpipe::store
