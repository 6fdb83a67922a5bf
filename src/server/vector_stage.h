// The server's embedder: made once at start-up from the config (a native
// model folder), shared by /ingest, /search (vector mode) and /v1/embeddings.
// Without an embedder configured, enabled() is false and Embed() is
// kUnsupported.
//
// Thread-safety: Embed() may be called from any number of threads; each call
// borrows one encoder session (made on demand, then reused).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "docpipe/embedder.h"
#include "docpipe/embedding.h"
#include "docpipe/server_config.h"
#include "docpipe/status.h"

namespace docpipe::server {

class VectorStage {
 public:
  static Result<std::unique_ptr<VectorStage>> Make(const ServerConfig& config);

  bool enabled() const { return model_ != nullptr; }
  // Name, dimension, weights hash of the model; null when not enabled.
  const EmbedderIdentity* identity() const { return model_ ? &identity_ : nullptr; }
  // "the folder path" of the model, for /health.
  const std::string& source() const { return source_; }

  Result<EmbeddingMatrix> Embed(const std::vector<std::string>& texts);
  // Tokens the model sees for `text` (for usage.prompt_tokens).
  size_t CountTokens(const std::string& text) const;

 private:
  std::shared_ptr<const EmbeddingModel> model_;
  std::string source_;
  EmbedderIdentity identity_;  // the model's, with source set
  std::mutex mutex_;
  std::vector<std::unique_ptr<EmbeddingSession>> idle_;  // guarded by mutex_
};

}  // namespace docpipe::server
