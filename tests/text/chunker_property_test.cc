// Invariants of ChunkDocument over many seeded random documents.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "chunk_test_util.h"
#include "docpipe/chunker.h"

namespace docpipe::test_docs {
namespace {

constexpr int kDocuments = 150;

const ChunkOptions kOptionSets[] = {
    {384, 512, 0, 64}, {120, 160, 0, 30},  {60, 80, 0, 20},
    {40, 50, 0, 0},    {200, 256, 32, 48}, {80, 100, 25, 20},
};

// Index of the block whose text contains offset `at` (the last block starting at or before it).
size_t BlockAt(const GeneratedDocument& g, int64_t at) {
  const auto it = std::upper_bound(g.block_starts.begin(), g.block_starts.end(), at);
  return static_cast<size_t>(it - g.block_starts.begin()) - 1;
}

bool IsTopHeading(const GeneratedDocument& g, size_t block) {
  const Block& b = *g.blocks[block];
  return b.type == BlockType::kHeading && !b.text.empty() && b.level <= g.top_level;
}

// Token counts of the top-level sections, keyed by the block that starts each.
struct Sections {
  std::vector<size_t> starts;  // first block of each section
  std::vector<int> tokens;
  int TokensFrom(size_t section) const {
    int sum = 0;
    for (size_t i = section; i < tokens.size(); ++i) sum += tokens[i];
    return sum;
  }
};

Sections TopSections(const GeneratedDocument& g) {
  Sections sections;
  for (size_t i = 0; i < g.blocks.size(); ++i) {
    if (sections.starts.empty() || IsTopHeading(g, i)) {
      sections.starts.push_back(i);
      sections.tokens.push_back(0);
    }
    sections.tokens.back() += CountTokens(g.blocks[i]->text);
  }
  return sections;
}

// The sentence containing offset `at`, if any.
const Span* SentenceAt(const GeneratedDocument& g, int64_t at) {
  auto it = std::upper_bound(g.sentences.begin(), g.sentences.end(), at,
                             [](int64_t value, const Span& s) { return value < s.begin; });
  if (it == g.sentences.begin()) return nullptr;
  --it;
  return at < it->end ? &*it : nullptr;
}

// A chunk edge cuts a sentence when it falls strictly inside one that fits max_tokens.
bool CutsFittingSentence(const GeneratedDocument& g, int64_t edge, int max_tokens) {
  const Span* s = SentenceAt(g, edge);
  if (s == nullptr || edge == s->begin) return false;
  return CountTokens(std::string_view(g.text).substr(s->begin, s->end - s->begin)) <= max_tokens;
}

void CheckChunks(const GeneratedDocument& g, const ChunkOptions& options, const std::vector<Chunk>& chunks) {
  const Sections sections = TopSections(g);
  int64_t covered_until = 0;  // every non-space byte before this is in some chunk
  for (size_t k = 0; k < chunks.size(); ++k) {
    const Chunk& c = chunks[k];
    SCOPED_TRACE("chunk " + std::to_string(k));
    ASSERT_EQ(c.ordinal, static_cast<int>(k));
    ASSERT_LT(c.char_start, c.char_end);
    ASSERT_LE(c.char_end, static_cast<int64_t>(g.text.size()));
    const std::string repeated = c.table_header.empty() ? "" : c.table_header + "\n";
    ASSERT_EQ(c.text, repeated + g.text.substr(c.char_start, c.char_end - c.char_start));
    if (!c.table_header.empty()) {
      // Repeated: the header line and delimiter row of the table the chunk starts inside of.
      const Block& table = *g.blocks[BlockAt(g, c.char_start)];
      ASSERT_EQ(table.type, BlockType::kTable);
      EXPECT_EQ(c.table_header, table.text.substr(0, table.text.find('\n', table.text.find('\n') + 1)));
      EXPECT_GT(c.char_start, g.block_starts[BlockAt(g, c.char_start)]);
    }
    EXPECT_EQ(c.token_count, CountTokens(c.text));
    EXPECT_LE(c.token_count, options.max_tokens);
    EXPECT_FALSE(std::isspace(static_cast<unsigned char>(c.text.front())));
    EXPECT_FALSE(std::isspace(static_cast<unsigned char>(c.text.back())));

    // Coverage: nothing but whitespace between what earlier chunks covered and this one.
    for (int64_t i = covered_until; i < c.char_start; ++i) {
      ASSERT_TRUE(std::isspace(static_cast<unsigned char>(g.text[i]))) << "uncovered byte at " << i;
    }
    if (options.overlap_tokens == 0 && k > 0) {
      EXPECT_GE(c.char_start, chunks[k - 1].char_end);
    }
    covered_until = std::max(covered_until, c.char_end);

    EXPECT_FALSE(CutsFittingSentence(g, c.char_end, options.max_tokens))
        << "ends mid-sentence: ..." << c.text.substr(c.text.size() - std::min<size_t>(c.text.size(), 80))
        << "|" << g.text.substr(c.char_end, 40);
    if (options.overlap_tokens == 0) {
      EXPECT_FALSE(CutsFittingSentence(g, c.char_start, options.max_tokens)) << "starts mid-sentence";
    }

    const size_t first = BlockAt(g, c.char_start);
    const size_t last = BlockAt(g, c.char_end - 1);
    EXPECT_EQ(c.page_start, g.block_pages[first]);
    EXPECT_EQ(c.page_end, g.block_pages[last]);

    if (options.overlap_tokens == 0) {
      std::vector<std::string> path = g.blocks[first]->heading_path;
      if (g.blocks[first]->type == BlockType::kHeading && c.char_start == g.block_starts[first]) {
        path.push_back(g.blocks[first]->text);
      }
      EXPECT_EQ(c.heading_path, path);
    }

    // A top-level heading inside a chunk: only where the section before it, or
    // everything from it to the end, is smaller than min_tokens.
    for (size_t s = 1; s < sections.starts.size(); ++s) {
      const int64_t boundary = g.block_starts[sections.starts[s]];
      if (boundary <= c.char_start || boundary >= c.char_end) continue;
      const bool tiny =
          sections.tokens[s - 1] < options.min_tokens || sections.TokensFrom(s) < options.min_tokens;
      EXPECT_TRUE(tiny) << "crosses the top-level section starting at " << boundary;
    }
  }
  for (int64_t i = covered_until; i < static_cast<int64_t>(g.text.size()); ++i) {
    ASSERT_TRUE(std::isspace(static_cast<unsigned char>(g.text[i]))) << "uncovered byte at " << i;
  }
}

class ChunkerPropertyTest : public ::testing::TestWithParam<GeneratorOptions> {};

TEST_P(ChunkerPropertyTest, InvariantsHoldOnRandomDocuments) {
  for (int seed = 1; seed <= kDocuments; ++seed) {
    const GeneratedDocument g = GenerateDocument(static_cast<uint32_t>(seed), GetParam());
    for (const ChunkOptions& options : kOptionSets) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " target " + std::to_string(options.target_tokens) +
                   " overlap " + std::to_string(options.overlap_tokens));
      CheckChunks(g, options, ChunkDocument(g.document, options));
      if (::testing::Test::HasFailure()) return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Plain, ChunkerPropertyTest, ::testing::Values(GeneratorOptions{}));
INSTANTIATE_TEST_SUITE_P(LongSentencesAndWords, ChunkerPropertyTest,
                         ::testing::Values(GeneratorOptions{4, 6, true, true}));

}  // namespace
}  // namespace docpipe::test_docs
