#include "pdf/memory_budget.h"

#include <gtest/gtest.h>

#include <cstring>

namespace docpipe::pdf {
namespace {

class MemoryBudgetTest : public ::testing::Test {
 protected:
  void* Malloc(size_t size) { return budget_.allocator()->malloc(budget_.allocator()->user, size); }
  void* Realloc(void* old, size_t size) { return budget_.allocator()->realloc(budget_.allocator()->user, old, size); }
  void Free(void* block) { budget_.allocator()->free(budget_.allocator()->user, block); }

  MemoryBudget budget_;
};

TEST_F(MemoryBudgetTest, CountsLiveBytesAndRefusesPastTheLimit) {
  budget_.set_limit(1000);
  void* a = Malloc(600);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(budget_.in_use(), 600u);
  EXPECT_EQ(Malloc(401), nullptr);
  EXPECT_EQ(budget_.in_use(), 600u);
  void* b = Malloc(400);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(Realloc(b, 401), nullptr);  // refused: the old block stays valid and counted
  EXPECT_EQ(budget_.in_use(), 1000u);
  Free(a);
  Free(b);
  EXPECT_EQ(budget_.in_use(), 0u);
}

// A large array grown by a fixed step moves only when it outgrows its headroom,
// and keeps its bytes when it does.
TEST_F(MemoryBudgetTest, LargeBlocksGrowInPlaceWithinTheirHeadroom) {
  const size_t step = 36 * 40;
  size_t size = size_t{1} << 20;
  auto* block = static_cast<unsigned char*>(Malloc(size));
  ASSERT_NE(block, nullptr);
  std::memset(block, 0xab, size);
  int moves = 0;
  for (int i = 0; i < 2000; ++i) {
    size += step;
    auto* grown = static_cast<unsigned char*>(Realloc(block, size));
    ASSERT_NE(grown, nullptr);
    if (grown != block) ++moves;
    block = grown;
  }
  EXPECT_LE(moves, 8);  // 1 MiB to 3.7 MiB in 2,000 steps: a quarter more room per move, not 2,000 copies
  EXPECT_EQ(block[0], 0xab);
  EXPECT_EQ(block[(size_t{1} << 20) - 1], 0xab);
  EXPECT_GE(budget_.in_use(), size);
  EXPECT_LE(budget_.in_use(), size + size / 4);
  Free(block);
  EXPECT_EQ(budget_.in_use(), 0u);
}

// Near the limit the headroom shrinks to what is left; it never costs an allocation the limit allows.
TEST_F(MemoryBudgetTest, HeadroomShrinksToWhatTheLimitLeaves) {
  const size_t limit = size_t{1} << 20;
  budget_.set_limit(limit);
  void* block = Malloc(size_t{512} << 10);
  ASSERT_NE(block, nullptr);
  void* grown = Realloc(block, limit - 16);
  ASSERT_NE(grown, nullptr);
  EXPECT_EQ(budget_.in_use(), limit);  // the last 16 bytes are the block's headroom
  EXPECT_EQ(Realloc(grown, limit - 8), grown);
  EXPECT_EQ(Realloc(grown, limit + 1), nullptr);
  EXPECT_EQ(budget_.in_use(), limit);
  // Shrinking to under half gives the memory back.
  void* shrunk = Realloc(grown, 1000);
  ASSERT_NE(shrunk, nullptr);
  EXPECT_EQ(budget_.in_use(), 1000u);
  Free(shrunk);
  EXPECT_EQ(budget_.in_use(), 0u);
}

}  // namespace
}  // namespace docpipe::pdf
