// The loaded parts of an EmbeddingModel: folder spec, mapped weight files,
// widened copies, tokenizer, encoder and the Dense head. Built once by
// LoadModelState(); immutable afterwards and shared by all sessions.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "docpipe/embedder.h"
#include "embed/encoder.h"
#include "embed/model_folder.h"
#include "embed/safetensors.h"
#include "embed/tokenizer.h"

namespace docpipe::embed {

struct DenseLayer {
  const float* weight = nullptr;  // F32 [out, in]
  const float* bias = nullptr;    // F32 [out] or null
  size_t in = 0;
  size_t out = 0;
  Activation activation = Activation::kIdentity;
};

class ModelState {
 public:
  FolderSpec spec;
  // Declared before the encoder and head that point into them, so they outlive them.
  std::vector<std::unique_ptr<SafetensorsFile>> files;
  WeightArena arena;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<Encoder> encoder;
  std::vector<DenseLayer> dense;
  size_t dimension = 0;  // width of the final vectors
  EmbeddingModelInfo info;
  EmbedPrecision precision = EmbedPrecision::kFloat32;

  const EmbedderIdentity& Identity() const;

 private:
  mutable std::once_flag identity_once_;
  mutable EmbedderIdentity identity_;
};

// The ids of `text` as the model sees them (sentence-transformers' optional
// lower-casing, then the tokenizer, truncated to max_seq_length).
void TokenizeText(const ModelState& state, std::string_view text, std::vector<int32_t>& ids);

// Already tokenized content (vocabulary ids, no special tokens) as the model
// sees it: special tokens placed, truncated to max_seq_length.
void FrameTokens(const ModelState& state, std::span<const int32_t> content, std::vector<int32_t>& ids);

Result<std::unique_ptr<ModelState>> LoadModelState(const EmbeddingModelOptions& options);

// sentence-transformers' Pooling for one text's token states [length, hidden],
// modes concatenated in cls, max, mean, mean_sqrt_len, weightedmean, lasttoken order.
void PoolText(const PoolingConfig& pooling, const float* states, size_t length, size_t hidden, float* out);

// Applies the Dense chain and Normalize to `rows` pooled vectors. `a` holds
// the input and `b` is scratch; returns whichever holds the result.
float* ApplyHead(const ModelState& state, size_t rows, float* a, float* b);

}  // namespace docpipe::embed
