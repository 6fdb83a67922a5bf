// A text-to-ids tokenizer of an embedding model, with the model's special
// tokens already placed. Implementations are immutable after construction and
// safe to call from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace docpipe::embed {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Replaces `ids` with the ids of `text`, special tokens included, keeping
  // at most `max_length` ids (truncating the text, never the special tokens).
  virtual void Encode(std::string_view text, size_t max_length, std::vector<int32_t>& ids) const = 0;

  // Replaces `ids` with already tokenized content (ids of the vocabulary,
  // no special tokens) with the special tokens placed and truncated as
  // Encode() does: Encode(text) equals Frame(the text's content ids).
  virtual void Frame(std::span<const int32_t> content, size_t max_length, std::vector<int32_t>& ids) const = 0;

  // One past the largest id Encode() can produce.
  virtual int32_t vocab_size() const = 0;
};

}  // namespace docpipe::embed
