// The numeric precision a native embedding model runs its linear layers at.
//
// fp32: float32 weights and arithmetic (the reference).
// bf16: weights stored as bfloat16, activations rounded to bfloat16 at each
//       linear layer, float32 accumulation (needs AVX-512 BF16).
// int8: dynamic quantisation: weights int8 per output channel (quantised once
//       at load), activations uint8 per row at run time, int32 accumulation
//       (AVX-512 VNNI, AVX-VNNI or AVX2).
// Attention, normalisation, activations and pooling stay float32 in all three.
// Vectors of different precisions are different embedder identities.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "docpipe/status.h"

namespace docpipe {

enum class EmbedPrecision { kFloat32, kBFloat16, kInt8 };

// "fp32", "bf16", "int8".
std::string_view EmbedPrecisionName(EmbedPrecision precision);

// Parses "fp32" (also "float32"), "bf16" (also "bfloat16"), "int8"; anything
// else is an InvalidArgument naming the accepted values.
Result<EmbedPrecision> ParseEmbedPrecision(std::string_view text);

}  // namespace docpipe
