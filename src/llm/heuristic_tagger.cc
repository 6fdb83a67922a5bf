// Keyword scoring against the taxonomy: each label scores the number of its
// keywords found (whole words, case-insensitive, each occurrence counted up to
// three times). Fast enough to run on every chunk of a large ingest.
#include <algorithm>
#include <cctype>
#include <string>
#include <unordered_map>

#include "core/ascii_lower.h"
#include "docpipe/tagging.h"
#include "llm/entity_patterns.h"

namespace docpipe {
namespace {

constexpr int kMaxModifiers = 5;
constexpr int kMaxCountPerKeyword = 3;

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

// Occurrences of `keyword` in `text` that are not parts of longer words.
int CountKeyword(std::string_view text, std::string_view keyword) {
  bool word_start = IsWordByte(keyword.front());
  bool word_end = IsWordByte(keyword.back());
  int count = 0;
  for (size_t at = text.find(keyword); at != std::string_view::npos && count < kMaxCountPerKeyword;
       at = text.find(keyword, at + 1)) {
    size_t end = at + keyword.size();
    if (word_start && at > 0 && IsWordByte(text[at - 1])) continue;
    if (word_end && end < text.size() && IsWordByte(text[end])) continue;
    ++count;
  }
  return count;
}

// The lower-cased text with its whole words counted once, so that a one-word
// keyword costs a hash lookup instead of a scan of the text (ingest tags every
// chunk against every keyword). A keyword made only of word bytes occurs as a
// whole word exactly where a maximal run of word bytes equals it, so the
// counts are those CountKeyword() would find.
class LowerText {
 public:
  LowerText(const LowerText&) = delete;  // words_ points into text_
  LowerText& operator=(const LowerText&) = delete;
  explicit LowerText(std::string_view text) : text_(AsciiLower(text)) {
    std::string_view view = text_;
    for (size_t i = 0; i < view.size();) {
      if (!IsWordByte(static_cast<unsigned char>(view[i]))) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < view.size() && IsWordByte(static_cast<unsigned char>(view[end]))) ++end;
      ++words_[view.substr(i, end - i)];
      i = end;
    }
  }

  int Count(std::string_view keyword) const {
    if (keyword.empty()) return 0;
    size_t first_run = 0;  // the keyword's leading word bytes
    while (first_run < keyword.size() && IsWordByte(static_cast<unsigned char>(keyword[first_run]))) ++first_run;
    if (first_run < keyword.size()) {
      // A phrase ("machine learning"): where it occurs as a whole word, its
      // first word is a whole word of the text too, so a text without that
      // word is not scanned (most chunks, for most phrases).
      if (first_run > 0 && !words_.contains(keyword.substr(0, first_run))) return 0;
      return CountKeyword(text_, keyword);
    }
    auto it = words_.find(keyword);
    return it == words_.end() ? 0 : std::min(it->second, kMaxCountPerKeyword);
  }

 private:
  std::string text_;
  std::unordered_map<std::string_view, int> words_;  // views into text_
};

struct Scored {
  const TaxonomyLabel* label;
  int hits;
};

std::vector<Scored> Score(const LowerText& lower_text, const std::vector<TaxonomyLabel>& labels) {
  std::vector<Scored> scored;
  for (const TaxonomyLabel& label : labels) {
    int hits = 0;
    // Keywords are lower-case (Taxonomy lowers them as it loads them).
    for (const std::string& keyword : label.keywords) hits += lower_text.Count(keyword);
    if (hits > 0) scored.push_back({&label, hits});
  }
  // Stable: ties keep taxonomy order, so results are deterministic.
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.hits > b.hits; });
  return scored;
}

float Confidence(int hits, float base, float cap) { return std::min(cap, base + 0.1f * static_cast<float>(hits)); }

Tag Best(const LowerText& lower_text, const std::vector<TaxonomyLabel>& labels, const std::string& fallback) {
  std::vector<Scored> scored = Score(lower_text, labels);
  if (scored.empty()) return {fallback, 0.2f};
  return {scored.front().label->name, Confidence(scored.front().hits, 0.3f, 0.9f)};
}

}  // namespace

HeuristicTagger::HeuristicTagger(std::shared_ptr<const Taxonomy> taxonomy)
    : taxonomy_(taxonomy ? std::move(taxonomy) : Taxonomy::Default()) {}

TagSet HeuristicTagger::Tags(std::string_view text) const {
  const LowerText lower(text);
  TagSet tags;
  tags.domain = Best(lower, taxonomy_->domains(), taxonomy_->fallback_domain());
  tags.task = Best(lower, taxonomy_->tasks(), taxonomy_->fallback_task());
  for (const Scored& scored : Score(lower, taxonomy_->modifiers())) {
    if (static_cast<int>(tags.modifiers.size()) == kMaxModifiers) break;
    tags.modifiers.push_back({scored.label->name, Confidence(scored.hits, 0.2f, 0.8f)});
  }
  return tags;
}

std::vector<Entity> HeuristicTagger::Entities(std::string_view text) const {
  return llm_internal::FindEntities(text);
}

EnrichmentResult HeuristicTagger::Tag(std::string_view id, std::string_view text, ExtractKinds kinds) const {
  EnrichmentResult result;
  result.id = std::string(id);
  result.source = EnrichmentSource::kHeuristic;
  result.producer = "heuristic";
  if (kinds.tags) {
    result.has_tags = true;
    result.tags = Tags(text);
  }
  if (kinds.entities) {
    result.has_entities = true;
    result.entities = Entities(text);
  }
  return result;
}

}  // namespace docpipe
