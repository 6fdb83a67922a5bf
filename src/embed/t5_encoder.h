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

namespace docpipe::embed {

class T5Encoder final : public Encoder {
 public:
  T5Encoder() = default;

  // `max_length` bounds the texts Forward() will see (the bucket table's span).
  static Result<std::unique_ptr<T5Encoder>> Make(const T5Config& config, size_t max_length,
                                                 const SafetensorsFile& file, WeightArena& arena);

  size_t hidden() const override { return static_cast<size_t>(config_.d_model); }
  void Forward(const TokenBatch& batch, Workspace& workspace, float* out) const override;
  double Flops(const TokenBatch& batch) const override;

  // Hugging Face's _relative_position_bucket for one signed distance
  // (key position − query position), bidirectional.
  static int32_t RelativeBucket(int64_t distance, int num_buckets, int max_distance);

 private:
  struct Layer {
    const float* attn_norm;  // F32 [d_model]
    const float* q;          // F32 [inner, d_model], inner = heads · d_kv
    const float* k;
    const float* v;
    const float* o;        // F32 [d_model, inner]
    const float* ff_norm;  // F32 [d_model]
    const float* wi;       // F32 [d_ff, d_model]; wi_0 when gated
    const float* wi_1;     // F32 [d_ff, d_model]; null unless gated
    const float* wo;       // F32 [d_model, d_ff]
  };

  void Block(const Layer& layer, const TokenBatch& batch, Workspace& workspace, float* x) const;
  void FeedForward(const Layer& layer, size_t n, Workspace& workspace, const float* normed, float* x) const;

  T5Config config_;
  const float* embeddings_ = nullptr;     // F32 [vocab, d_model]
  const float* relative_bias_ = nullptr;  // F32 [num_buckets, heads]
  const float* final_norm_ = nullptr;     // F32 [d_model]
  std::vector<Layer> layers_;
  std::vector<int32_t> buckets_;  // bucket of distance d at buckets_[d + max_length - 1]
  size_t max_length_ = 0;
};

}  // namespace docpipe::embed
