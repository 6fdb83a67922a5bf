// The encoder's numeric kernels: GEMM through OpenBLAS and the row-wise
// operations around it (layer norms, activations, softmax), written as plain
// loops the compiler vectorises; an AVX2+FMA clone is picked at run time.
// Pure functions over caller-owned buffers; thread-safe; they never allocate.
#pragma once

#include <cstddef>

namespace docpipe::embed {

// y[m, n] = x[m, k] · w[n, k]ᵀ + bias[n]: PyTorch's Linear with its [out, in]
// weight layout. `bias` may be null. Row strides are the dense widths.
void Linear(const float* x, size_t m, size_t k, const float* w, const float* bias, size_t n, float* y);

// c[m, n] = alpha · a[m, k] · b[n, k]ᵀ with explicit leading dimensions, for
// attention scores computed on one head's column slice.
void GemmNT(size_t m, size_t n, size_t k, float alpha, const float* a, size_t lda, const float* b, size_t ldb,
            float* c, size_t ldc);

// c[m, n] = a[m, k] · b[k, n] with explicit leading dimensions.
void GemmNN(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb, float* c,
            size_t ldc);

// x[r] = LayerNorm(x[r] + residual[r]) with gamma, beta; Hugging Face's
// post-LayerNorm residual step (biased variance, eps inside the root).
// `residual` may be null for a plain LayerNorm.
void AddLayerNorm(float* x, const float* residual, size_t rows, size_t dim, const float* gamma,
                  const float* beta, float eps);

// y[r] = x[r] / sqrt(mean(x[r]²) + eps) · weight: T5's norm (no mean, no bias).
void RmsNorm(const float* x, float* y, size_t rows, size_t dim, const float* weight, float eps);

void AddInPlace(float* y, const float* x, size_t n);

void GeluErf(float* x, size_t n);   // x · Φ(x), the exact ("gelu") form
void GeluTanh(float* x, size_t n);  // the tanh approximation ("gelu_new")
void Relu(float* x, size_t n);
void Tanh(float* x, size_t n);
void MultiplyInPlace(float* y, const float* x, size_t n);

enum class Activation;  // embed/model_folder.h

// The activation a model's config names, applied in place.
void Activate(Activation activation, float* x, size_t n);

// Row-wise softmax over `cols` contiguous values, in place.
void SoftmaxRows(float* x, size_t rows, size_t cols);

}  // namespace docpipe::embed
