// What the client APIs (/v1/models, Ollama's /api/tags) say about the loaded
// embedder, and which output widths it may be cut to.
//
// `dimensions` (OpenAI) and `dimensions` (Ollama) truncate a vector and
// renormalise it. That keeps its meaning only for a Matryoshka-trained model,
// so it is allowed only when the model folder says so: a key
// "matryoshka_dimensions" (the list of widths it was trained at) in
// config_sentence_transformers.json or config.json. The model's full width is
// always accepted (nothing to cut).
//
// Thread-safety: a plain value, made once at start-up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "docpipe/embedding.h"
#include "docpipe/status.h"

namespace docpipe::server {

struct ServedModel {
  std::string name;
  size_t dimension = 0;
  std::string digest;                      // the weights hash
  std::string family;                      // config.json model_type, or "remote"
  int64_t size_bytes = 0;                  // weight files in the folder; 0 for a remote model
  int64_t created_unix = 0;                // when the server loaded it
  std::vector<int> matryoshka_dimensions;  // empty: the width cannot be cut

  // True for the model's own name and for Ollama's "<name>:latest".
  bool Answers(const std::string& requested) const;
  // kInvalidArgument naming the model when `dimensions` cannot be served.
  Status CheckDimensions(int64_t dimensions) const;
};

// Reads what it can from `folder` (empty for a remote model).
ServedModel DescribeServedModel(const EmbedderIdentity& identity, const std::string& folder);

// The first `dimensions` values of each row, scaled back to unit length.
EmbeddingMatrix TruncateAndRenormalize(const EmbeddingMatrix& matrix, size_t dimensions);

}  // namespace docpipe::server
