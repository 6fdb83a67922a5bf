// The T5 encoder (gtr-t5, sentence-t5) with Hugging Face's math: token
// embeddings (unscaled), pre-norm blocks with RMS norms, attention without
// 1/√d scaling plus a bidirectional relative-position bias that lives in the
// first layer and is shared by all, a ReLU or gated-GELU feed-forward, and a
// final RMS norm. Immutable; weights borrowed from the model. Thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "embed/encoder.h"
#include "embed/model_folder.h"
#include "embed/packed_linear.h"

namespace docpipe::embed {

class T5Encoder final : public Encoder {
 public:
  T5Encoder() = default;

  // `max_length` bounds the texts Forward() will see (the bucket table's span).
  // Linear layers at `precision` (kernels chosen for `cpu`); the rest float32.
  static Result<std::unique_ptr<T5Encoder>> Make(const T5Config& config, size_t max_length,
                                                 const SafetensorsFile& file, WeightArena& arena,
                                                 EmbedPrecision precision = EmbedPrecision::kFloat32,
                                                 const CpuFeatures& cpu = {});

  size_t hidden() const override { return static_cast<size_t>(config_.d_model); }
  void Forward(const TokenBatch& batch, Workspace& workspace, float* out) const override;
  double Flops(const TokenBatch& batch) const override;
  size_t weight_bytes() const override;

  // Hugging Face's _relative_position_bucket for one signed distance
  // (key position − query position), bidirectional.
  static int32_t RelativeBucket(int64_t distance, int num_buckets, int max_distance);

 private:
  struct Layer {
    const float* attn_norm;  // F32 [d_model]
    QkvProjection qkv;       // [inner, d_model] each, inner = heads · d_kv
    PackedLinear o;          // [d_model, inner]
    const float* ff_norm;    // F32 [d_model]
    PackedLinear wi;         // [d_ff, d_model]; wi_0 when gated
    PackedLinear wi_1;       // [d_ff, d_model]; empty unless gated
    PackedLinear wo;         // [d_model, d_ff]
  };

  void Block(const Layer& layer, const TokenBatch& batch, Workspace& workspace, float* x) const;
  void FeedForward(const Layer& layer, size_t n, Workspace& workspace, const float* normed, float* x) const;

  T5Config config_;
  EmbeddingTable embeddings_;             // [vocab, d_model]
  const float* relative_bias_ = nullptr;  // F32 [num_buckets, heads]
  const float* final_norm_ = nullptr;     // F32 [d_model]
  std::vector<Layer> layers_;
  std::vector<int32_t> buckets_;  // bucket of distance d at buckets_[d + max_length - 1]
  size_t max_length_ = 0;
};

}  // namespace docpipe::embed
