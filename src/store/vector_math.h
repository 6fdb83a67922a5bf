// Small pieces every backend's vector search shares: the inner product and the
// snippet of a hit found by vector (the start of its text).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace docpipe::store {

// Sum of products in float32 lanes (vectorised), returned as double.
double InnerProduct(std::span<const float> a, std::span<const float> b);

// The first `words` whitespace-separated words of `text`, with "…" when cut.
std::string LeadingWords(std::string_view text, int words);

}  // namespace docpipe::store
