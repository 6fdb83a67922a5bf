#include "embed/bert_encoder.h"

#include <cmath>
#include <cstring>

#include "embed/kernels.h"

namespace docpipe::embed {
namespace {

// Workspace slots.
enum Slot : size_t { kX, kY, kQkv, kCtx, kFf, kScores };

std::string LayerName(int i, const char* suffix) {
  return "encoder.layer." + std::to_string(i) + "." + suffix;
}

}  // namespace

Result<std::unique_ptr<BertEncoder>> BertEncoder::Make(const BertConfig& config, const SafetensorsFile& file,
                                                       WeightArena& arena, EmbedPrecision precision,
                                                       const CpuFeatures& cpu) {
  DOCPIPE_ASSIGN_OR_RETURN(std::string prefix, file.PrefixOf("embeddings.word_embeddings.weight"));
  auto encoder = std::make_unique<BertEncoder>();
  encoder->config_ = config;
  const int64_t h = config.hidden, ff = config.intermediate;
  WeightBinder w(file, prefix, arena);
  const float* words = w.Bind("embeddings.word_embeddings.weight", {config.vocab_size, h});
  encoder->position_embeddings_ = w.Bind("embeddings.position_embeddings.weight", {config.max_positions, h});
  encoder->type_embeddings_ = w.Bind("embeddings.token_type_embeddings.weight", {config.type_vocab_size, h});
  encoder->embed_norm_g_ = w.Bind({"embeddings.LayerNorm.weight", "embeddings.LayerNorm.gamma"}, {h});
  encoder->embed_norm_b_ = w.Bind({"embeddings.LayerNorm.bias", "embeddings.LayerNorm.beta"}, {h});
  const auto uh = static_cast<size_t>(h), uff = static_cast<size_t>(ff);
  for (int i = 0; i < config.layers; ++i) {
    auto precision_of = [&](LinearRole role) {
      return LinearPrecision(precision, static_cast<size_t>(i), role, cpu);
    };
    auto linear = [&](LinearRole role, const float* weights, size_t n, size_t k) {
      return weights == nullptr ? PackedLinear() : PackedLinear::Make(precision_of(role), weights, n, k, cpu);
    };
    Layer l{};
    const float* q_w = w.Bind(LayerName(i, "attention.self.query.weight"), {h, h});
    const float* q_b = w.Bind(LayerName(i, "attention.self.query.bias"), {h});
    const float* k_w = w.Bind(LayerName(i, "attention.self.key.weight"), {h, h});
    const float* k_b = w.Bind(LayerName(i, "attention.self.key.bias"), {h});
    const float* v_w = w.Bind(LayerName(i, "attention.self.value.weight"), {h, h});
    const float* v_b = w.Bind(LayerName(i, "attention.self.value.bias"), {h});
    if (w.status().ok())
      l.qkv = QkvProjection::Make(precision_of(LinearRole::kQueryKey), precision_of(LinearRole::kValue), cpu,
                                  q_w, k_w, v_w, q_b, k_b, v_b, uh, uh);
    l.attn_out = linear(LinearRole::kAttentionOutput,
                        w.Bind(LayerName(i, "attention.output.dense.weight"), {h, h}), uh, uh);
    l.attn_out_b = w.Bind(LayerName(i, "attention.output.dense.bias"), {h});
    l.attn_norm_g = w.Bind(
        {LayerName(i, "attention.output.LayerNorm.weight"), LayerName(i, "attention.output.LayerNorm.gamma")},
        {h});
    l.attn_norm_b = w.Bind(
        {LayerName(i, "attention.output.LayerNorm.bias"), LayerName(i, "attention.output.LayerNorm.beta")},
        {h});
    l.ff_in =
        linear(LinearRole::kFeedForward, w.Bind(LayerName(i, "intermediate.dense.weight"), {ff, h}), uff, uh);
    l.ff_in_b = w.Bind(LayerName(i, "intermediate.dense.bias"), {ff});
    l.ff_out =
        linear(LinearRole::kFeedForward, w.Bind(LayerName(i, "output.dense.weight"), {h, ff}), uh, uff);
    l.ff_out_b = w.Bind(LayerName(i, "output.dense.bias"), {h});
    l.ff_norm_g =
        w.Bind({LayerName(i, "output.LayerNorm.weight"), LayerName(i, "output.LayerNorm.gamma")}, {h});
    l.ff_norm_b = w.Bind({LayerName(i, "output.LayerNorm.bias"), LayerName(i, "output.LayerNorm.beta")}, {h});
    encoder->layers_.push_back(std::move(l));
  }
  DOCPIPE_RETURN_IF_ERROR(w.status());
  encoder->word_embeddings_ =
      EmbeddingTable::Make(precision, words, static_cast<size_t>(config.vocab_size), uh);
  return encoder;
}

void BertEncoder::Embed(const TokenBatch& batch, float* x) const {
  const size_t h = hidden();
  for (size_t t = 0; t < batch.texts(); ++t) {
    for (size_t p = 0; p < batch.Length(t); ++p) {
      const size_t token = batch.offsets[t] + p;
      float* row = x + token * h;
      word_embeddings_.Row(static_cast<size_t>(batch.ids[token]), row);
      const float* position = position_embeddings_ + p * h;
      for (size_t i = 0; i < h; ++i) row[i] = (row[i] + position[i]) + type_embeddings_[i];
    }
  }
  AddLayerNorm(x, nullptr, batch.tokens(), h, embed_norm_g_, embed_norm_b_, config_.layer_norm_eps);
}

// One post-LayerNorm block; the result lands in `x` (the buffers swap roles).
void BertEncoder::Block(const Layer& l, const TokenBatch& batch, Workspace& ws, float*& x, float*& y) const {
  const size_t n = batch.tokens(), h = hidden(), ff = static_cast<size_t>(config_.intermediate);
  const size_t heads = static_cast<size_t>(config_.heads), head_dim = h / heads;
  float* ctx = ws.Get(kCtx, n * h);
  const QkvProjection::Output qkv = l.qkv.Apply(x, n, ws.Get(kQkv, 3 * n * h), ws);
  for (size_t t = 0; t < batch.texts(); ++t) {
    const size_t begin = batch.offsets[t] * h, length = batch.Length(t);
    AttentionArgs args;
    args.q = qkv.q + batch.offsets[t] * qkv.ld;
    args.k = qkv.k + batch.offsets[t] * qkv.ld;
    args.v = qkv.v + batch.offsets[t] * qkv.v_ld;
    args.ctx = ctx + begin;
    args.ld = qkv.ld;
    args.v_ld = qkv.v_ld;
    args.ctx_ld = h;
    args.length = length;
    args.heads = heads;
    args.head_dim = head_dim;
    args.scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
    SelfAttention(args, ws.Get(kScores, length * length));
  }
  l.attn_out.Apply(ctx, n, l.attn_out_b, y, ws);
  AddLayerNorm(y, x, n, h, l.attn_norm_g, l.attn_norm_b, config_.layer_norm_eps);
  std::swap(x, y);
  float* inner = ws.Get(kFf, n * ff);
  l.ff_in.Apply(x, n, l.ff_in_b, inner, ws);
  Activate(config_.activation, inner, n * ff);
  l.ff_out.Apply(inner, n, l.ff_out_b, y, ws);
  AddLayerNorm(y, x, n, h, l.ff_norm_g, l.ff_norm_b, config_.layer_norm_eps);
  std::swap(x, y);
}

void BertEncoder::Forward(const TokenBatch& batch, Workspace& ws, float* out) const {
  const size_t n = batch.tokens(), h = hidden();
  float* x = ws.Get(kX, n * h);
  float* y = ws.Get(kY, n * h);
  Embed(batch, x);
  for (const Layer& layer : layers_) Block(layer, batch, ws, x, y);
  std::memcpy(out, x, n * h * sizeof(float));
}

double BertEncoder::Flops(const TokenBatch& batch) const {
  const double h = config_.hidden, ff = config_.intermediate;
  double total = 0;
  for (size_t t = 0; t < batch.texts(); ++t) {
    const double length = static_cast<double>(batch.Length(t));
    total += length * (2 * (4 * h * h + 2 * h * ff) + 4 * length * h);
  }
  return total * config_.layers;
}

size_t BertEncoder::weight_bytes() const {
  const size_t h = hidden(), f = sizeof(float);
  size_t total = word_embeddings_.weight_bytes() +
                 (static_cast<size_t>(config_.max_positions) + 1 + 2) * h * f;  // positions, type row, norm
  for (const Layer& l : layers_)
    total += l.qkv.weight_bytes() + l.attn_out.weight_bytes() + l.ff_in.weight_bytes() +
             l.ff_out.weight_bytes() + (6 * h + static_cast<size_t>(config_.intermediate)) * f;
  return total;
}

}  // namespace docpipe::embed
