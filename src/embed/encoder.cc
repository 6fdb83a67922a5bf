#include "embed/encoder.h"

#include "embed/kernels.h"
#include "embed/packed_linear.h"

namespace docpipe::embed {

float* Workspace::Get(size_t slot, size_t count) {
  if (slot >= buffers_.size()) buffers_.resize(slot + 1);
  std::vector<float>& buffer = buffers_[slot];
  if (buffer.size() < count) {
    buffer.clear();
    buffer.shrink_to_fit();
    buffer.resize(count + count / 4);  // headroom so slightly longer batches reuse it
  }
  return buffer.data();
}

std::byte* Workspace::Bytes(size_t count) {
  if (raw_.size() < count + 64) raw_.resize(count + count / 4 + 64);
  void* start = raw_.data();
  size_t space = raw_.size();
  return static_cast<std::byte*>(std::align(64, count, start, space));
}

size_t Workspace::bytes() const {
  size_t total = raw_.capacity();
  for (const auto& buffer : buffers_) total += buffer.capacity() * sizeof(float);
  return total;
}

const float* WeightBinder::Bind(std::initializer_list<std::string> names, const std::vector<int64_t>& shape) {
  if (!status_.ok()) return nullptr;
  for (const std::string& name : names) {
    if (file_.Find(prefix_ + name) == nullptr) continue;
    auto floats = file_.Floats(prefix_ + name, shape, arena_);
    if (!floats.ok()) {
      status_ = floats.status();
      return nullptr;
    }
    return *floats;
  }
  status_ = Status::NotFound("tensor " + prefix_ + *names.begin() + " " + ShapeString(shape) +
                             " not found in " + file_.file().path());
  return nullptr;
}

const float* WeightBinder::BindOptional(const std::string& name, const std::vector<int64_t>& shape) {
  if (file_.Find(prefix_ + name) == nullptr) return nullptr;
  return Bind(name, shape);
}

namespace {

// T5's relative position bias for head h, onto scores[n, n].
void AddRelativeBias(const AttentionArgs& a, size_t h, float* scores) {
  const size_t n = a.length;
  for (size_t i = 0; i < n; ++i) {
    float* row = scores + i * n;
    const int32_t* bucket = a.buckets + a.bucket_center - i;  // bucket[j] is for j - i
    for (size_t j = 0; j < n; ++j) row[j] += a.bias[static_cast<size_t>(bucket[j]) * a.heads + h];
  }
}

// The bf16 form: per head, the scaled queries rounded to bf16 rows, the
// keys and values packed as the tile's column operand (keys: one column per
// key over head_dim; values: one column per head dimension over the tokens),
// and the softmax's probabilities written as bf16 rows.
void SelfAttentionBf16Tile(const AttentionArgs& a, float* scores, Workspace& ws) {
  const size_t n = a.length, d = a.head_dim;
  const size_t d_padded = (d + 1) / 2 * 2, n_padded = (n + 1) / 2 * 2;
  const size_t key_columns = (n + 15) / 16 * 16, value_columns = (d + 15) / 16 * 16;
  const size_t rows_bytes = ByteCarver::Size(n * d_padded * 2),
               keys_bytes = ByteCarver::Size(key_columns * d_padded * 2),
               values_bytes = ByteCarver::Size(value_columns * n_padded * 2),
               probs_bytes = ByteCarver::Size(n * n_padded * 2);
  ByteCarver carve(ws.Bytes(2 * rows_bytes + keys_bytes + values_bytes + probs_bytes));
  auto* queries = carve.Take<uint16_t>(n * d_padded);
  auto* key_rows = carve.Take<uint16_t>(n * d_padded);
  auto* keys = carve.Take<uint16_t>(key_columns * d_padded);
  auto* values = carve.Take<uint16_t>(value_columns * n_padded);
  auto* probs = carve.Take<uint16_t>(n * n_padded);
  for (size_t h = 0; h < a.heads; ++h) {
    const size_t column = h * d;
    RoundRowsToBf16(a.q + column, a.ld, n, d, d_padded, a.scale, queries);
    RoundRowsToBf16(a.k + column, a.ld, n, d, d_padded, 1.0f, key_rows);
    PackBf16Rows(key_rows, n, d_padded, keys);
    Bf16Gemm(queries, n, keys, n, d_padded, nullptr, scores, n);
    if (a.buckets != nullptr) AddRelativeBias(a, h, scores);
    SoftmaxRowsToBf16(scores, n, n, probs, n_padded);
    PackBf16Columns(a.v + column, a.v_ld, n, d, values);
    Bf16Gemm(probs, n, values, d, n_padded, nullptr, a.ctx + column, a.ctx_ld);
  }
}

}  // namespace

void SelfAttention(const AttentionArgs& a, float* scores, Workspace& ws) {
  if (a.kernel == AttentionKernel::kBf16Tile) return SelfAttentionBf16Tile(a, scores, ws);
  const size_t n = a.length;
  for (size_t h = 0; h < a.heads; ++h) {
    const size_t column = h * a.head_dim;
    // scores[n, n] = scale · q_h k_hᵀ
    GemmNT(n, n, a.head_dim, a.scale, a.q + column, a.ld, a.k + column, a.ld, scores, n);
    if (a.buckets != nullptr) AddRelativeBias(a, h, scores);
    SoftmaxRows(scores, n, n);
    // ctx_h[n, head_dim] = scores · v_h
    GemmNN(n, a.head_dim, n, scores, n, a.v + column, a.v_ld, a.ctx + column, a.ctx_ld);
  }
}

}  // namespace docpipe::embed
