// The BERT encoder (MiniLM, bge, e5, gte) with Hugging Face's math: word +
// absolute position + token-type-0 embeddings and a LayerNorm, then
// post-LayerNorm blocks (attention scaled by 1/√head_dim, GELU feed-forward).
// Immutable; weights borrowed from the model's mapping. Thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "embed/encoder.h"
#include "embed/model_folder.h"
#include "embed/packed_linear.h"

namespace docpipe::embed {

class BertEncoder final : public Encoder {
 public:
  BertEncoder() = default;

  // Linear layers at `precision` (kernels chosen for `cpu`); embeddings,
  // attention and norms stay float32.
  static Result<std::unique_ptr<BertEncoder>> Make(const BertConfig& config, const SafetensorsFile& file,
                                                   WeightArena& arena,
                                                   EmbedPrecision precision = EmbedPrecision::kFloat32,
                                                   const CpuFeatures& cpu = {});

  size_t hidden() const override { return static_cast<size_t>(config_.hidden); }
  void Forward(const TokenBatch& batch, Workspace& workspace, float* out) const override;
  double Flops(const TokenBatch& batch) const override;
  size_t weight_bytes() const override;

 private:
  struct Layer {
    QkvProjection qkv;        // [hidden, hidden] each, PyTorch [out, in]
    PackedLinear attn_out;    // [hidden, hidden]
    const float* attn_out_b;  // F32 [hidden]
    const float* attn_norm_g;
    const float* attn_norm_b;
    PackedLinear ff_in;    // [intermediate, hidden]
    const float* ff_in_b;  // F32 [intermediate]
    PackedLinear ff_out;   // [hidden, intermediate]
    const float* ff_out_b;
    const float* ff_norm_g;
    const float* ff_norm_b;
  };

  void Embed(const TokenBatch& batch, float* x) const;
  void Block(const Layer& layer, const TokenBatch& batch, Workspace& workspace, float*& x, float*& y) const;

  BertConfig config_;
  EmbeddingTable word_embeddings_;              // [vocab, hidden]
  const float* position_embeddings_ = nullptr;  // F32 [max_positions, hidden]
  const float* type_embeddings_ = nullptr;      // F32 [type_vocab, hidden]; row 0 is used
  const float* embed_norm_g_ = nullptr;
  const float* embed_norm_b_ = nullptr;
  std::vector<Layer> layers_;
};

}  // namespace docpipe::embed
