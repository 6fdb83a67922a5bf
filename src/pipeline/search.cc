// Lexical, vector and hybrid search over a store; the query embedder a store's
// vectors call for.
#include "docpipe/search.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "store/fts_query.h"

namespace docpipe {
namespace {

std::string Describe(const std::vector<EmbedderIdentity>& embedders) {
  std::string out;
  for (const EmbedderIdentity& embedder : embedders) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} ({}-d, from {})", embedder.name, embedder.dimension, embedder.source);
  }
  return out;
}

// The vector side through the index: ids and scores from FAISS, the rest
// (and the filter) from the store. Empty when a filter left fewer than k.
Result<std::vector<SearchHit>> IndexHits(Store& store, std::span<const float> query, const VectorIndex& index,
                                         const SearchOptions& options) {
  const bool filtered = !options.filter.empty();
  const int wanted = filtered ? std::max(options.k * 10, 200) : options.k;
  DOCPIPE_ASSIGN_OR_RETURN(auto found, index.Search(query, wanted));
  std::vector<int64_t> ids;
  std::unordered_map<int64_t, float> scores;
  for (const auto& [id, score] : found) {
    ids.push_back(id);
    scores[id] = score;
  }
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, store.ChunkHits(ids, options));
  const bool exhausted = static_cast<int>(found.size()) < wanted;
  if (filtered && static_cast<int>(hits.size()) < options.k && !exhausted) return std::vector<SearchHit>();
  if (static_cast<int>(hits.size()) > options.k) hits.resize(static_cast<size_t>(options.k));
  for (SearchHit& hit : hits) hit.score = scores[hit.chunk_id];
  return hits;
}

Result<std::vector<SearchHit>> VectorHits(Store& store, const std::string& query, TextEmbedder& embedder,
                                          const VectorIndex* index, const std::vector<float>& example,
                                          const SearchOptions& options) {
  EmbeddingMatrix embedded;
  std::span<const float> vector = example;
  if (example.empty()) {
    DOCPIPE_ASSIGN_OR_RETURN(embedded, embedder.Embed({query}));
    if (embedded.rows != 1) return Status::Internal("the embedder returned no vector for the query");
    vector = embedded.Row(0);
  }
  if (index != nullptr) {
    DOCPIPE_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, IndexHits(store, vector, *index, options));
    if (!hits.empty() || options.filter.empty()) return hits;
  }
  return store.VectorSearch(vector, embedder.Identity().Key(), options);
}

// Reciprocal rank fusion: each list adds weight / (k + rank); ties keep the
// lexical order, then the vector order.
std::vector<RankedHit> Fuse(std::vector<SearchHit> lexical, std::vector<SearchHit> vector,
                            const QueryOptions& options) {
  std::vector<RankedHit> fused;
  std::vector<double> scores;
  std::unordered_map<int64_t, size_t> position;  // chunk id -> index in fused
  auto add = [&](std::vector<SearchHit>& hits, double weight, bool is_lexical) {
    for (size_t i = 0; i < hits.size(); ++i) {
      const int rank = static_cast<int>(i) + 1;
      auto [it, inserted] = position.emplace(hits[i].chunk_id, fused.size());
      if (inserted) {
        fused.push_back({std::move(hits[i]), 0, 0});
        scores.push_back(0);
      }
      RankedHit& ranked = fused[it->second];
      (is_lexical ? ranked.lexical_rank : ranked.vector_rank) = rank;
      scores[it->second] += weight / (options.rrf_k + rank);
    }
  };
  add(lexical, options.lexical_weight, true);
  add(vector, options.vector_weight, false);
  std::vector<size_t> order(fused.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  std::vector<RankedHit> ranked;
  for (size_t i = 0; i < order.size() && static_cast<int>(i) < options.search.k; ++i) {
    RankedHit hit = std::move(fused[order[i]]);
    hit.hit.score = scores[order[i]];
    ranked.push_back(std::move(hit));
  }
  return ranked;
}

std::vector<RankedHit> Ranked(std::vector<SearchHit> hits, bool lexical) {
  std::vector<RankedHit> ranked;
  for (size_t i = 0; i < hits.size(); ++i) {
    const int rank = static_cast<int>(i) + 1;
    ranked.push_back({std::move(hits[i]), lexical ? rank : 0, lexical ? 0 : rank});
  }
  return ranked;
}

}  // namespace

Result<SearchMode> ParseSearchMode(std::string_view name) {
  if (name == "lexical") return SearchMode::kLexical;
  if (name == "vector") return SearchMode::kVector;
  if (name == "hybrid") return SearchMode::kHybrid;
  return Status::InvalidArgument(fmt::format("unknown search mode '{}'; use lexical, vector or hybrid", name));
}

std::string_view SearchModeName(SearchMode mode) {
  switch (mode) {
    case SearchMode::kLexical: return "lexical";
    case SearchMode::kVector: return "vector";
    case SearchMode::kHybrid: return "hybrid";
  }
  return "lexical";
}

Result<std::shared_ptr<TextEmbedder>> OpenQueryEmbedder(Store& store, const TextEmbedderOptions& options,
                                                        const std::string& name) {
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<EmbedderIdentity> embedders, store.Embedders());
  if (embedders.empty()) {
    return Status::InvalidArgument(
        "the store has no vectors: ingest with --embed-model (or --embed-url) first, or search in lexical mode");
  }
  if (WantsEmbedder(options)) {
    DOCPIPE_ASSIGN_OR_RETURN(std::shared_ptr<TextEmbedder> embedder, MakeTextEmbedder(options));
    const std::string key = embedder->Identity().Key();
    for (const EmbedderIdentity& stored : embedders) {
      if (stored.Key() == key) return embedder;
    }
    return Status::InvalidArgument(fmt::format("the store has no vectors made by {}; it has vectors from: {}",
                                               embedder->Identity().name, Describe(embedders)));
  }
  std::vector<EmbedderIdentity> matching;
  for (const EmbedderIdentity& stored : embedders) {
    if (name.empty() || stored.name == name) matching.push_back(stored);
  }
  if (matching.size() != 1) {
    return Status::InvalidArgument(fmt::format(
        "{}; choose one by name, or give the model: the store has vectors from: {}",
        matching.empty() ? fmt::format("the store has no vectors from an embedder called '{}'", name)
                         : std::string("the store has vectors from several embedders"),
        Describe(embedders)));
  }
  Result<std::shared_ptr<TextEmbedder>> embedder = MakeTextEmbedderFromSource(matching[0].source,
                                                                              EmbedApiKeyFromEnvironment());
  if (!embedder.ok()) {
    return embedder.status().WithContext(fmt::format("loading {} from {}, where the store's vectors came from",
                                                     matching[0].name, matching[0].source));
  }
  if ((*embedder)->Identity().Key() != matching[0].Key()) {
    return Status::InvalidArgument(fmt::format(
        "the model at {} has changed since the store's vectors were made (its weights differ); re-ingest with it, "
        "or give the original model",
        matching[0].source));
  }
  return embedder;
}

Result<std::vector<RankedHit>> SearchChunks(Store& store, const std::string& query, TextEmbedder* embedder,
                                            const QueryOptions& options, const VectorIndex* index) {
  if (options.search.k < 0) return Status::InvalidArgument("search k must not be negative");
  DOCPIPE_RETURN_IF_ERROR(store::CheckQuerySize(query));
  if (options.mode == SearchMode::kLexical) {
    DOCPIPE_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, store.Search(query, options.search));
    return Ranked(std::move(hits), true);
  }
  if (embedder == nullptr) {
    return Status::InvalidArgument(fmt::format("{} search needs an embedder", SearchModeName(options.mode)));
  }
  if (options.mode == SearchMode::kVector) {
    DOCPIPE_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, VectorHits(store, query, *embedder, index, options.query_vector, options.search));
    return Ranked(std::move(hits), false);
  }
  SearchOptions wide = options.search;
  wide.k = std::max(options.search.k, options.candidates);
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<SearchHit> lexical, store.Search(query, wide));
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<SearchHit> vector, VectorHits(store, query, *embedder, index, options.query_vector, wide));
  return Fuse(std::move(lexical), std::move(vector), options);
}

}  // namespace docpipe
