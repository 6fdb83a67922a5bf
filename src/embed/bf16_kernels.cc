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
                        size_t n, size_t column, const float* bias, float* y, size_t ldy);

template <size_t MR, size_t NR>
DOCPIPE_AVX512_BF16 void Tile(const uint16_t* a, size_t k_padded, const uint16_t* panel, size_t block_elements,
                              size_t n, size_t column, const float* bias, float* y, size_t ldy) {
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
    for (size_t i = 0; i < MR; ++i) _mm512_mask_storeu_ps(y + i * ldy + c, mask, _mm512_add_ps(acc[i][j], b));
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

DOCPIPE_AVX512_BF16 void RoundRowsToBf16(const float* x, size_t ld, size_t rows, size_t k, size_t k_padded,
                                         float scale, uint16_t* out) {
  const __m512 factor = _mm512_set1_ps(scale);
  for (size_t r = 0; r < rows; ++r) {
    const float* in = x + r * ld;
    uint16_t* row = out + r * k_padded;
    size_t i = 0;
    for (; i + 16 <= k; i += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(row + i),
                          reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(_mm512_mul_ps(_mm512_loadu_ps(in + i), factor))));
    for (; i < k; ++i) row[i] = FloatToBf16(in[i] * scale);
    for (; i < k_padded; ++i) row[i] = 0;
  }
}

void PackBf16Rows(const uint16_t* rows, size_t count, size_t k_padded, uint16_t* out) {
  // A pair of bf16 is one 32-bit word in both layouts, so packing is a
  // transposition of words: row r's pair p goes to block r/16, slot p·16 + r%16.
  const size_t pairs = k_padded / 2, blocks = (count + kBlock - 1) / kBlock;
  auto* words = reinterpret_cast<uint32_t*>(out);
  for (size_t b = 0; b < blocks; ++b) {
    uint32_t* block = words + b * pairs * kBlock;
    const size_t in_block = std::min(kBlock, count - b * kBlock);
    for (size_t r = 0; r < in_block; ++r) {
      const uint16_t* row = rows + (b * kBlock + r) * k_padded;
      for (size_t p = 0; p < pairs; ++p) std::memcpy(block + p * kBlock + r, row + 2 * p, 4);
    }
    for (size_t r = in_block; r < kBlock; ++r)
      for (size_t p = 0; p < pairs; ++p) block[p * kBlock + r] = 0;
  }
}

DOCPIPE_AVX512_BF16 void PackBf16Columns(const float* x, size_t ld, size_t rows, size_t columns, uint16_t* out) {
  // Rows 2p and 2p + 1 of a block of 16 columns, rounded in one instruction
  // (row 2p in the low half), then interleaved into (x[2p][c], x[2p+1][c]) pairs.
  alignas(64) static constexpr uint16_t kInterleave[32] = {0, 16, 1, 17, 2,  18, 3,  19, 4,  20, 5,
                                                           21, 6, 22, 7, 23, 8,  24, 9,  25, 10, 26,
                                                           11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
  const __m512i interleave = _mm512_load_si512(kInterleave);
  const size_t pairs = (rows + 1) / 2, blocks = (columns + kBlock - 1) / kBlock;
  for (size_t b = 0; b < blocks; ++b) {
    const size_t count = std::min(kBlock, columns - b * kBlock);
    const auto mask = static_cast<__mmask16>((1u << count) - 1);
    uint16_t* block = out + b * pairs * 2 * kBlock;
    for (size_t p = 0; p < pairs; ++p) {
      const float* even = x + 2 * p * ld + b * kBlock;
      const __m512 low = _mm512_maskz_loadu_ps(mask, even);
      const __m512 high = 2 * p + 1 < rows ? _mm512_maskz_loadu_ps(mask, even + ld) : _mm512_setzero_ps();
      const auto both = reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(high, low));
      _mm512_storeu_si512(block + p * 2 * kBlock, _mm512_permutexvar_epi16(interleave, both));
    }
  }
}

DOCPIPE_AVX512_BF16 void Bf16Gemm(const uint16_t* a, size_t m, const uint16_t* packed, size_t n, size_t k_padded,
                                  const float* bias, float* y, size_t ldy) {
  static constexpr Table table;
  const size_t blocks = (n + kBlock - 1) / kBlock, block_elements = k_padded * kBlock;
  for (size_t b0 = 0; b0 < blocks; b0 += kBlocks) {
    const size_t nr = std::min(kBlocks, blocks - b0);
    for (size_t m0 = 0; m0 < m; m0 += kRows) {
      const size_t mr = std::min(kRows, m - m0);
      table.fns[mr - 1][nr - 1](a + m0 * k_padded, k_padded, packed + b0 * block_elements, block_elements, n,
                                b0 * kBlock, bias, y + m0 * ldy, ldy);
    }
  }
}

}  // namespace docpipe::embed
