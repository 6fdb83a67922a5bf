#include "pdf/memory_budget.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace docpipe::pdf {
namespace {

// Every block starts with its capacity, padded so the caller's part keeps
// malloc's alignment.
constexpr size_t kHeader = alignof(std::max_align_t);
// MuPDF grows some arrays by a fixed step (a text span's glyphs, 36 at a time),
// so a page of millions of glyphs reallocates its span thousands of times; an
// allocator that copies a large block on every realloc (AddressSanitizer's
// always does) makes that quadratic. A large block that grows gets a quarter
// more room than asked, so a growing array is copied O(log n) times.
constexpr size_t kHeadroomFrom = size_t{64} << 10;

size_t& CapacityOf(void* base) { return *static_cast<size_t*>(base); }
void* BaseOf(void* block) { return static_cast<char*>(block) - kHeader; }
void* BlockOf(void* base) { return static_cast<char*>(base) + kHeader; }

}  // namespace

MemoryBudget::MemoryBudget() : alloc_{this, &MemoryBudget::Malloc, &MemoryBudget::Realloc, &MemoryBudget::Free} {}

bool MemoryBudget::Admit(size_t more) const {
  return limit_ == 0 || (in_use_ <= limit_ && more <= limit_ - in_use_);
}

void* MemoryBudget::Malloc(void* user, size_t size) {
  auto* budget = static_cast<MemoryBudget*>(user);
  if (size > SIZE_MAX - kHeader || !budget->Admit(size)) return nullptr;
  void* base = std::malloc(size + kHeader);
  if (base == nullptr) return nullptr;
  CapacityOf(base) = size;
  budget->in_use_ += size;
  return BlockOf(base);
}

void* MemoryBudget::Realloc(void* user, void* old, size_t size) {
  auto* budget = static_cast<MemoryBudget*>(user);
  if (old == nullptr) return Malloc(user, size);
  if (size == 0) {
    Free(user, old);
    return nullptr;
  }
  void* base = BaseOf(old);
  const size_t capacity = CapacityOf(base);
  // Growth within the room a block already has, or a small shrink: nothing moves.
  if (size <= capacity && size >= capacity / 2) return old;
  if (size > SIZE_MAX / 2) return nullptr;
  size_t wanted = size;
  if (size > capacity) {
    if (!budget->Admit(size - capacity)) return nullptr;
    // The headroom shrinks to what the limit leaves: close to the limit, a
    // growing block still moves seldom, and the next step past it fails.
    size_t headroom = size >= kHeadroomFrom ? size / 4 : 0;
    if (budget->limit_ != 0) headroom = std::min(headroom, budget->limit_ - budget->in_use_ - (size - capacity));
    wanted = size + headroom;
  }
  void* moved = std::realloc(base, wanted + kHeader);
  if (moved == nullptr) return nullptr;
  CapacityOf(moved) = wanted;
  budget->in_use_ = budget->in_use_ - capacity + wanted;
  return BlockOf(moved);
}

void MemoryBudget::Free(void* user, void* block) {
  if (block == nullptr) return;
  auto* budget = static_cast<MemoryBudget*>(user);
  void* base = BaseOf(block);
  budget->in_use_ -= CapacityOf(base);
  std::free(base);
}

}  // namespace docpipe::pdf
