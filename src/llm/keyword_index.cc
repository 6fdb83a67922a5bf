#include "llm/keyword_index.h"

#include <algorithm>
#include <cctype>

#include "core/ascii_lower.h"

namespace docpipe::llm_internal {
namespace {

constexpr int kMaxCountPerKeyword = 3;

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

// Length of the run of word bytes at the start of `text`.
size_t LeadingWord(std::string_view text) {
  size_t end = 0;
  while (end < text.size() && IsWordByte(static_cast<unsigned char>(text[end]))) ++end;
  return end;
}

// Calls `visit` with each maximal run of word bytes of `text`, in order.
template <typename Visit>
void ForEachWordRun(std::string_view text, const Visit& visit) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = LeadingWord(text.substr(i));
    if (length == 0) {
      ++i;
      continue;
    }
    visit(text.substr(i, length));
    i += length;
  }
}

// Occurrences of `keyword` in `text` that are not parts of longer words.
int CountKeyword(std::string_view text, std::string_view keyword) {
  const bool word_start = IsWordByte(keyword.front());
  const bool word_end = IsWordByte(keyword.back());
  int count = 0;
  for (size_t at = text.find(keyword); at != std::string_view::npos && count < kMaxCountPerKeyword;
       at = text.find(keyword, at + 1)) {
    const size_t end = at + keyword.size();
    if (word_start && at > 0 && IsWordByte(text[at - 1])) continue;
    if (word_end && end < text.size() && IsWordByte(text[end])) continue;
    ++count;
  }
  return count;
}

std::vector<std::string> WordRuns(std::string_view text) {
  std::vector<std::string> runs;
  ForEachWordRun(text, [&runs](std::string_view run) { runs.emplace_back(run); });
  return runs;
}

}  // namespace

LowerText::LowerText(std::string_view text) : text_(AsciiLower(text)) {
  ForEachWordRun(text_, [this](std::string_view word) { ++words_[word]; });
}

KeywordIndex::KeywordIndex(const Taxonomy& taxonomy) {
  for (TaxonomyAxis axis : {TaxonomyAxis::kDomain, TaxonomyAxis::kTask, TaxonomyAxis::kModifier}) {
    const std::vector<TaxonomyLabel>& labels = taxonomy.labels(axis);
    labels_[static_cast<size_t>(axis)] = labels.size();
    for (size_t label = 0; label < labels.size(); ++label) {
      // Keywords are lower-case (Taxonomy lowers them as it loads them).
      for (const std::string& keyword : labels[label].keywords) {
        if (keyword.empty()) continue;
        const size_t first_word = LeadingWord(keyword);
        if (first_word == keyword.size()) {
          // A keyword made only of word bytes occurs as a whole word exactly
          // where a maximal run of word bytes equals it.
          by_first_word_[keyword].push_back({axis, label, {}, {}});
        } else if (first_word > 0) {
          // A phrase ("machine learning") that occurs as a whole word has its
          // first word among the text's words.
          by_first_word_[keyword.substr(0, first_word)].push_back({axis, label, keyword, WordRuns(keyword)});
        } else {
          scanned_always_.push_back({axis, label, keyword, WordRuns(keyword)});
        }
      }
    }
  }
}

KeywordIndex::Hits KeywordIndex::Score(const LowerText& text) const {
  Hits hits;
  for (size_t axis = 0; axis < hits.size(); ++axis) hits[axis].assign(labels_[axis], 0);
  const auto add = [&](const Keyword& keyword, int count) {
    hits[static_cast<size_t>(keyword.axis)][keyword.label] += count;
  };
  for (const auto& [word, count] : text.words()) {
    const auto filed = by_first_word_.find(word);
    if (filed == by_first_word_.end()) continue;
    for (const Keyword& keyword : filed->second) {
      add(keyword,
          keyword.phrase.empty() ? std::min(count, kMaxCountPerKeyword) : CountPhrase(text, keyword));
    }
  }
  for (const Keyword& keyword : scanned_always_) add(keyword, CountPhrase(text, keyword));
  return hits;
}

int KeywordIndex::CountPhrase(const LowerText& text, const Keyword& keyword) {
  // Inside an occurrence, a run is bounded by the phrase's own non-word bytes
  // or by its ends, which are checked to be word boundaries when they are word bytes.
  for (const std::string& word : keyword.words) {
    if (!text.words().contains(word)) return 0;
  }
  return CountKeyword(text.text(), keyword.phrase);
}

}  // namespace docpipe::llm_internal
