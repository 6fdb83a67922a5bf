#include "embed/sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>

#include <filesystem>

namespace docpipe::embed {

SentencePieceTokenizer::SentencePieceTokenizer() = default;
SentencePieceTokenizer::~SentencePieceTokenizer() = default;

Result<std::unique_ptr<SentencePieceTokenizer>> SentencePieceTokenizer::Make(const std::string& model_path) {
  std::error_code ec;
  if (!std::filesystem::exists(model_path, ec))
    return Status::NotFound("missing " + model_path +
                            "; a T5 model needs its SentencePiece model spiece.model");
  auto tokenizer = std::make_unique<SentencePieceTokenizer>();
  tokenizer->processor_ = std::make_unique<sentencepiece::SentencePieceProcessor>();
  const auto status = tokenizer->processor_->Load(model_path);
  if (!status.ok()) return Status::Corrupt(model_path + ": " + status.ToString());
  tokenizer->eos_id_ = tokenizer->processor_->eos_id();
  if (tokenizer->eos_id_ < 0) return Status::Corrupt(model_path + ": the SentencePiece model has no </s>");
  return tokenizer;
}

void SentencePieceTokenizer::Encode(std::string_view text, size_t max_length,
                                    std::vector<int32_t>& ids) const {
  std::vector<int> pieces;
  // Encode fails only on an unloaded model, which Make() rules out.
  processor_->Encode(text, &pieces).IgnoreError();
  const size_t keep = std::min(pieces.size(), max_length < 1 ? 0 : max_length - 1);
  ids.assign(pieces.begin(), pieces.begin() + static_cast<std::ptrdiff_t>(keep));
  ids.push_back(eos_id_);
}

void SentencePieceTokenizer::Frame(std::span<const int32_t> content, size_t max_length,
                                   std::vector<int32_t>& ids) const {
  const size_t keep = std::min(content.size(), max_length < 1 ? 0 : max_length - 1);
  ids.assign(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(keep));
  ids.push_back(eos_id_);
}

int32_t SentencePieceTokenizer::vocab_size() const { return processor_->GetPieceSize(); }

}  // namespace docpipe::embed
