// The memory one MuPDF context may hold: an allocator (fz_alloc_context) that
// counts the bytes the context has live and refuses an allocation that would
// take it past a limit. MuPDF answers a refusal by emptying its resource store
// and trying again, then throws FZ_ERROR_MEMORY, so a hostile page (a
// decompression bomb of text operators, a huge image) fails alone instead of
// growing the process without bound.
//
// Thread-safety: serves one context, which belongs to one thread at a time;
// the counters are plain members. It must outlive the context made with it.
#pragma once

#include <cstddef>

#include <mupdf/fitz.h>

namespace docpipe::pdf {

class MemoryBudget {
 public:
  MemoryBudget();
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // For fz_new_context: MuPDF keeps a copy that points back at this object.
  const fz_alloc_context* allocator() const { return &alloc_; }

  // Bytes the context may hold; 0 means no limit. Takes effect at once (a
  // context already over a new, lower limit only has its next growth refused).
  void set_limit(size_t bytes) { limit_ = bytes; }
  size_t limit() const { return limit_; }
  size_t in_use() const { return in_use_; }

 private:
  static void* Malloc(void* user, size_t size);
  static void* Realloc(void* user, void* old, size_t size);
  static void Free(void* user, void* block);
  bool Admit(size_t more) const;

  fz_alloc_context alloc_;
  size_t limit_ = 0;
  size_t in_use_ = 0;
};

}  // namespace docpipe::pdf
