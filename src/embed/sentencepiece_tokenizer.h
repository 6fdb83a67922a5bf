// T5's tokenizer: a SentencePiece model (spiece.model) run by libsentencepiece,
// with "</s>" appended as the T5 tokenizer does. Immutable after Make();
// SentencePiece's Encode is const and thread-safe.
#pragma once

#include <memory>
#include <string>

#include "docpipe/status.h"
#include "embed/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace docpipe::embed {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  SentencePieceTokenizer();
  ~SentencePieceTokenizer() override;

  static Result<std::unique_ptr<SentencePieceTokenizer>> Make(const std::string& model_path);

  void Encode(std::string_view text, size_t max_length, std::vector<int32_t>& ids) const override;
  void Frame(std::span<const int32_t> content, size_t max_length, std::vector<int32_t>& ids) const override;
  int32_t vocab_size() const override;

 private:
  std::unique_ptr<sentencepiece::SentencePieceProcessor> processor_;
  int32_t eos_id_ = 1;
};

}  // namespace docpipe::embed
