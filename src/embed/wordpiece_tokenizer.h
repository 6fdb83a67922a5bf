// BERT's WordPiece tokenizer, as Hugging Face's BertTokenizer does it: the
// basic tokenizer (drop control characters, map whitespace, isolate CJK
// ideographs, split on whitespace, lower-case and strip accents when
// configured, split off punctuation), then greedy longest-match-first pieces
// with "##" continuations; [UNK] for a word that cannot be pieced or is longer
// than the per-word limit; [CLS] … [SEP] around the text.
// Immutable after Make(); thread-safe.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "docpipe/status.h"
#include "embed/tokenizer.h"

namespace docpipe::embed {

struct WordPieceOptions {
  bool lower_case = true;
  bool strip_accents = true;  // Hugging Face strips them whenever it lower-cases, unless told not to
  bool split_cjk = true;      // "tokenize_chinese_chars"
  std::string unk_token = "[UNK]";
  std::string cls_token = "[CLS]";
  std::string sep_token = "[SEP]";
  std::string continuation_prefix = "##";
  size_t max_chars_per_word = 100;
};

class WordPieceTokenizer final : public Tokenizer {
 public:
  WordPieceTokenizer() = default;

  // `vocab[i]` is the token with id i.
  static Result<std::unique_ptr<WordPieceTokenizer>> Make(std::vector<std::string> vocab,
                                                          const WordPieceOptions& options);

  // vocab.txt or tokenizer.json (WordPiece model), with the normaliser
  // settings from tokenizer.json or tokenizer_config.json.
  static Result<std::unique_ptr<WordPieceTokenizer>> FromFolder(const std::string& folder);

  // The pieces of `text` without special tokens ("un", "##aff", "##able").
  std::vector<std::string> Pieces(std::string_view text) const;

  void Encode(std::string_view text, size_t max_length, std::vector<int32_t>& ids) const override;
  void Frame(std::span<const int32_t> content, size_t max_length, std::vector<int32_t>& ids) const override;
  int32_t vocab_size() const override { return static_cast<int32_t>(vocab_.size()); }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using IdMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

  // Basic tokenization: the words WordPiece then splits.
  std::vector<std::string> BasicTokens(std::string_view text) const;
  // Appends the ids of one word's pieces (or [UNK]).
  void PieceWord(const std::string& word, std::vector<int32_t>& ids) const;

  WordPieceOptions options_;
  std::vector<std::string> vocab_;
  IdMap ids_;
  int32_t unk_id_ = 0;
  int32_t cls_id_ = 0;
  int32_t sep_id_ = 0;
};

}  // namespace docpipe::embed
