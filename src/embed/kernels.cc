#include "embed/kernels.h"

#include "embed/model_folder.h"

#include <cblas.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>

// Row kernels get AVX-512 and AVX2+FMA clones chosen at load time by the CPU,
// so the library stays portable while server CPUs run 16 or 8 lanes (with
// int8 GEMMs, GELU at 8 lanes was a fifth of the int8 GEMM's time on MiniLM).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define DOCPIPE_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define DOCPIPE_VECTOR_CLONES
#endif

namespace docpipe::embed {
namespace {

constexpr int kLanes = 8;

// expf with ~2 ulp error over the range softmax and GELU need, branch-free so
// loops over it vectorise (Cephes' polynomial, round-to-nearest by the 1.5·2²³ trick).
inline float FastExp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float shifted = x * 1.44269504088896341f + 12582912.0f;
  const float n = shifted - 12582912.0f;
  const int32_t exponent = std::bit_cast<int32_t>(shifted) - 0x4B400000;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e = p * r * r + r + 1.0f;
  return e * std::bit_cast<float>((exponent + 127) << 23);
}

// erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7).
inline float FastErf(float x) {
  const float a = std::fabs(x);
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  float p = 1.061405429f;
  p = p * t - 1.453152027f;
  p = p * t + 1.421413741f;
  p = p * t - 0.284496736f;
  p = p * t + 0.254829592f;
  const float y = 1.0f - p * t * FastExp(-a * a);
  return std::copysign(y, x);
}

inline float FastTanh(float x) {
  const float c = std::min(std::max(x, -15.0f), 15.0f);
  return 1.0f - 2.0f / (FastExp(2.0f * c) + 1.0f);
}

// Sum and sum of squares with independent lanes so the loop vectorises
// without reassociation flags.
inline float Sum(const float* x, size_t n) {
  float lanes[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) lanes[l] += x[i + l];
  float s = 0;
  for (; i < n; ++i) s += x[i];
  for (int l = 0; l < kLanes; ++l) s += lanes[l];
  return s;
}

inline float SumSquares(const float* x, size_t n, float center) {
  float lanes[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      const float d = x[i + l] - center;
      lanes[l] += d * d;
    }
  float s = 0;
  for (; i < n; ++i) s += (x[i] - center) * (x[i] - center);
  for (int l = 0; l < kLanes; ++l) s += lanes[l];
  return s;
}

inline float Max(const float* x, size_t n) {
  float lanes[kLanes];
  for (int l = 0; l < kLanes; ++l) lanes[l] = -INFINITY;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) lanes[l] = std::max(lanes[l], x[i + l]);
  float m = -INFINITY;
  for (; i < n; ++i) m = std::max(m, x[i]);
  for (int l = 0; l < kLanes; ++l) m = std::max(m, lanes[l]);
  return m;
}

}  // namespace

void UseCallingThreadForBlas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

void Linear(const float* x, size_t m, size_t k, const float* w, const float* bias, size_t n, float* y) {
  float beta = 0.0f;
  if (bias != nullptr) {  // start from the bias and let the GEMM accumulate onto it
    for (size_t r = 0; r < m; ++r) std::memcpy(y + r * n, bias, n * sizeof(float));
    beta = 1.0f;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, x, static_cast<int>(k), w, static_cast<int>(k), beta, y,
              static_cast<int>(n));
}

void GemmNT(size_t m, size_t n, size_t k, float alpha, const float* a, size_t lda, const float* b, size_t ldb,
            float* c, size_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), 0.0f, c,
              static_cast<int>(ldc));
}

void GemmNN(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb, float* c,
            size_t ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), 0.0f, c,
              static_cast<int>(ldc));
}

DOCPIPE_VECTOR_CLONES
void AddLayerNorm(float* x, const float* residual, size_t rows, size_t dim, const float* gamma,
                  const float* beta, float eps) {
  for (size_t r = 0; r < rows; ++r) {
    float* row = x + r * dim;
    if (residual != nullptr) {
      const float* res = residual + r * dim;
      for (size_t i = 0; i < dim; ++i) row[i] += res[i];
    }
    const float mean = Sum(row, dim) / static_cast<float>(dim);
    const float var = SumSquares(row, dim, mean) / static_cast<float>(dim);
    const float inv = 1.0f / std::sqrt(var + eps);
    for (size_t i = 0; i < dim; ++i) row[i] = (row[i] - mean) * inv * gamma[i] + beta[i];
  }
}

DOCPIPE_VECTOR_CLONES
void RmsNorm(const float* x, float* y, size_t rows, size_t dim, const float* weight, float eps) {
  for (size_t r = 0; r < rows; ++r) {
    const float* in = x + r * dim;
    float* out = y + r * dim;
    const float inv = 1.0f / std::sqrt(SumSquares(in, dim, 0.0f) / static_cast<float>(dim) + eps);
    for (size_t i = 0; i < dim; ++i) out[i] = weight[i] * (in[i] * inv);
  }
}

DOCPIPE_VECTOR_CLONES
void AddInPlace(float* y, const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] += x[i];
}

DOCPIPE_VECTOR_CLONES
void MultiplyInPlace(float* y, const float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] *= x[i];
}

DOCPIPE_VECTOR_CLONES
void GeluErf(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + FastErf(x[i] * 0.70710678118654752f));
}

DOCPIPE_VECTOR_CLONES
void GeluTanh(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    x[i] = 0.5f * v * (1.0f + FastTanh(0.79788456080286536f * (v + 0.044715f * v * v * v)));
  }
}

DOCPIPE_VECTOR_CLONES
void Relu(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = std::max(x[i], 0.0f);
}

DOCPIPE_VECTOR_CLONES
void Tanh(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = FastTanh(x[i]);
}

DOCPIPE_VECTOR_CLONES
void SoftmaxRows(float* x, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    const float m = Max(row, cols);
    for (size_t i = 0; i < cols; ++i) row[i] = FastExp(row[i] - m);
    const float inv = 1.0f / Sum(row, cols);
    for (size_t i = 0; i < cols; ++i) row[i] *= inv;
  }
}

void Activate(Activation activation, float* x, size_t n) {
  switch (activation) {
    case Activation::kGeluErf:
      GeluErf(x, n);
      break;
    case Activation::kGeluTanh:
      GeluTanh(x, n);
      break;
    case Activation::kRelu:
      Relu(x, n);
      break;
    case Activation::kTanh:
      Tanh(x, n);
      break;
    case Activation::kIdentity:
      break;
  }
}

}  // namespace docpipe::embed
