// A linear layer's weights at the model's precision, and the GEMM that
// applies them: float32 through OpenBLAS, bf16 through AVX-512 BF16
// (vdpbf16ps), int8 through VNNI (vpdpbusd: AVX-512 or AVX-VNNI) or AVX2.
//
// int8 is dynamic quantisation: each output channel's weights are scaled to
// [-127, 127] once at load; each activation row is scaled to [0, 255] with a
// zero point when the layer runs. vpdpbusd multiplies unsigned by signed
// bytes, so the zero point comes back out through the weight column sums:
//   y[m][n] = sa[m] · sw[n] · (Σ a_u8[m][k] · w[n][k] − zp[m] · Σ w[n][k]) + b[n]
// Every int8 path computes the same int32 sums and the same float epilogue,
// so the vectors do not depend on which int8 instructions the CPU has.
//
// Packed weights are immutable after load and shared by threads; Apply()
// takes the caller's Workspace for the quantised activations.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "docpipe/embed_precision.h"
#include "docpipe/status.h"
#include "embed/encoder.h"

namespace docpipe::embed {

// The instructions the reduced-precision kernels may use.
struct CpuFeatures {
  bool avx2_fma = false;
  bool avx_vnni = false;     // 256-bit vpdpbusd (Alder Lake, Sapphire Rapids, Zen 5)
  bool avx512_vnni = false;  // with AVX-512 BW
  bool avx512_bf16 = false;

  static CpuFeatures Detect();
};

// The features model loading uses: Detect(), unless a test or benchmark has
// pinned others with PinCpuFeatures (to run a path this CPU would not pick).
CpuFeatures ActiveCpuFeatures();
// Pins (or, with null, unpins) the features seen by later model loads.
// Pinning a feature the CPU lacks makes its kernels fault: tests only pin subsets.
void PinCpuFeatures(const CpuFeatures* features);

enum class Int8Path { kAvx512Vnni, kAvxVnni, kAvx2, kScalar };
Int8Path ChooseInt8Path(const CpuFeatures& features);
std::string_view Int8PathName(Int8Path path);

// Ok when `precision` can run on `features`; bf16 without AVX-512 BF16 is
// Unsupported with a message that names the instruction and the alternatives.
Status CheckPrecisionSupported(EmbedPrecision precision, const CpuFeatures& features);

// What a linear layer does in an encoder block, for LinearPrecision.
enum class LinearRole {
  kQueryKey,         // attention queries and keys
  kValue,            // attention values
  kAttentionOutput,  // attention's output projection
  kFeedForward,      // the feed-forward matrices
};

// The precision a linear layer of encoder block `block` runs at when the
// model runs at `precision`. Every precision but int8 is uniform. int8:
// - the first block runs at bf16 (float32 on a CPU without AVX-512 BF16):
//   rounding error made there passes through every later block, which
//   amplifies it (on the gated-GELU T5 reference model the first block gave
//   two thirds of the int8 cosine loss; llama.cpp's k-quants give their
//   first layers more bits for the same reason);
// - in the other blocks the value and attention-output matrices run at bf16
//   where the CPU has it (int8 otherwise). Their int8 weight rounding was the
//   largest loss of nearest-neighbour recall, measured tensor by tensor on
//   MiniLM-shaped weights over real sentences: the value matrices alone cost
//   as much as the whole feed-forward at a sixth of its multiply-adds, while
//   queries and keys (through softmax) and the activations' rounding
//   (averaged over tokens) cost a tenth of it. Weight rounding is the same
//   for every token, so it does not average out.
EmbedPrecision LinearPrecision(EmbedPrecision precision, size_t block, LinearRole role,
                               const CpuFeatures& features);

class PackedLinear {
 public:
  PackedLinear() = default;

  // `w` is [n, k] row-major (PyTorch's [out, in]); float32 borrows it, the
  // others copy it into their packed layout, so `w` may be dropped after.
  static PackedLinear Float32(const float* w, size_t n, size_t k);
  static PackedLinear BFloat16(const float* w, size_t n, size_t k);
  static PackedLinear Int8(const float* w, size_t n, size_t k, Int8Path path);
  static PackedLinear Make(EmbedPrecision precision, const float* w, size_t n, size_t k,
                           const CpuFeatures& cpu);

  // y[m, n] = x[m, k] · wᵀ + bias[n]; `bias` may be null.
  void Apply(const float* x, size_t m, const float* bias, float* y, Workspace& workspace) const;

  size_t out() const { return n_; }
  size_t in() const { return k_; }
  EmbedPrecision precision() const { return precision_; }
  // Bytes this layer keeps for its weights (a float32 layer's borrowed
  // n·k·4; packed layers their own copy, scales and sums).
  size_t weight_bytes() const;

 private:
  void ApplyInt8(const float* x, size_t m, const float* bias, float* y, Workspace& workspace) const;
  void ApplyBFloat16(const float* x, size_t m, const float* bias, float* y, Workspace& workspace) const;

  EmbedPrecision precision_ = EmbedPrecision::kFloat32;
  Int8Path path_ = Int8Path::kScalar;
  size_t n_ = 0;
  size_t k_ = 0;
  size_t k_padded_ = 0;  // a multiple of 4 (int8) or 2 (bf16)
  const float* f32_ = nullptr;
  std::vector<int8_t> int8_;    // [n/16 blocks][k_padded/4][16 columns][4]
  std::vector<uint16_t> bf16_;  // [n/16 blocks][k_padded/2][16 columns][2]
  std::vector<float> scale_;    // [n rounded up to 16]; int8 only
  std::vector<int32_t> column_sums_;
};

// Query, key and value projections of one attention block. At float32 they
// are three GEMMs over the borrowed weights into three buffers; at reduced
// precision queries and keys are one packed [2·inner, k] matrix (with the
// values too, [3·inner, k], when they share its precision), so the input is
// quantised once and one wider GEMM runs, leaving q and k (and v)
// interleaved per row.
class QkvProjection {
 public:
  // Weights [inner, k] each; biases [inner] or all null. `precision` is the
  // queries' and keys', `value_precision` the values'.
  static QkvProjection Make(EmbedPrecision precision, EmbedPrecision value_precision, const CpuFeatures& cpu,
                            const float* q, const float* k, const float* v, const float* q_bias,
                            const float* k_bias, const float* v_bias, size_t inner, size_t in);

  struct Output {
    const float* q;
    const float* k;
    const float* v;
    size_t ld;    // floats between rows of q and k
    size_t v_ld;  // floats between rows of v
  };
  // Projects x[m, in]; `buffer` holds 3·m·inner floats.
  Output Apply(const float* x, size_t m, float* buffer, Workspace& workspace) const;
  size_t weight_bytes() const;

 private:
  enum class Layout { kSeparate, kQkFused, kAllFused };
  size_t inner_ = 0;
  Layout layout_ = Layout::kSeparate;
  PackedLinear q_, k_, v_, qk_, all_;
  const float* q_bias_ = nullptr;
  const float* k_bias_ = nullptr;
  const float* v_bias_ = nullptr;
  std::vector<float> bias_;  // fused: [2·inner] or [3·inner], or empty
};

// A token-embedding table [rows, dim]. Float32 borrows it; int8 keeps one
// int8 row per token with its own scale (a quarter of the memory), widened
// when a token is looked up.
class EmbeddingTable {
 public:
  static EmbeddingTable Make(EmbedPrecision precision, const float* table, size_t rows, size_t dim);
  // out[dim] = row `id`.
  void Row(size_t id, float* out) const;
  size_t weight_bytes() const;

 private:
  size_t rows_ = 0;
  size_t dim_ = 0;
  const float* f32_ = nullptr;
  std::vector<int8_t> int8_;
  std::vector<float> scale_;
};

// --- kernels (int8_kernels.cc, bf16_kernels.cc) ---------------------------

struct Int8Rows {       // quantised activations
  const uint8_t* data;  // [m, stride]
  size_t stride;
  const float* scale;   // [m]
  const int32_t* zero;  // [m]
};

struct Int8Weights {
  const int8_t* packed;
  size_t n, k_padded;
  const float* scale;          // [n rounded up to 16]
  const int32_t* column_sums;  // [n rounded up to 16]
};

void Int8Gemm(Int8Path path, const Int8Rows& a, size_t m, const Int8Weights& w, const float* bias, float* y);
// Quantises `rows` rows of x[rows, k] into out (stride k_padded, padding 0).
void QuantizeRowsU8(const float* x, size_t rows, size_t k, size_t k_padded, uint8_t* out, float* scale,
                    int32_t* zero);

// bf16: a[m, k_padded] and packed weights as bf16 bits.
void Bf16Gemm(const uint16_t* a, size_t m, const uint16_t* packed, size_t n, size_t k_padded,
              const float* bias, float* y);
void RoundRowsToBf16(const float* x, size_t rows, size_t k, size_t k_padded, uint16_t* out);
uint16_t FloatToBf16(float value);  // round to nearest even, as vcvtneps2bf16

}  // namespace docpipe::embed
