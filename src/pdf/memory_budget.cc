#include "pdf/memory_budget.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace docpipe::pdf {
namespace {

// Every block starts with its size, padded so the caller's part keeps
// malloc's alignment.
constexpr size_t kHeader = alignof(std::max_align_t);

size_t& SizeOf(void* base) { return *static_cast<size_t*>(base); }
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
  SizeOf(base) = size;
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
  const size_t old_size = SizeOf(base);
  if (size > SIZE_MAX - kHeader || (size > old_size && !budget->Admit(size - old_size))) return nullptr;
  void* grown = std::realloc(base, size + kHeader);
  if (grown == nullptr) return nullptr;
  SizeOf(grown) = size;
  budget->in_use_ = budget->in_use_ - old_size + size;
  return BlockOf(grown);
}

void MemoryBudget::Free(void* user, void* block) {
  if (block == nullptr) return;
  auto* budget = static_cast<MemoryBudget*>(user);
  void* base = BaseOf(block);
  budget->in_use_ -= SizeOf(base);
  std::free(base);
}

}  // namespace docpipe::pdf
