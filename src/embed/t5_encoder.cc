#include "embed/t5_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "embed/kernels.h"

namespace docpipe::embed {
namespace {

enum Slot : size_t { kX, kNormed, kQkv, kCtx, kProjected, kFf, kFfGate, kScores };

std::string LayerName(int block, int sub, const char* suffix) {
  return "block." + std::to_string(block) + ".layer." + std::to_string(sub) + "." + suffix;
}

}  // namespace

int32_t T5Encoder::RelativeBucket(int64_t distance, int num_buckets, int max_distance) {
  // Float32 arithmetic in the order PyTorch evaluates it, so boundaries agree.
  const int half = num_buckets / 2;
  const int32_t base = distance > 0 ? half : 0;
  const int64_t magnitude = std::llabs(distance);
  const int max_exact = half / 2;
  if (magnitude < max_exact) return base + static_cast<int32_t>(magnitude);
  const float scaled = std::log(static_cast<float>(magnitude) / static_cast<float>(max_exact)) /
                       static_cast<float>(std::log(static_cast<double>(max_distance) / max_exact)) *
                       static_cast<float>(half - max_exact);
  const int64_t large = max_exact + static_cast<int64_t>(scaled);
  return base + static_cast<int32_t>(std::min<int64_t>(large, half - 1));
}

Result<std::unique_ptr<T5Encoder>> T5Encoder::Make(const T5Config& config, size_t max_length,
                                                   const SafetensorsFile& file, WeightArena& arena,
                                                   EmbedPrecision precision, const CpuFeatures& cpu) {
  DOCPIPE_ASSIGN_OR_RETURN(std::string prefix, file.PrefixOf("block.0.layer.0.SelfAttention.q.weight"));
  // The tied token embeddings are saved as encoder.embed_tokens or as shared.
  const std::string root = prefix.ends_with("encoder.") ? prefix.substr(0, prefix.size() - 8) : prefix;
  auto encoder = std::make_unique<T5Encoder>();
  encoder->config_ = config;
  const int64_t d = config.d_model, inner = int64_t{config.heads} * config.d_kv, ff = config.d_ff;
  WeightBinder w(file, prefix, arena);
  WeightBinder top(file, root, arena);
  const float* embeddings = w.BindOptional("embed_tokens.weight", {config.vocab_size, d});
  if (embeddings == nullptr) embeddings = top.Bind("shared.weight", {config.vocab_size, d});
  encoder->relative_bias_ = w.Bind(LayerName(0, 0, "SelfAttention.relative_attention_bias.weight"),
                                   {config.num_buckets, config.heads});
  encoder->final_norm_ = w.Bind("final_layer_norm.weight", {d});
  const auto ud = static_cast<size_t>(d), uinner = static_cast<size_t>(inner), uff = static_cast<size_t>(ff);
  for (int i = 0; i < config.layers; ++i) {
    auto precision_of = [&](LinearRole role) {
      return LinearPrecision(precision, static_cast<size_t>(i), role, cpu);
    };
    auto linear = [&](LinearRole role, const float* weights, size_t n, size_t k) {
      return weights == nullptr ? PackedLinear() : PackedLinear::Make(precision_of(role), weights, n, k, cpu);
    };
    Layer l{};
    l.attn_norm = w.Bind(LayerName(i, 0, "layer_norm.weight"), {d});
    const float* q = w.Bind(LayerName(i, 0, "SelfAttention.q.weight"), {inner, d});
    const float* k = w.Bind(LayerName(i, 0, "SelfAttention.k.weight"), {inner, d});
    const float* v = w.Bind(LayerName(i, 0, "SelfAttention.v.weight"), {inner, d});
    if (w.status().ok())
      l.qkv = QkvProjection::Make(precision_of(LinearRole::kQueryKey), precision_of(LinearRole::kValue), cpu,
                                  q, k, v, nullptr, nullptr, nullptr, uinner, ud);
    l.o = linear(LinearRole::kAttentionOutput, w.Bind(LayerName(i, 0, "SelfAttention.o.weight"), {d, inner}),
                 ud, uinner);
    l.ff_norm = w.Bind(LayerName(i, 1, "layer_norm.weight"), {d});
    if (config.gated) {
      l.wi = linear(LinearRole::kFeedForward, w.Bind(LayerName(i, 1, "DenseReluDense.wi_0.weight"), {ff, d}),
                    uff, ud);
      l.wi_1 = linear(LinearRole::kFeedForward,
                      w.Bind(LayerName(i, 1, "DenseReluDense.wi_1.weight"), {ff, d}), uff, ud);
    } else {
      l.wi = linear(LinearRole::kFeedForward, w.Bind(LayerName(i, 1, "DenseReluDense.wi.weight"), {ff, d}),
                    uff, ud);
    }
    l.wo = linear(LinearRole::kFeedForward, w.Bind(LayerName(i, 1, "DenseReluDense.wo.weight"), {d, ff}), ud,
                  uff);
    encoder->layers_.push_back(std::move(l));
  }
  DOCPIPE_RETURN_IF_ERROR(w.status());
  DOCPIPE_RETURN_IF_ERROR(top.status());
  encoder->embeddings_ =
      EmbeddingTable::Make(precision, embeddings, static_cast<size_t>(config.vocab_size), ud);
  encoder->max_length_ = std::max<size_t>(max_length, 1);
  const auto span = static_cast<int64_t>(encoder->max_length_) - 1;
  for (int64_t distance = -span; distance <= span; ++distance)
    encoder->buckets_.push_back(RelativeBucket(distance, config.num_buckets, config.max_distance));
  return encoder;
}

void T5Encoder::FeedForward(const Layer& l, size_t n, Workspace& ws, const float* normed, float* x) const {
  const size_t d = hidden(), ff = static_cast<size_t>(config_.d_ff);
  float* inner = ws.Get(kFf, n * ff);
  float* projected = ws.Get(kProjected, n * d);
  l.wi.Apply(normed, n, nullptr, inner, ws);
  Activate(config_.activation, inner, n * ff);
  if (config_.gated) {
    float* gate = ws.Get(kFfGate, n * ff);
    l.wi_1.Apply(normed, n, nullptr, gate, ws);
    MultiplyInPlace(inner, gate, n * ff);
  }
  l.wo.Apply(inner, n, nullptr, projected, ws);
  AddInPlace(x, projected, n * d);
}

// One pre-norm block, updating the residual stream `x` in place.
void T5Encoder::Block(const Layer& l, const TokenBatch& batch, Workspace& ws, float* x) const {
  const size_t n = batch.tokens(), d = hidden();
  const size_t heads = static_cast<size_t>(config_.heads), head_dim = static_cast<size_t>(config_.d_kv);
  const size_t inner = heads * head_dim;
  float* normed = ws.Get(kNormed, n * d);
  float* ctx = ws.Get(kCtx, n * inner);
  float* projected = ws.Get(kProjected, n * d);
  RmsNorm(x, normed, n, d, l.attn_norm, config_.layer_norm_eps);
  const QkvProjection::Output qkv = l.qkv.Apply(normed, n, ws.Get(kQkv, 3 * n * inner), ws);
  for (size_t t = 0; t < batch.texts(); ++t) {
    const size_t begin = batch.offsets[t] * inner, length = batch.Length(t);
    AttentionArgs args;
    args.q = qkv.q + batch.offsets[t] * qkv.ld;
    args.k = qkv.k + batch.offsets[t] * qkv.ld;
    args.v = qkv.v + batch.offsets[t] * qkv.v_ld;
    args.ctx = ctx + begin;
    args.ld = qkv.ld;
    args.v_ld = qkv.v_ld;
    args.ctx_ld = inner;
    args.length = length;
    args.heads = heads;
    args.head_dim = head_dim;
    args.scale = 1.0f;  // T5 folds the scaling into its initialisation
    args.buckets = buckets_.data();
    args.bucket_center = max_length_ - 1;
    args.bias = relative_bias_;
    SelfAttention(args, ws.Get(kScores, length * length));
  }
  l.o.Apply(ctx, n, nullptr, projected, ws);
  AddInPlace(x, projected, n * d);
  RmsNorm(x, normed, n, d, l.ff_norm, config_.layer_norm_eps);
  FeedForward(l, n, ws, normed, x);
}

void T5Encoder::Forward(const TokenBatch& batch, Workspace& ws, float* out) const {
  const size_t n = batch.tokens(), d = hidden();
  float* x = ws.Get(kX, n * d);
  for (size_t token = 0; token < n; ++token) {
    embeddings_.Row(static_cast<size_t>(batch.ids[token]), x + token * d);
  }
  for (const Layer& layer : layers_) Block(layer, batch, ws, x);
  RmsNorm(x, out, n, d, final_norm_, config_.layer_norm_eps);
}

double T5Encoder::Flops(const TokenBatch& batch) const {
  const double d = config_.d_model, inner = double(config_.heads) * config_.d_kv, ff = config_.d_ff;
  const double ff_matrices = config_.gated ? 3 : 2;
  double total = 0;
  for (size_t t = 0; t < batch.texts(); ++t) {
    const double length = static_cast<double>(batch.Length(t));
    total += length * (2 * (4 * d * inner + ff_matrices * d * ff) + 4 * length * inner);
  }
  return total * config_.layers;
}

}  // namespace docpipe::embed

namespace docpipe::embed {

size_t T5Encoder::weight_bytes() const {
  const size_t d = hidden(), f = sizeof(float);
  size_t total = embeddings_.weight_bytes() + (static_cast<size_t>(config_.num_buckets * config_.heads) + d) *
                                                  f;  // bias table, final norm
  for (const Layer& l : layers_)
    total += l.qkv.weight_bytes() + l.o.weight_bytes() + l.wi.weight_bytes() + l.wi_1.weight_bytes() +
             l.wo.weight_bytes() + 2 * d * f;
  return total;
}

}  // namespace docpipe::embed
