// EnrichmentCache: remembers extraction results so the same text is never sent
// to the LLM twice.
//
// Keyed by (model, prompt version, sha256 of the chunk text). The prompt
// version names the prompt template, the extract kinds and the taxonomy
// fingerprint, so changing any of those misses, while changing unrelated
// settings (concurrency, batch size, timeouts, the document the text came
// from) hits. Only validated LLM results are stored; heuristic results and
// fallbacks are not, so a later run with a working server still asks it.
//
// The database-backed cache lives with the store; InMemoryEnrichmentCache
// serves the CLI and tests.
//
// Thread-safety: implementations must allow concurrent Get() and Put() from
// any threads (Get runs on the caller of Enricher::Enrich, Put on the LLM
// client's I/O thread). Put() must not block for long: a database-backed
// implementation should queue writes and flush them in batches.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "docpipe/tagging.h"

namespace docpipe {

struct EnrichmentCacheKey {
  std::string model;
  std::string prompt_version;
  std::string text_sha256;  // lower-case hex
  bool operator==(const EnrichmentCacheKey&) const = default;
};

class EnrichmentCache {
 public:
  virtual ~EnrichmentCache() = default;
  virtual std::optional<EnrichmentResult> Get(const EnrichmentCacheKey& key) = 0;
  virtual void Put(const EnrichmentCacheKey& key, const EnrichmentResult& result) = 0;
};

class InMemoryEnrichmentCache final : public EnrichmentCache {
 public:
  std::optional<EnrichmentResult> Get(const EnrichmentCacheKey& key) override;
  void Put(const EnrichmentCacheKey& key, const EnrichmentResult& result) override;
  size_t size() const;

 private:
  struct KeyHash {
    size_t operator()(const EnrichmentCacheKey& key) const;
  };
  mutable std::mutex mutex_;
  std::unordered_map<EnrichmentCacheKey, EnrichmentResult, KeyHash> entries_;  // guarded by mutex_
};

}  // namespace docpipe
