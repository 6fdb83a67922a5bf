// How the store stage cuts a big document into pieces: whole page ranges, each
// piece of at least the asked number of chunks but the last, partial until the
// last, with chunks, enrichments and ordinals kept in order.
#include <gtest/gtest.h>

#include <vector>

#include "pipeline/store_stage.h"

namespace docpipe::pipeline {
namespace {

// Chunks starting on these pages, ordinals in order.
std::vector<Chunk> ChunksOnPages(const std::vector<int>& pages) {
  std::vector<Chunk> chunks;
  for (int page : pages) {
    Chunk chunk;
    chunk.ordinal = static_cast<int>(chunks.size());
    chunk.page_start = chunk.page_end = page;
    chunk.text = "chunk " + std::to_string(chunk.ordinal);
    chunks.push_back(chunk);
  }
  return chunks;
}

// Ranges of two pages: 0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 4.
const std::vector<int> kPages = {1, 1, 2, 3, 3, 3, 5, 6, 7, 9, 10};

TEST(StorePiecesTest, PiecesAreWholeRangesOfAtLeastTheAskedChunks) {
  const std::vector<Chunk> chunks = ChunksOnPages(kPages);
  EXPECT_EQ(PieceBounds(chunks, 2, 1), (std::vector<size_t>{0, 3, 6, 8, 9, 11}));
  // Ranges 0 and 1 make the first piece of six; the rest is the last, smaller one.
  EXPECT_EQ(PieceBounds(chunks, 2, 4), (std::vector<size_t>{0, 6, 11}));
  EXPECT_EQ(PieceBounds(chunks, 2, 100), (std::vector<size_t>{0, 11}));
  EXPECT_EQ(PieceBounds(chunks, 64, 1), (std::vector<size_t>{0, 11}));
  EXPECT_EQ(PieceBounds({}, 2, 1), (std::vector<size_t>{0}));
}

TEST(StorePiecesTest, PiecesKeepOrderAndArePartialUntilTheLast) {
  DocumentWrite whole;
  whole.record.path = "big.pdf";
  whole.chunks = ChunksOnPages(kPages);
  for (const Chunk& chunk : whole.chunks) {
    EnrichmentResult result;
    result.id = std::to_string(chunk.ordinal);
    whole.enrichments.push_back(result);
  }
  const std::vector<DocumentWrite> pieces = CutIntoPieces(whole, 2, 4);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_FALSE(pieces[0].continues);
  EXPECT_EQ(pieces[0].record.state, DocumentState::kPartial);
  EXPECT_TRUE(pieces[1].continues);
  EXPECT_EQ(pieces[1].record.state, DocumentState::kComplete);
  int ordinal = 0;
  for (const DocumentWrite& piece : pieces) {
    EXPECT_EQ(piece.record.path, "big.pdf");
    ASSERT_EQ(piece.enrichments.size(), piece.chunks.size());
    for (size_t i = 0; i < piece.chunks.size(); ++i, ++ordinal) {
      EXPECT_EQ(piece.chunks[i].ordinal, ordinal);
      EXPECT_EQ(piece.enrichments[i].id, std::to_string(ordinal));
    }
  }
  EXPECT_EQ(ordinal, 11);

  // One piece: the write as it was, whole.
  const std::vector<DocumentWrite> one = CutIntoPieces(whole, 2, 100);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_FALSE(one[0].continues);
  EXPECT_EQ(one[0].chunks.size(), 11u);
  EXPECT_EQ(one[0].record.state, whole.record.state);
}

}  // namespace
}  // namespace docpipe::pipeline
