#include "embed/packed_linear.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "embed/kernels.h"

namespace docpipe::embed {
namespace {

constexpr size_t kBlock = 16;  // output columns per packed block (one zmm of int32 or float)

size_t RoundUp(size_t value, size_t multiple) { return (value + multiple - 1) / multiple * multiple; }

std::atomic<const CpuFeatures*> pinned{nullptr};

// Carves typed arrays out of a Workspace's raw bytes, each 64-byte aligned.
class Carver {
 public:
  explicit Carver(std::byte* base) : next_(base) {}
  template <typename T>
  T* Take(size_t count) {
    T* out = reinterpret_cast<T*>(next_);
    next_ += RoundUp(count * sizeof(T), 64);
    return out;
  }
  static size_t Size(size_t bytes) { return RoundUp(bytes, 64); }

 private:
  std::byte* next_;
};

}  // namespace

CpuFeatures CpuFeatures::Detect() {
  CpuFeatures f;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#if !defined(__clang__) || __clang_major__ >= 15  // clang 14 does not know the feature's name
  f.avx_vnni = f.avx2_fma && __builtin_cpu_supports("avxvnni");
#endif
  f.avx512_vnni = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                  __builtin_cpu_supports("avx512vnni");
  f.avx512_bf16 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                  __builtin_cpu_supports("avx512bf16");
#endif
  return f;
}

CpuFeatures ActiveCpuFeatures() {
  const CpuFeatures* forced = pinned.load();
  if (forced != nullptr) return *forced;
  static const CpuFeatures detected = CpuFeatures::Detect();
  return detected;
}

void PinCpuFeatures(const CpuFeatures* features) { pinned.store(features); }

Int8Path ChooseInt8Path(const CpuFeatures& f) {
  if (f.avx512_vnni) return Int8Path::kAvx512Vnni;
  if (f.avx_vnni) return Int8Path::kAvxVnni;
  if (f.avx2_fma) return Int8Path::kAvx2;
  return Int8Path::kScalar;
}

std::string_view Int8PathName(Int8Path path) {
  switch (path) {
    case Int8Path::kAvx512Vnni:
      return "avx512-vnni";
    case Int8Path::kAvxVnni:
      return "avx-vnni";
    case Int8Path::kAvx2:
      return "avx2";
    case Int8Path::kScalar:
      return "scalar";
  }
  return "?";
}

Status CheckPrecisionSupported(EmbedPrecision precision, const CpuFeatures& f) {
  if (precision == EmbedPrecision::kBFloat16 && !f.avx512_bf16)
    return Status::Unsupported(
        "--precision bf16 needs a CPU with AVX-512 BF16 (vdpbf16ps: Cooper Lake, Sapphire Rapids, Zen 4 "
        "or later), which this one lacks; use --precision int8 (VNNI or AVX2) or fp32");
  return Status::Ok();
}

EmbedPrecision LinearPrecision(EmbedPrecision precision, size_t block, LinearRole role,
                               const CpuFeatures& f) {
  if (precision != EmbedPrecision::kInt8) return precision;
  if (block == 0) return f.avx512_bf16 ? EmbedPrecision::kBFloat16 : EmbedPrecision::kFloat32;
  // Not float32 where bf16 is missing: that would take these layers' weights
  // past the 30%-of-float32 memory the int8 mode promises.
  const bool wider = role == LinearRole::kValue || role == LinearRole::kAttentionOutput;
  return wider && f.avx512_bf16 ? EmbedPrecision::kBFloat16 : EmbedPrecision::kInt8;
}

PackedLinear PackedLinear::Float32(const float* w, size_t n, size_t k) {
  PackedLinear layer;
  layer.precision_ = EmbedPrecision::kFloat32;
  layer.f32_ = w;
  layer.n_ = n;
  layer.k_ = layer.k_padded_ = k;
  return layer;
}

PackedLinear PackedLinear::Int8(const float* w, size_t n, size_t k, Int8Path path) {
  PackedLinear layer;
  layer.precision_ = EmbedPrecision::kInt8;
  layer.path_ = path;
  layer.n_ = n;
  layer.k_ = k;
  layer.k_padded_ = RoundUp(k, 4);
  const size_t n_padded = RoundUp(n, kBlock), groups = layer.k_padded_ / 4;
  layer.int8_.assign(n_padded * layer.k_padded_, 0);
  layer.scale_.assign(n_padded, 0.0f);
  layer.column_sums_.assign(n_padded, 0);
  for (size_t c = 0; c < n; ++c) {
    const float* row = w + c * k;
    float max = 0;
    for (size_t i = 0; i < k; ++i) max = std::max(max, std::fabs(row[i]));
    const float scale = max > 0 ? max / 127.0f : 1.0f;
    layer.scale_[c] = scale;
    int8_t* block = layer.int8_.data() + (c / kBlock) * groups * kBlock * 4 + (c % kBlock) * 4;
    int32_t sum = 0;
    for (size_t i = 0; i < k; ++i) {
      const auto q = static_cast<int8_t>(std::clamp(std::nearbyint(row[i] / scale), -127.0f, 127.0f));
      block[(i / 4) * kBlock * 4 + i % 4] = q;
      sum += q;
    }
    layer.column_sums_[c] = sum;
  }
  return layer;
}

PackedLinear PackedLinear::BFloat16(const float* w, size_t n, size_t k) {
  PackedLinear layer;
  layer.precision_ = EmbedPrecision::kBFloat16;
  layer.n_ = n;
  layer.k_ = k;
  layer.k_padded_ = RoundUp(k, 2);
  const size_t n_padded = RoundUp(n, kBlock), pairs = layer.k_padded_ / 2;
  layer.bf16_.assign(n_padded * layer.k_padded_, 0);
  for (size_t c = 0; c < n; ++c) {
    uint16_t* block = layer.bf16_.data() + (c / kBlock) * pairs * kBlock * 2 + (c % kBlock) * 2;
    for (size_t i = 0; i < k; ++i) block[(i / 2) * kBlock * 2 + i % 2] = FloatToBf16(w[c * k + i]);
  }
  return layer;
}

PackedLinear PackedLinear::Make(EmbedPrecision precision, const float* w, size_t n, size_t k,
                                const CpuFeatures& cpu) {
  switch (precision) {
    case EmbedPrecision::kInt8:
      return Int8(w, n, k, ChooseInt8Path(cpu));
    case EmbedPrecision::kBFloat16:
      return BFloat16(w, n, k);
    case EmbedPrecision::kFloat32:
      break;
  }
  return Float32(w, n, k);
}

size_t PackedLinear::weight_bytes() const {
  if (precision_ == EmbedPrecision::kFloat32) return n_ * k_ * sizeof(float);
  return int8_.size() + bf16_.size() * sizeof(uint16_t) + scale_.size() * sizeof(float) +
         column_sums_.size() * sizeof(int32_t);
}

void PackedLinear::Apply(const float* x, size_t m, const float* bias, float* y, Workspace& ws) const {
  if (m == 0) return;
  switch (precision_) {
    case EmbedPrecision::kFloat32:
      Linear(x, m, k_, f32_, bias, n_, y);
      return;
    case EmbedPrecision::kInt8:
      ApplyInt8(x, m, bias, y, ws);
      return;
    case EmbedPrecision::kBFloat16:
      ApplyBFloat16(x, m, bias, y, ws);
      return;
  }
}

void PackedLinear::ApplyInt8(const float* x, size_t m, const float* bias, float* y, Workspace& ws) const {
  Carver carve(ws.Bytes(Carver::Size(m * k_padded_) + 2 * Carver::Size(m * 4)));
  auto* data = carve.Take<uint8_t>(m * k_padded_);
  auto* scale = carve.Take<float>(m);
  auto* zero = carve.Take<int32_t>(m);
  QuantizeRowsU8(x, m, k_, k_padded_, data, scale, zero);
  const Int8Rows rows{data, k_padded_, scale, zero};
  const Int8Weights weights{int8_.data(), n_, k_padded_, scale_.data(), column_sums_.data()};
  Int8Gemm(path_, rows, m, weights, bias, y);
}

void PackedLinear::ApplyBFloat16(const float* x, size_t m, const float* bias, float* y, Workspace& ws) const {
  auto* rows = reinterpret_cast<uint16_t*>(ws.Bytes(m * k_padded_ * sizeof(uint16_t)));
  RoundRowsToBf16(x, m, k_, k_padded_, rows);
  Bf16Gemm(rows, m, bf16_.data(), n_, k_padded_, bias, y);
}

QkvProjection QkvProjection::Make(EmbedPrecision precision, EmbedPrecision value_precision,
                                  const CpuFeatures& cpu, const float* q, const float* k, const float* v,
                                  const float* q_bias, const float* k_bias, const float* v_bias, size_t inner,
                                  size_t in) {
  QkvProjection p;
  p.inner_ = inner;
  p.v_bias_ = v_bias;
  if (precision == EmbedPrecision::kFloat32) {
    p.layout_ = Layout::kSeparate;
    p.q_ = PackedLinear::Float32(q, inner, in);
    p.k_ = PackedLinear::Float32(k, inner, in);
    p.v_ = PackedLinear::Make(value_precision, v, inner, in, cpu);
    p.q_bias_ = q_bias;
    p.k_bias_ = k_bias;
    return p;
  }
  const bool all = value_precision == precision;
  p.layout_ = all ? Layout::kAllFused : Layout::kQkFused;
  std::vector<const float*> parts{q, k}, biases{q_bias, k_bias};
  if (all) {
    parts.push_back(v);
    biases.push_back(v_bias);
  } else {
    p.v_ = PackedLinear::Make(value_precision, v, inner, in, cpu);
  }
  std::vector<float> stacked;
  stacked.reserve(parts.size() * inner * in);
  for (const float* w : parts) stacked.insert(stacked.end(), w, w + inner * in);
  (all ? p.all_ : p.qk_) = PackedLinear::Make(precision, stacked.data(), parts.size() * inner, in, cpu);
  if (q_bias != nullptr)
    for (const float* b : biases) p.bias_.insert(p.bias_.end(), b, b + inner);
  return p;
}

QkvProjection::Output QkvProjection::Apply(const float* x, size_t m, float* buffer, Workspace& ws) const {
  const float* fused_bias = bias_.empty() ? nullptr : bias_.data();
  float* v = buffer + 2 * m * inner_;
  switch (layout_) {
    case Layout::kAllFused:
      all_.Apply(x, m, fused_bias, buffer, ws);
      return {buffer, buffer + inner_, buffer + 2 * inner_, 3 * inner_, 3 * inner_};
    case Layout::kQkFused:
      qk_.Apply(x, m, fused_bias, buffer, ws);
      v_.Apply(x, m, v_bias_, v, ws);
      return {buffer, buffer + inner_, v, 2 * inner_, inner_};
    case Layout::kSeparate:
      break;
  }
  float* q = buffer;
  float* k = buffer + m * inner_;
  q_.Apply(x, m, q_bias_, q, ws);
  k_.Apply(x, m, k_bias_, k, ws);
  v_.Apply(x, m, v_bias_, v, ws);
  return {q, k, v, inner_, inner_};
}

size_t QkvProjection::weight_bytes() const {
  const size_t separate_biases =
      (q_bias_ ? 2 * inner_ : 0) + (v_bias_ && layout_ != Layout::kAllFused ? inner_ : 0);
  return q_.weight_bytes() + k_.weight_bytes() + v_.weight_bytes() + qk_.weight_bytes() +
         all_.weight_bytes() + (bias_.size() + separate_biases) * sizeof(float);
}

EmbeddingTable EmbeddingTable::Make(EmbedPrecision precision, const float* table, size_t rows, size_t dim) {
  EmbeddingTable t;
  t.rows_ = rows;
  t.dim_ = dim;
  if (precision != EmbedPrecision::kInt8) {
    t.f32_ = table;
    return t;
  }
  t.int8_.resize(rows * dim);
  t.scale_.resize(rows);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = table + r * dim;
    float max = 0;
    for (size_t i = 0; i < dim; ++i) max = std::max(max, std::fabs(row[i]));
    const float scale = max > 0 ? max / 127.0f : 1.0f;
    t.scale_[r] = scale;
    for (size_t i = 0; i < dim; ++i)
      t.int8_[r * dim + i] = static_cast<int8_t>(std::clamp(std::nearbyint(row[i] / scale), -127.0f, 127.0f));
  }
  return t;
}

void EmbeddingTable::Row(size_t id, float* out) const {
  if (f32_ != nullptr) {
    std::memcpy(out, f32_ + id * dim_, dim_ * sizeof(float));
    return;
  }
  const int8_t* row = int8_.data() + id * dim_;
  const float scale = scale_[id];
  for (size_t i = 0; i < dim_; ++i) out[i] = static_cast<float>(row[i]) * scale;
}

size_t EmbeddingTable::weight_bytes() const {
  if (f32_ != nullptr) return rows_ * dim_ * sizeof(float);
  return int8_.size() + scale_.size() * sizeof(float);
}

}  // namespace docpipe::embed
