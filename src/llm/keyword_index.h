// The heuristic tagger's keyword matching: a chunk's lower-cased text with its
// whole words counted (LowerText), and the taxonomy's keywords filed under the
// word each starts with (KeywordIndex). Tagging a chunk then costs a lookup per
// distinct word of the chunk, not one per keyword of the taxonomy (637 in the
// default one), and scans the text only for phrases whose first word it has.
//
// A label scores the occurrences of its keywords as whole words,
// case-insensitively, each keyword counted up to three times.
//
// Thread-safety: a KeywordIndex is immutable after construction; Score() may
// be called from any number of threads at once.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "docpipe/taxonomy.h"

namespace docpipe::llm_internal {

// `text` lower-cased (ASCII), with each maximal run of word bytes (letters,
// digits, any non-ASCII byte) counted once.
class LowerText {
 public:
  explicit LowerText(std::string_view text);
  LowerText(const LowerText&) = delete;  // words_ points into text_
  LowerText& operator=(const LowerText&) = delete;

  const std::string& text() const { return text_; }
  const std::unordered_map<std::string_view, int>& words() const { return words_; }

 private:
  std::string text_;
  std::unordered_map<std::string_view, int> words_;  // views into text_
};

class KeywordIndex {
 public:
  explicit KeywordIndex(const Taxonomy& taxonomy);

  // Hits of each label, per axis (indexed by TaxonomyAxis), in taxonomy order.
  using Hits = std::array<std::vector<int>, 3>;
  Hits Score(const LowerText& text) const;

 private:
  struct Keyword {
    TaxonomyAxis axis;
    size_t label;
    std::string phrase;              // empty for a single word (the key it is filed under)
    std::vector<std::string> words;  // a phrase's runs of word bytes
  };
  // Occurrences of a phrase as a whole word; each of its runs of word bytes is
  // then a whole word of the text too, so a text lacking one is not searched.
  static int CountPhrase(const LowerText& text, const Keyword& keyword);
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::array<size_t, 3> labels_ = {};
  // Single words, and phrases under their first word.
  std::unordered_map<std::string, std::vector<Keyword>, StringHash, std::equal_to<>> by_first_word_;
  // Phrases that start with a non-word byte ("(c)", ".net"): searched in every text.
  std::vector<Keyword> scanned_always_;
};

}  // namespace docpipe::llm_internal
