// The server's embedder: made once at start-up from the config (a native
// model folder or a remote embedding server), shared by /ingest, /search
// (vector and hybrid modes), /v1/embeddings and the document jobs. Without an
// embedder configured, enabled() is false and Embed() is kUnsupported.
//
// At most `slots` Embed() calls run at once (the machine's cores for the
// native engine, whose calls each keep a core busy; more for a remote server):
// sixteen requests each running the encoder on two cores would only thrash.
//
// Thread-safety: Embed() may be called from any number of threads.
#pragma once

#include <condition_variable>
#include <memory>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "docpipe/embedding.h"
#include "docpipe/server_config.h"
#include "docpipe/status.h"
#include "docpipe/text_embedder.h"
#include "server/served_model.h"

namespace docpipe::server {

class VectorStage {
 public:
  static Result<std::unique_ptr<VectorStage>> Make(const ServerConfig& config);

  bool enabled() const { return embedder_ != nullptr; }
  // Name, dimension, weights hash and source of the model; null when not enabled.
  const EmbedderIdentity* identity() const { return embedder_ ? &embedder_->Identity() : nullptr; }
  const std::shared_ptr<TextEmbedder>& embedder() const { return embedder_; }

  // What /v1/models and /api/tags list; only meaningful when enabled().
  const ServedModel& served() const { return served_; }

  Result<EmbeddingMatrix> Embed(const std::vector<std::string>& texts);
  // Texts given as token ids of the model's vocabulary (no special tokens).
  Result<EmbeddingMatrix> EmbedTokens(const std::vector<std::vector<int32_t>>& content);
  // Tokens the model runs for these texts (its own tokenizer, special tokens
  // included); for a remote model, whose tokenizer is not known here, the
  // chunker's estimate.
  int64_t CountModelTokens(const std::vector<std::string>& texts) const;
  int waiting() const;  // Embed() calls waiting for a slot

 private:
  // Runs `embed` once a slot is free.
  template <typename Call>
  Result<EmbeddingMatrix> InSlot(Call embed);

  std::shared_ptr<TextEmbedder> embedder_;
  ServedModel served_;
  int slots_ = 1;
  mutable Mutex mutex_;
  std::condition_variable freed_;
  int busy_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  int waiting_ DOCPIPE_GUARDED_BY(mutex_) = 0;
};

}  // namespace docpipe::server
