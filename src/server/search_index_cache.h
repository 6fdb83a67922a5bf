// The vector index the server searches with, kept current without making a
// query wait for a rebuild: a query gets the index only when it reflects the
// store as it is (same vector stamp); otherwise it is answered by exact search
// while one background thread rebuilds the index from a reader connection of
// its own, and the new index is swapped in for the queries after it.
//
// Thread-safety: Current() may be called from any number of request threads.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "core/mutex.h"
#include "docpipe/store.h"
#include "docpipe/vector_index.h"

namespace docpipe::server {

class SearchIndexCache {
 public:
  // `store` is the server's store (readers for rebuilds are opened from it);
  // indexes are kept in `directory`.
  SearchIndexCache(Store& store, std::string directory) : store_(store), directory_(std::move(directory)) {}
  ~SearchIndexCache();  // waits for a rebuild in progress

  // The index of `embedder_key`'s vectors if it is current for `reader`'s
  // view of the store; else null, with a rebuild started unless one runs.
  std::shared_ptr<const VectorIndex> Current(Store& reader, const std::string& embedder_key);

  // Rebuilds started and finished, and the last failure, for /health and /metrics.
  struct Stats {
    int64_t rebuilds = 0;
    bool building = false;
    int64_t vectors = 0;
    std::string last_error;
  };
  Stats stats() const;

 private:
  void Rebuild(std::string embedder_key);

  Store& store_;
  const std::string directory_;
  mutable Mutex mutex_;
  std::shared_ptr<const VectorIndex> index_ DOCPIPE_GUARDED_BY(mutex_);
  std::string key_ DOCPIPE_GUARDED_BY(mutex_);  // whose index_ is
  Stats stats_ DOCPIPE_GUARDED_BY(mutex_);
  std::jthread builder_;
};

}  // namespace docpipe::server
