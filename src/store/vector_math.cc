#include "store/vector_math.h"

#include <algorithm>
#include <cstddef>

namespace docpipe::store {

void BestK::Offer(double score, int64_t chunk_id) {
  if (k_ == 0) return;
  const ScoredChunk scored{score, chunk_id};
  if (heap_.size() < k_) {
    heap_.push(scored);
  } else if (WorseFirst()(scored, heap_.top())) {
    heap_.pop();
    heap_.push(scored);
  }
}

std::vector<ScoredChunk> BestK::Take() {
  std::vector<ScoredChunk> ranked;
  for (; !heap_.empty(); heap_.pop()) ranked.push_back(heap_.top());
  std::reverse(ranked.begin(), ranked.end());
  return ranked;
}

double InnerProduct(std::span<const float> a, std::span<const float> b) {
  const size_t n = std::min(a.size(), b.size());
  // Eight partial sums let the compiler keep a whole vector register of lanes
  // without reassociating the float additions itself.
  float sums[8] = {};
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (size_t lane = 0; lane < 8; ++lane) sums[lane] += a[i + lane] * b[i + lane];
  }
  double total = 0;
  for (float sum : sums) total += sum;
  for (; i < n; ++i) total += static_cast<double>(a[i]) * b[i];
  return total;
}

std::string LeadingWords(std::string_view text, int words) {
  size_t position = 0;
  int seen = 0;
  const auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
  while (position < text.size()) {
    while (position < text.size() && is_space(text[position])) ++position;
    if (position == text.size()) break;
    if (seen == std::max(words, 1)) {
      std::string cut(text.substr(0, position));
      while (!cut.empty() && is_space(cut.back())) cut.pop_back();
      return cut + "…";
    }
    while (position < text.size() && !is_space(text[position])) ++position;
    ++seen;
  }
  return std::string(text);
}

}  // namespace docpipe::store
