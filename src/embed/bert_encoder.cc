#include "embed/bert_encoder.h"

#include <cmath>
#include <cstring>

#include "embed/kernels.h"

namespace docpipe::embed {
namespace {

// Workspace slots.
enum Slot : size_t { kX, kY, kQ, kK, kV, kCtx, kFf, kScores };

std::string LayerName(int i, const char* suffix) {
  return "encoder.layer." + std::to_string(i) + "." + suffix;
}

}  // namespace

Result<std::unique_ptr<BertEncoder>> BertEncoder::Make(const BertConfig& config, const SafetensorsFile& file,
                                                       WeightArena& arena) {
  DOCPIPE_ASSIGN_OR_RETURN(std::string prefix, file.PrefixOf("embeddings.word_embeddings.weight"));
  auto encoder = std::make_unique<BertEncoder>();
  encoder->config_ = config;
  const int64_t h = config.hidden, ff = config.intermediate;
  WeightBinder w(file, prefix, arena);
  encoder->word_embeddings_ = w.Bind("embeddings.word_embeddings.weight", {config.vocab_size, h});
  encoder->position_embeddings_ = w.Bind("embeddings.position_embeddings.weight", {config.max_positions, h});
  encoder->type_embeddings_ = w.Bind("embeddings.token_type_embeddings.weight", {config.type_vocab_size, h});
  encoder->embed_norm_g_ = w.Bind({"embeddings.LayerNorm.weight", "embeddings.LayerNorm.gamma"}, {h});
  encoder->embed_norm_b_ = w.Bind({"embeddings.LayerNorm.bias", "embeddings.LayerNorm.beta"}, {h});
  for (int i = 0; i < config.layers; ++i) {
    Layer l{};
    l.q_w = w.Bind(LayerName(i, "attention.self.query.weight"), {h, h});
    l.q_b = w.Bind(LayerName(i, "attention.self.query.bias"), {h});
    l.k_w = w.Bind(LayerName(i, "attention.self.key.weight"), {h, h});
    l.k_b = w.Bind(LayerName(i, "attention.self.key.bias"), {h});
    l.v_w = w.Bind(LayerName(i, "attention.self.value.weight"), {h, h});
    l.v_b = w.Bind(LayerName(i, "attention.self.value.bias"), {h});
    l.attn_out_w = w.Bind(LayerName(i, "attention.output.dense.weight"), {h, h});
    l.attn_out_b = w.Bind(LayerName(i, "attention.output.dense.bias"), {h});
    l.attn_norm_g = w.Bind(
        {LayerName(i, "attention.output.LayerNorm.weight"), LayerName(i, "attention.output.LayerNorm.gamma")},
        {h});
    l.attn_norm_b = w.Bind(
        {LayerName(i, "attention.output.LayerNorm.bias"), LayerName(i, "attention.output.LayerNorm.beta")},
        {h});
    l.ff_in_w = w.Bind(LayerName(i, "intermediate.dense.weight"), {ff, h});
    l.ff_in_b = w.Bind(LayerName(i, "intermediate.dense.bias"), {ff});
    l.ff_out_w = w.Bind(LayerName(i, "output.dense.weight"), {h, ff});
    l.ff_out_b = w.Bind(LayerName(i, "output.dense.bias"), {h});
    l.ff_norm_g =
        w.Bind({LayerName(i, "output.LayerNorm.weight"), LayerName(i, "output.LayerNorm.gamma")}, {h});
    l.ff_norm_b = w.Bind({LayerName(i, "output.LayerNorm.bias"), LayerName(i, "output.LayerNorm.beta")}, {h});
    encoder->layers_.push_back(l);
  }
  DOCPIPE_RETURN_IF_ERROR(w.status());
  return encoder;
}

void BertEncoder::Embed(const TokenBatch& batch, float* x) const {
  const size_t h = hidden();
  for (size_t t = 0; t < batch.texts(); ++t) {
    for (size_t p = 0; p < batch.Length(t); ++p) {
      const size_t token = batch.offsets[t] + p;
      float* row = x + token * h;
      const float* word = word_embeddings_ + static_cast<size_t>(batch.ids[token]) * h;
      const float* position = position_embeddings_ + p * h;
      for (size_t i = 0; i < h; ++i) row[i] = word[i] + position[i] + type_embeddings_[i];
    }
  }
  AddLayerNorm(x, nullptr, batch.tokens(), h, embed_norm_g_, embed_norm_b_, config_.layer_norm_eps);
}

// One post-LayerNorm block; the result lands in `x` (the buffers swap roles).
void BertEncoder::Block(const Layer& l, const TokenBatch& batch, Workspace& ws, float*& x, float*& y) const {
  const size_t n = batch.tokens(), h = hidden(), ff = static_cast<size_t>(config_.intermediate);
  const size_t heads = static_cast<size_t>(config_.heads), head_dim = h / heads;
  float* q = ws.Get(kQ, n * h);
  float* k = ws.Get(kK, n * h);
  float* v = ws.Get(kV, n * h);
  float* ctx = ws.Get(kCtx, n * h);
  Linear(x, n, h, l.q_w, l.q_b, h, q);
  Linear(x, n, h, l.k_w, l.k_b, h, k);
  Linear(x, n, h, l.v_w, l.v_b, h, v);
  for (size_t t = 0; t < batch.texts(); ++t) {
    const size_t begin = batch.offsets[t] * h, length = batch.Length(t);
    AttentionArgs args;
    args.q = q + begin;
    args.k = k + begin;
    args.v = v + begin;
    args.ctx = ctx + begin;
    args.ld = h;
    args.length = length;
    args.heads = heads;
    args.head_dim = head_dim;
    args.scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
    SelfAttention(args, ws.Get(kScores, length * length));
  }
  Linear(ctx, n, h, l.attn_out_w, l.attn_out_b, h, y);
  AddLayerNorm(y, x, n, h, l.attn_norm_g, l.attn_norm_b, config_.layer_norm_eps);
  std::swap(x, y);
  float* inner = ws.Get(kFf, n * ff);
  Linear(x, n, h, l.ff_in_w, l.ff_in_b, ff, inner);
  Activate(config_.activation, inner, n * ff);
  Linear(inner, n, ff, l.ff_out_w, l.ff_out_b, h, y);
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

}  // namespace docpipe::embed
