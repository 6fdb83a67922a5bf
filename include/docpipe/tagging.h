// Tagging results and the built-in heuristic tagger.
//
// An EnrichmentResult holds what was extracted from one chunk of text: tags
// (a domain, a task and modifiers, each from a Taxonomy, with a confidence)
// and entities (typed mentions with byte offsets into the chunk text that are
// checked to point at the mention). Every result says what produced it: the
// LLM, the heuristic tagger, or the heuristic tagger standing in after an LLM
// failure (a fallback).
//
// HeuristicTagger is the fast path used without an LLM: keyword matching
// against the taxonomy, and entity patterns (dates, quantities, capitalised
// multi-word names, organisations by their suffixes, acronyms).
//
// Thread-safety: results are plain values. HeuristicTagger is immutable after
// construction; Tag() may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"
#include "docpipe/taxonomy.h"

namespace docpipe {

namespace llm_internal {
class KeywordIndex;
}

struct Tag {
  std::string label;        // a taxonomy label name; empty when nothing fits
  float confidence = 0.0f;  // in [0, 1]
};

struct TagSet {
  Tag domain;
  Tag task;
  std::vector<Tag> modifiers;  // most confident first
};

// Entity types an extractor may produce.
inline constexpr std::string_view kEntityTypes[] = {"person", "organization", "location", "date",
                                                     "quantity", "term", "other"};

struct Entity {
  std::string text;   // exactly text.substr(start, end - start) of the chunk
  std::string type;   // one of kEntityTypes
  int64_t start = 0;  // byte offsets into the chunk's UTF-8 text, end exclusive
  int64_t end = 0;
  float confidence = 0.0f;
};

// What to extract.
struct ExtractKinds {
  bool tags = true;
  bool entities = true;
  // Parses "tags", "entities", "tags,entities" (order and spaces free).
  static Result<ExtractKinds> Parse(std::string_view list);
  std::string ToString() const;  // "tags,entities"
};

enum class EnrichmentSource {
  kLlm,        // the model answered and its answer validated
  kHeuristic,  // no LLM configured: the heuristic tagger by choice
  kFallback,   // the LLM failed for this chunk; the heuristic tagger stood in
};
std::string_view EnrichmentSourceName(EnrichmentSource source);  // "llm", "heuristic", "fallback"

struct EnrichmentResult {
  std::string id;  // the caller's chunk id, echoed back
  bool has_tags = false;
  TagSet tags;
  bool has_entities = false;
  std::vector<Entity> entities;
  EnrichmentSource source = EnrichmentSource::kHeuristic;
  std::string producer;        // "llm:<model>" or "heuristic"
  std::string prompt_version;  // for LLM results; empty for heuristic ones
  bool from_cache = false;     // served from the EnrichmentCache, no call made
  std::string error;           // for fallbacks: why the LLM result was not used (no secrets)
};

// JSON form of a result (also the cache's stored value); round-trips exactly.
std::string EnrichmentResultToJson(const EnrichmentResult& result);
Result<EnrichmentResult> EnrichmentResultFromJson(std::string_view json);

class HeuristicTagger {
 public:
  explicit HeuristicTagger(std::shared_ptr<const Taxonomy> taxonomy);

  // Fills the requested kinds for `text`; source kHeuristic, producer "heuristic".
  EnrichmentResult Tag(std::string_view id, std::string_view text, ExtractKinds kinds) const;

  TagSet Tags(std::string_view text) const;
  std::vector<Entity> Entities(std::string_view text) const;

 private:
  std::shared_ptr<const Taxonomy> taxonomy_;
  std::shared_ptr<const llm_internal::KeywordIndex> index_;  // the taxonomy's keywords by word
};

}  // namespace docpipe
