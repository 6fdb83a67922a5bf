// An approximate-nearest-neighbour index over one embedder's chunk vectors
// (FAISS): exact inner product (flat) for small collections, HNSW for large.
// Ids are chunk ids. The index is a cache of what the store holds: it is
// persisted in a directory beside the store and rebuilt from the stored
// vectors whenever it is missing, unreadable, from another model, or stale
// (the store's VectorStamp differs from the one it was built at).
//
// Thread-safety: Search() may be called from several threads at once;
// building is done before the object is handed out.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "docpipe/status.h"
#include "docpipe/store.h"

namespace docpipe {

enum class VectorIndexKind { kAuto, kFlat, kHnsw };

// "auto", "flat", "hnsw"; anything else is kInvalidArgument.
Result<VectorIndexKind> ParseVectorIndexKind(std::string_view name);
std::string_view VectorIndexKindName(VectorIndexKind kind);

struct VectorIndexOptions {
  VectorIndexKind kind = VectorIndexKind::kAuto;
  int64_t hnsw_from = 20000;  // auto: HNSW from this many vectors, flat below
  int hnsw_m = 32;            // graph neighbours per node
  int ef_construction = 80;
  int ef_search = 96;         // candidates kept while searching (recall against speed)
  int threads = 0;            // building: 0 = the CPUs this process may run on
  bool force_rebuild = false;
};

// What opening the index did, for messages and reports.
struct VectorIndexInfo {
  VectorIndexKind kind = VectorIndexKind::kFlat;
  int64_t vectors = 0;
  size_t dimension = 0;
  bool rebuilt = false;
  std::string reason;  // why it was rebuilt ("missing", "stale: ...", "corrupt: ...")
  double build_seconds = 0;
  std::string path;    // the index file
};

class VectorIndex {
 public:
  virtual ~VectorIndex() = default;

  // The index of `embedder_key`'s vectors in `store`, kept in `directory`
  // (created when missing): loaded when current, else built from the store
  // and saved (written to a temporary file and renamed, so a crash never
  // leaves half an index). An embedder with no vectors is kNotFound.
  static Result<std::unique_ptr<VectorIndex>> Open(Store& store, const std::string& embedder_key,
                                                   const std::string& directory, const VectorIndexOptions& options);

  // The k best (chunk id, inner product) pairs, best first.
  virtual Result<std::vector<std::pair<int64_t, float>>> Search(std::span<const float> query, int k) const = 0;

  virtual const VectorIndexInfo& info() const = 0;
  // The store's stamp this index reflects.
  virtual const VectorStamp& stamp() const = 0;
};

// Where a store's vector indexes live by default: "<file>.index" beside a
// SQLite file; under $XDG_CACHE_HOME/docpipe/index (or ~/.cache) for a
// server database, in a folder named after its location without credentials.
std::string DefaultIndexDirectory(const std::string& store_location);

}  // namespace docpipe
