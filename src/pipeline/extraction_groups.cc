#include "pipeline/extraction_groups.h"

#include <algorithm>

#include "docpipe/chunker.h"

namespace docpipe::pipeline {

namespace {
constexpr int kPromptTokens = 120;  // the instructions around the text
constexpr int kMinimumBudget = 128;
}  // namespace

int ExtractionTextBudget(int context_tokens, std::string_view schema_text) {
  return std::max(kMinimumBudget, context_tokens * 3 / 4 - kPromptTokens - CountTokens(schema_text));
}

std::vector<std::vector<const ExtractionChunk*>> GroupChunks(const std::vector<ExtractionChunk>& chunks, int budget) {
  std::vector<std::vector<const ExtractionChunk*>> groups;
  int used = 0;
  for (const ExtractionChunk& chunk : chunks) {
    int tokens = CountTokens(chunk.text);
    if (groups.empty() || used + tokens > budget) {
      groups.emplace_back();
      used = 0;
    }
    groups.back().push_back(&chunk);
    used += tokens;
  }
  return groups;
}

}  // namespace docpipe::pipeline
