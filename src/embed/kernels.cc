#include "embed/kernels.h"

#include <cblas.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "embed/model_folder.h"

// OpenBLAS's own (exported, undocumented) call that stops its thread pool, as it
// does before a fork. Weak: a BLAS without it leaves its pool as it is.
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));

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

// Independent partial sums per row: 16, one zmm in the AVX-512 clone (with 8
// the layer norm's sums ran at half width there).
constexpr int kLanes = 16;

// e^x for x in [-87, 88], ~2 ulp, branch-free (Cephes' polynomial,
// round-to-nearest by the 1.5·2²³ trick). A template so the softmax can run
// it on whole vectors of lanes (F float, I int32) as well as on one float,
// in place (a 64-byte vector by value would change the default clone's ABI).
template <typename F, typename I>
inline void ExpInRange(F& x) {
  const F shifted = x * 1.44269504088896341f + 12582912.0f;
  const F n = shifted - 12582912.0f;
  const I exponent = __builtin_bit_cast(I, shifted) - 0x4B400000;
  F r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  F p = r * 1.9875691500e-4f + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const F e = p * r * r + r + 1.0f;
  x = e * __builtin_bit_cast(F, (exponent + 127) << 23);  // a builtin: std::bit_cast is a call
}

inline float FastExp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  ExpInRange<float, int32_t>(x);
  return x;
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

// OpenBLAS starts a pool of one thread per core when it is loaded, and each of
// them spins for work (sched_yield) for about 0.1 s before it sleeps: 0.14 CPU-s
// of a 0.58 CPU-s `docpipe convert` of a 270-page manual on 2 cores. docpipe never
// uses that pool: BLAS runs on the calling thread, so a worker pool of N threads
// running N sessions uses N cores, not N * cores. Both are set as soon as this
// library's static initialisers run, right after OpenBLAS's own: one thread first,
// then the pool stopped (setting the count after the shutdown starts a pool thread again).
[[maybe_unused]] const bool kBlasOnCallingThread = [] {
  openblas_set_num_threads(1);
  if (blas_thread_shutdown_ != nullptr) blas_thread_shutdown_();
  return true;
}();

}  // namespace

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

// On GCC vector lanes: plain loops over arrays of lanes left the row maximum
// scalar (vmaxss) and clamped through a blend, which made the softmax a
// twelfth of an int8 forward pass at 128 tokens. Here the maximum is a
// vector max, the exponent needs only its lower clamp (x − max ≤ 0), and the
// sum is taken as the exponentials are stored.
DOCPIPE_VECTOR_CLONES
void SoftmaxRows(float* x, size_t rows, size_t cols) {
  using Lanes = float __attribute__((vector_size(64)));
  using IntLanes = int32_t __attribute__((vector_size(64)));
  constexpr size_t kWidth = sizeof(Lanes) / sizeof(float);
  for (size_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    Lanes highs = {};
    highs -= INFINITY;
    size_t i = 0;
    for (; i + kWidth <= cols; i += kWidth) {
      Lanes v;
      std::memcpy(&v, row + i, sizeof v);
      highs = v > highs ? v : highs;
    }
    float m = -INFINITY;
    for (; i < cols; ++i) m = std::max(m, row[i]);
    for (size_t l = 0; l < kWidth; ++l) m = std::max(m, highs[l]);
    Lanes sums = {};
    i = 0;
    for (; i + kWidth <= cols; i += kWidth) {
      Lanes v;
      std::memcpy(&v, row + i, sizeof v);
      v -= m;
      v = v < -87.0f ? -87.0f : v;
      ExpInRange<Lanes, IntLanes>(v);
      std::memcpy(row + i, &v, sizeof v);
      sums += v;
    }
    float sum = 0;
    for (; i < cols; ++i) {
      float e = std::max(row[i] - m, -87.0f);
      ExpInRange<float, int32_t>(e);
      row[i] = e;
      sum += e;
    }
    for (size_t l = 0; l < kWidth; ++l) sum += sums[l];
    const float inv = 1.0f / sum;
    for (i = 0; i < cols; ++i) row[i] *= inv;
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
