// bf16 GEMM with AVX-512 BF16: weights packed in blocks of 16 output columns
// with 2 consecutive k per column (64 bytes = one zmm per block and k-pair),
// activations rounded to bf16 per row; vdpbf16ps accumulates in float32.
// A tile of 6 rows × 4 blocks keeps 24 zmm accumulators in registers.
#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <utility>

#include "embed/packed_linear.h"

namespace docpipe::embed {
namespace {

constexpr size_t kBlock = 16;
#define DOCPIPE_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512bf16")))

using TileFn = void (*)(const uint16_t* a, size_t k_padded, const uint16_t* panel, size_t block_elements,
                        size_t n, size_t column, const float* bias, float* y);

template <size_t MR, size_t NR>
DOCPIPE_AVX512_BF16 void Tile(const uint16_t* a, size_t k_padded, const uint16_t* panel, size_t block_elements,
                              size_t n, size_t column, const float* bias, float* y) {
  const size_t pairs = k_padded / 2;
  __m512 acc[MR][NR];
  #pragma GCC unroll 8
  for (size_t i = 0; i < MR; ++i)
    #pragma GCC unroll 8
    for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_setzero_ps();
  for (size_t p = 0; p < pairs; ++p) {
    __m512bh weights[NR];
    #pragma GCC unroll 8
    for (size_t j = 0; j < NR; ++j)
      weights[j] = reinterpret_cast<__m512bh>(_mm512_loadu_si512(panel + j * block_elements + p * 32));
    #pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) {
      int32_t pair;
      std::memcpy(&pair, a + i * k_padded + p * 2, 4);
      const auto x = reinterpret_cast<__m512bh>(_mm512_set1_epi32(pair));
      #pragma GCC unroll 8
      for (size_t j = 0; j < NR; ++j) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], x, weights[j]);
    }
  }
  #pragma GCC unroll 8
  for (size_t j = 0; j < NR; ++j) {
    const size_t c = column + j * kBlock;
    const size_t count = std::min(kBlock, n - c);
    const auto mask = static_cast<__mmask16>((1u << count) - 1);
    const __m512 b = bias != nullptr ? _mm512_maskz_loadu_ps(mask, bias + c) : _mm512_setzero_ps();
    #pragma GCC unroll 8
    for (size_t i = 0; i < MR; ++i) _mm512_mask_storeu_ps(y + i * n + c, mask, _mm512_add_ps(acc[i][j], b));
  }
}

constexpr size_t kRows = 6, kBlocks = 4;

struct Table {
  TileFn fns[kRows][kBlocks];
  template <size_t... I>
  constexpr void Fill(std::index_sequence<I...>) {
    ((fns[I / kBlocks][I % kBlocks] = &Tile<I / kBlocks + 1, I % kBlocks + 1>), ...);
  }
  constexpr Table() : fns{} { Fill(std::make_index_sequence<kRows * kBlocks>()); }
};

}  // namespace

uint16_t FloatToBf16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);  // quiet NaN
  return static_cast<uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

DOCPIPE_AVX512_BF16 void RoundRowsToBf16(const float* x, size_t rows, size_t k, size_t k_padded, uint16_t* out) {
  for (size_t r = 0; r < rows; ++r) {
    const float* in = x + r * k;
    uint16_t* row = out + r * k_padded;
    size_t i = 0;
    for (; i + 16 <= k; i += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(row + i),
                          reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_loadu_ps(in + i))));
    for (; i < k; ++i) row[i] = FloatToBf16(in[i]);
    for (; i < k_padded; ++i) row[i] = 0;
  }
}

DOCPIPE_AVX512_BF16 void Bf16Gemm(const uint16_t* a, size_t m, const uint16_t* packed, size_t n, size_t k_padded,
                                  const float* bias, float* y) {
  static constexpr Table table;
  const size_t blocks = (n + kBlock - 1) / kBlock, block_elements = k_padded * kBlock;
  for (size_t b0 = 0; b0 < blocks; b0 += kBlocks) {
    const size_t nr = std::min(kBlocks, blocks - b0);
    for (size_t m0 = 0; m0 < m; m0 += kRows) {
      const size_t mr = std::min(kRows, m - m0);
      table.fns[mr - 1][nr - 1](a + m0 * k_padded, k_padded, packed + b0 * block_elements, block_elements, n,
                                b0 * kBlock, bias, y + m0 * n);
    }
  }
}

}  // namespace docpipe::embed
