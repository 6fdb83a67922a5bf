// Small pieces every backend's vector search shares: the inner product and the
// snippet of a hit found by vector (the start of its text).
#pragma once

#include <cstdint>
#include <queue>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace docpipe::store {

// A chunk and its inner product with the query.
struct ScoredChunk {
  double score;
  int64_t chunk_id;
};

// The k best-scoring chunks of a scan, kept in a heap of k entries; ties go
// to the lower chunk id.
class BestK {
 public:
  explicit BestK(int k) : k_(k < 0 ? 0 : static_cast<size_t>(k)) {}
  void Offer(double score, int64_t chunk_id);
  // Best first; empties the heap.
  std::vector<ScoredChunk> Take();

 private:
  // The heap keeps the worst of the best k on top.
  struct WorseFirst {
    bool operator()(const ScoredChunk& a, const ScoredChunk& b) const {
      return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
    }
  };
  size_t k_;
  std::priority_queue<ScoredChunk, std::vector<ScoredChunk>, WorseFirst> heap_;
};

// Sum of products in float32 lanes (vectorised), returned as double.
double InnerProduct(std::span<const float> a, std::span<const float> b);

// The first `words` whitespace-separated words of `text`, with "…" when cut.
std::string LeadingWords(std::string_view text, int words);

}  // namespace docpipe::store
