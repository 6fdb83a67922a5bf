// int8 GEMM kernels over the packed layout of packed_linear.h: weights in
// blocks of 16 output columns, 4 consecutive k per column (64 bytes = one
// zmm per block and k-group), activations as uint8 rows.
//
// Each path keeps a tile of MR rows × NR blocks of int32 accumulators in
// registers, broadcasts 4 activation bytes per row and multiplies them into
// each block's 64 weight bytes:
//   AVX-512 VNNI: vpdpbusd zmm, 6 × 4 blocks (24 accumulators);
//   AVX-VNNI:     vpdpbusd ymm, 4 rows × 1 block (two ymm per block);
//   AVX2:         vpmaddubsw + vpmaddwd. vpmaddubsw saturates at 16 bits,
//                 which 2 · 255 · 127 would overflow, so the activation
//                 bytes go in as their low 7 bits and their top bit
//                 separately (2 · 128 · 127 fits): exact, like VNNI;
//   scalar:       plain loops, the reference the tests compare against.
// All paths end in the same epilogue, fma(float(acc − zp·Σw), sa·sw, b).
// (The zmm conversion is the masked form: GCC 12's unmasked one warns.)
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "embed/packed_linear.h"

namespace docpipe::embed {
namespace {

constexpr size_t kBlock = 16;

inline int32_t Load4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline float Epilogue(int32_t acc, int32_t zero, int32_t column_sum, float row_scale, float column_scale,
                      float bias) {
  return std::fma(static_cast<float>(acc - zero * column_sum), row_scale * column_scale, bias);
}

// A tile kernel: rows [m0, m0 + MR), blocks [b0, b0 + NR).
using TileFn = void (*)(const Int8Rows&, size_t m0, const Int8Weights&, size_t b0, const float* bias, float* y);

// Runs `tiles[mr - 1][nr - 1]` over the whole output.
template <size_t MR, size_t NR>
void ForTiles(const Int8Rows& a, size_t m, const Int8Weights& w, const float* bias, float* y,
              const TileFn (&tiles)[MR][NR]) {
  const size_t blocks = (w.n + kBlock - 1) / kBlock;
  for (size_t b0 = 0; b0 < blocks; b0 += NR) {
    const size_t nr = std::min(NR, blocks - b0);
    for (size_t m0 = 0; m0 < m; m0 += MR) tiles[std::min(MR, m - m0) - 1][nr - 1](a, m0, w, b0, bias, y);
  }
}

template <size_t MR, size_t NR, template <size_t, size_t> class Tile>
struct TileTable {
  TileFn fns[MR][NR];
  template <size_t... I>
  static constexpr void Fill(TileFn (&fns)[MR][NR], std::index_sequence<I...>) {
    ((fns[I / NR][I % NR] = &Tile<I / NR + 1, I % NR + 1>::Run), ...);
  }
  constexpr TileTable() : fns{} { Fill(fns, std::make_index_sequence<MR * NR>()); }
};

// ---------------------------------------------------------------- AVX-512 VNNI

#define DOCPIPE_AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni,fma")))

// acc += vpdpbusd(x, w) in place. GCC 12 models the intrinsic as producing a
// new register and spills every accumulator of the tile to the stack on each
// step; the instruction itself accumulates in place, which asm can say.
DOCPIPE_AVX512_VNNI inline void DotBytes512(__m512i& acc, __m512i x, __m512i w) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(x), "v"(w));
}

template <size_t MR, size_t NR>
struct Vnni512Tile {
  DOCPIPE_AVX512_VNNI static void Run(const Int8Rows& a, size_t m0, const Int8Weights& w, size_t b0,
                                      const float* bias, float* y) {
    const size_t groups = w.k_padded / 4, block_bytes = groups * 64;
    const int8_t* panel = w.packed + b0 * block_bytes;
    __m512i acc[MR][NR];
    #pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i)
      #pragma GCC unroll 8
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_si512();
    const uint8_t* rows = a.data + m0 * a.stride;
    for (size_t g = 0; g < groups; ++g) {
      __m512i weights[NR];
      #pragma GCC unroll 8
      for (size_t j = 0; j < NR; ++j) weights[j] = _mm512_loadu_si512(panel + j * block_bytes + g * 64);
      #pragma GCC unroll 8
      for (size_t i = 0; i < MR; ++i) {
        const __m512i x = _mm512_set1_epi32(Load4(rows + i * a.stride + g * 4));
        #pragma GCC unroll 8
        for (size_t j = 0; j < NR; ++j) DotBytes512(acc[i][j], x, weights[j]);
      }
    }
    #pragma GCC unroll 8
    for (size_t j = 0; j < NR; ++j) {
      const size_t column = (b0 + j) * kBlock;
      const size_t count = std::min(kBlock, w.n - column);
      const __mmask16 mask = static_cast<__mmask16>((1u << count) - 1);
      const __m512i sums = _mm512_loadu_si512(w.column_sums + column);
      const __m512 scales = _mm512_loadu_ps(w.scale + column);
      const __m512 b = bias != nullptr ? _mm512_maskz_loadu_ps(mask, bias + column) : _mm512_setzero_ps();
      #pragma GCC unroll 8
      for (size_t i = 0; i < MR; ++i) {
        const size_t row = m0 + i;
        const __m512i shifted = _mm512_sub_epi32(acc[i][j], _mm512_mullo_epi32(_mm512_set1_epi32(a.zero[row]), sums));
        const __m512 scale = _mm512_mul_ps(_mm512_set1_ps(a.scale[row]), scales);
        _mm512_mask_storeu_ps(y + row * w.n + column, mask,
                              _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(0xFFFF, shifted), scale, b));
      }
    }
  }
};

DOCPIPE_AVX512_VNNI void GemmVnni512(const Int8Rows& a, size_t m, const Int8Weights& w, const float* bias,
                                     float* y) {
  static constexpr TileTable<6, 4, Vnni512Tile> table;
  ForTiles(a, m, w, bias, y, table.fns);
}

// ---------------------------------------------------------------- 256-bit paths

// Stores one block (two ymm of int32 sums) of one row through the epilogue.
#define DOCPIPE_AVX2 __attribute__((target("avx2,fma")))
DOCPIPE_AVX2 inline void Store256(const Int8Rows& a, size_t row, const Int8Weights& w, size_t column,
                                  const float* bias, __m256i lo, __m256i hi, float* y) {
  alignas(32) int32_t sums[kBlock];
  _mm256_store_si256(reinterpret_cast<__m256i*>(sums), lo);
  _mm256_store_si256(reinterpret_cast<__m256i*>(sums + 8), hi);
  const size_t count = std::min(kBlock, w.n - column);
  if (count == kBlock) {
    const __m256i zero = _mm256_set1_epi32(a.zero[row]);
    const __m256 row_scale = _mm256_set1_ps(a.scale[row]);
    for (size_t half = 0; half < 2; ++half) {
      const size_t c = column + half * 8;
      const __m256i shifted = _mm256_sub_epi32(
          half == 0 ? lo : hi,
          _mm256_mullo_epi32(zero, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.column_sums + c))));
      const __m256 scale = _mm256_mul_ps(row_scale, _mm256_loadu_ps(w.scale + c));
      const __m256 b = bias != nullptr ? _mm256_loadu_ps(bias + c) : _mm256_setzero_ps();
      _mm256_storeu_ps(y + row * w.n + c, _mm256_fmadd_ps(_mm256_cvtepi32_ps(shifted), scale, b));
    }
    return;
  }
  for (size_t c = 0; c < count; ++c)
    y[row * w.n + column + c] = Epilogue(sums[c], a.zero[row], w.column_sums[column + c], a.scale[row],
                                         w.scale[column + c], bias != nullptr ? bias[column + c] : 0.0f);
}

// acc += Σ₄ x_u8 · w_s8 per int32 lane with 256-bit vpdpbusd (AVX-VNNI). asm
// for the same reason as DotBytes512, and with {vex}: the EVEX form the
// assembler would pick otherwise needs AVX-512 VL, which AVX-VNNI CPUs lack.
struct AvxVnniDot {
  DOCPIPE_AVX2 static void Step(__m256i& acc, __m256i x, __m256i w) {
    asm("%{vex%} vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(x), "v"(w));
  }
};

// The same sums without VNNI, exactly (see the top of the file).
struct Avx2Dot {
  DOCPIPE_AVX2 static void Step(__m256i& acc, __m256i x, __m256i w) {
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i x_low7 = _mm256_and_si256(x, _mm256_set1_epi8(0x7F));
    const __m256i x_top = _mm256_and_si256(x, _mm256_set1_epi8(static_cast<char>(0x80)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(x_low7, w), ones));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(x_top, w), ones));
  }
};

// MR rows × one block, two ymm accumulators per row.
template <typename Dot>
struct Tile256 {
  template <size_t MR, size_t NR>
  struct Of {
    DOCPIPE_AVX2 static void Run(const Int8Rows& a, size_t m0, const Int8Weights& w, size_t b0, const float* bias,
                                 float* y) {
      static_assert(NR == 1);
      const size_t groups = w.k_padded / 4, block_bytes = groups * 64;
      const int8_t* panel = w.packed + b0 * block_bytes;
      __m256i lo[MR], hi[MR];
      #pragma GCC unroll 8
      for (size_t i = 0; i < MR; ++i) lo[i] = hi[i] = _mm256_setzero_si256();
      const uint8_t* rows = a.data + m0 * a.stride;
      for (size_t g = 0; g < groups; ++g) {
        const __m256i w_lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(panel + g * 64));
        const __m256i w_hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(panel + g * 64 + 32));
        #pragma GCC unroll 8
        for (size_t i = 0; i < MR; ++i) {
          const __m256i x = _mm256_set1_epi32(Load4(rows + i * a.stride + g * 4));
          Dot::Step(lo[i], x, w_lo);
          Dot::Step(hi[i], x, w_hi);
        }
      }
      #pragma GCC unroll 8
      for (size_t i = 0; i < MR; ++i) Store256(a, m0 + i, w, b0 * kBlock, bias, lo[i], hi[i], y);
    }
  };
};

template <typename Dot>
DOCPIPE_AVX2 void Gemm256(const Int8Rows& a, size_t m, const Int8Weights& w, const float* bias, float* y) {
  static constexpr TileTable<4, 1, Tile256<Dot>::template Of> table;
  ForTiles(a, m, w, bias, y, table.fns);
}

// ---------------------------------------------------------------- scalar

void GemmScalar(const Int8Rows& a, size_t m, const Int8Weights& w, const float* bias, float* y) {
  const size_t groups = w.k_padded / 4;
  for (size_t row = 0; row < m; ++row) {
    const uint8_t* x = a.data + row * a.stride;
    for (size_t c = 0; c < w.n; ++c) {
      const int8_t* column = w.packed + (c / kBlock) * groups * 64 + (c % kBlock) * 4;
      int32_t acc = 0;
      for (size_t g = 0; g < groups; ++g)
        for (size_t j = 0; j < 4; ++j) acc += int32_t{x[g * 4 + j]} * column[g * 64 + j];
      y[row * w.n + c] = Epilogue(acc, a.zero[row], w.column_sums[c], a.scale[row], w.scale[c],
                                  bias != nullptr ? bias[c] : 0.0f);
    }
  }
}

}  // namespace

void Int8Gemm(Int8Path path, const Int8Rows& a, size_t m, const Int8Weights& w, const float* bias, float* y) {
  switch (path) {
    case Int8Path::kAvx512Vnni:
      return GemmVnni512(a, m, w, bias, y);
    case Int8Path::kAvxVnni:
      return Gemm256<AvxVnniDot>(a, m, w, bias, y);
    case Int8Path::kAvx2:
      return Gemm256<Avx2Dot>(a, m, w, bias, y);
    case Int8Path::kScalar:
      return GemmScalar(a, m, w, bias, y);
  }
}

// Per row: the range [min(x, 0), max(x, 0)] onto [0, 255], so 0 is exact.
// Rounding by the 1.5·2²³ trick keeps the loop branch-free and vectorised
// (the file builds with -ffp-contract=off, so every clone rounds alike).
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void QuantizeRowsU8(
    const float* x, size_t rows, size_t k, size_t k_padded, uint8_t* out, float* scale, int32_t* zero) {
  constexpr float kMagic = 12582912.0f;
  // The range in vector lanes: GCC 12 leaves an array-of-lanes min/max
  // scalar (vminss), which made this loop a fifth of the int8 GEMM's time.
  using Lanes = float __attribute__((vector_size(64)));
  constexpr size_t kLanes = sizeof(Lanes) / sizeof(float);
  for (size_t r = 0; r < rows; ++r) {
    const float* in = x + r * k;
    Lanes lows = {}, highs = {};
    size_t i = 0;
    for (; i + kLanes <= k; i += kLanes) {
      Lanes v;
      std::memcpy(&v, in + i, sizeof v);
      lows = v < lows ? v : lows;
      highs = v > highs ? v : highs;
    }
    float low = 0, high = 0;
    for (; i < k; ++i) {
      low = std::min(low, in[i]);
      high = std::max(high, in[i]);
    }
    for (size_t l = 0; l < kLanes; ++l) {
      low = std::min(low, lows[l]);
      high = std::max(high, highs[l]);
    }
    const float step = high > low ? (high - low) / 255.0f : 1.0f;
    const float inverse = 1.0f / step;
    const float zero_point = std::min(255.0f, std::max(0.0f, (-low * inverse + kMagic) - kMagic));
    scale[r] = step;
    zero[r] = static_cast<int32_t>(zero_point);
    uint8_t* q = out + r * k_padded;
    for (size_t i = 0; i < k; ++i) {
      const float v = (in[i] * inverse + kMagic) - kMagic + zero_point;
      q[i] = static_cast<uint8_t>(static_cast<int32_t>(std::min(255.0f, std::max(0.0f, v))));
    }
    for (size_t i = k; i < k_padded; ++i) q[i] = 0;
  }
}

}  // namespace docpipe::embed
