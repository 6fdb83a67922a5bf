// Search over a store in three modes: lexical (the store's full-text ranking:
// BM25 in SQLite), vector (inner product of the query's embedding with the
// stored chunk vectors), and hybrid (reciprocal rank fusion of the two lists).
//
// The query is embedded by the same model that embedded the chunks:
// OpenQueryEmbedder() finds it from the identity and source the store keeps.
//
// Thread-safety: SearchChunks() uses the Store it is given (one thread at a
// time per Store) and the TextEmbedder (thread-safe).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"
#include "docpipe/store.h"
#include "docpipe/text_embedder.h"
#include "docpipe/vector_index.h"

namespace docpipe {

enum class SearchMode { kLexical, kVector, kHybrid };

// "lexical", "vector" or "hybrid"; anything else is kInvalidArgument.
Result<SearchMode> ParseSearchMode(std::string_view name);
std::string_view SearchModeName(SearchMode mode);

struct QueryOptions {
  SearchMode mode = SearchMode::kLexical;
  SearchOptions search;  // k, snippet length and marks
  // Hybrid: score = sum over the lists of weight / (rrf_k + rank), ranks from 1.
  int rrf_k = 60;
  double lexical_weight = 1.0;
  double vector_weight = 1.0;
  // Hybrid: how many candidates each side contributes (at least k).
  int candidates = 50;
  // Query by example: the vector side searches with this vector instead of
  // embedding the query text (its dimension must be the embedder's).
  std::vector<float> query_vector;
};

// A hit with where it ranked on each side (0: not in that list), for --explain.
struct RankedHit {
  SearchHit hit;
  int lexical_rank = 0;
  int vector_rank = 0;
};

// JSON text of one hit, as `docpipe search --json` and the server print it:
// its fields by name; "table_header" and "tables" ([{"page", "index",
// "caption"}], caption only when the table has one) only when not empty.
std::string SearchHitJson(const SearchHit& hit);

// The embedder for queries against `store`'s vectors. With `options` naming a
// model folder or server, that one (its vectors must be in the store);
// otherwise the store's only embedder, loaded from its recorded source, or
// the one called `name` when the store holds vectors of several. No vectors,
// an unknown name, or an ambiguous choice is kInvalidArgument with a message
// that says what the store has.
Result<std::shared_ptr<TextEmbedder>> OpenQueryEmbedder(Store& store, const TextEmbedderOptions& options,
                                                        const std::string& name = "");

// Runs the query. Lexical mode ignores `embedder`; vector and hybrid modes
// need one (kInvalidArgument without). The vector side searches `index` when
// given (built from the same embedder's vectors in this store), else every
// stored vector exactly. With a filter, the index is asked for more
// candidates than k and the store drops those the filter excludes; when too
// few remain, the exact search answers instead.
Result<std::vector<RankedHit>> SearchChunks(Store& store, const std::string& query, TextEmbedder* embedder,
                                            const QueryOptions& options, const VectorIndex* index = nullptr);

}  // namespace docpipe
