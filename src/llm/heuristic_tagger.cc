// Keyword scoring against the taxonomy (llm/keyword_index.h): each label
// scores the number of its keywords found. Fast enough to run on every chunk
// of a large ingest.
#include <algorithm>
#include <string>

#include "docpipe/tagging.h"
#include "llm/entity_patterns.h"
#include "llm/keyword_index.h"

namespace docpipe {
namespace {

constexpr int kMaxModifiers = 5;

struct Scored {
  const TaxonomyLabel* label;
  int hits;
};

// The labels with hits, most first; ties keep taxonomy order, so results are deterministic.
std::vector<Scored> Ranked(const std::vector<int>& hits, const std::vector<TaxonomyLabel>& labels) {
  std::vector<Scored> scored;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (hits[i] > 0) scored.push_back({&labels[i], hits[i]});
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.hits > b.hits; });
  return scored;
}

float Confidence(int hits, float base, float cap) { return std::min(cap, base + 0.1f * static_cast<float>(hits)); }

Tag Best(const std::vector<int>& hits, const std::vector<TaxonomyLabel>& labels,
         const std::string& fallback) {
  std::vector<Scored> scored = Ranked(hits, labels);
  if (scored.empty()) return {fallback, 0.2f};
  return {scored.front().label->name, Confidence(scored.front().hits, 0.3f, 0.9f)};
}

size_t Axis(TaxonomyAxis axis) { return static_cast<size_t>(axis); }

}  // namespace

HeuristicTagger::HeuristicTagger(std::shared_ptr<const Taxonomy> taxonomy)
    : taxonomy_(taxonomy ? std::move(taxonomy) : Taxonomy::Default()),
      index_(std::make_shared<const llm_internal::KeywordIndex>(*taxonomy_)) {}

TagSet HeuristicTagger::Tags(std::string_view text) const {
  const llm_internal::KeywordIndex::Hits hits = index_->Score(llm_internal::LowerText(text));
  TagSet tags;
  tags.domain = Best(hits[Axis(TaxonomyAxis::kDomain)], taxonomy_->domains(), taxonomy_->fallback_domain());
  tags.task = Best(hits[Axis(TaxonomyAxis::kTask)], taxonomy_->tasks(), taxonomy_->fallback_task());
  for (const Scored& scored : Ranked(hits[Axis(TaxonomyAxis::kModifier)], taxonomy_->modifiers())) {
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
