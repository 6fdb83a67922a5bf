// Embedding vectors and the identity of the model that made them.
//
// An EmbeddingMatrix holds one float32 row per input text, contiguous, so a
// row can be stored as a blob without copying. EmbedderIdentity names the
// model precisely enough that vectors from different models are never mixed:
// a store keeps it beside the vectors and re-embeds when it changes.
//
// Thread-safety: plain values; safe to copy and move between threads.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace docpipe {

struct EmbeddingMatrix {
  size_t rows = 0;
  size_t dimension = 0;
  std::vector<float> values;  // rows * dimension, row-major

  std::span<const float> Row(size_t i) const { return {values.data() + i * dimension, dimension}; }
  std::span<float> Row(size_t i) { return {values.data() + i * dimension, dimension}; }
};

struct EmbedderIdentity {
  std::string name;          // the model folder's name, or the remote model's name
  size_t dimension = 0;      // length of every vector
  std::string weights_hash;  // SHA-256 of the weight files; for remote models, of "url|model"
  bool normalized = false;   // vectors have unit length, so inner product is cosine
  // Where the model came from: its folder, or "<url>#<model>" for a remote
  // server. Recorded so that a query can be embedded by the same model later;
  // not part of Key() (the same weights in another folder are the same model).
  std::string source;

  // "name/dimension/hash", the key a store compares.
  std::string Key() const { return name + "/" + std::to_string(dimension) + "/" + weights_hash; }
};

}  // namespace docpipe
