// Taxonomy: the closed sets of labels that tags are drawn from.
//
// Three axes: domains (what a text is about), tasks (what it does: explains,
// compares, specifies...) and modifiers (finer properties: "quantitative",
// "historical", ...). Each label carries keywords, used by the heuristic tagger
// and shown to the LLM as hints. A default taxonomy ships inside the library
// (data/taxonomy/default.json); a user file in the same JSON format replaces it.
//
// Thread-safety: immutable after construction; share it as
// std::shared_ptr<const Taxonomy> between any number of threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"

namespace docpipe {

struct TaxonomyLabel {
  std::string name;                   // snake_case identifier, unique within its axis
  std::string description;            // one line, shown to the LLM
  std::vector<std::string> keywords;  // lower-case words or phrases
};

enum class TaxonomyAxis { kDomain, kTask, kModifier };

class Taxonomy {
 public:
  // Parses the JSON format:
  //   {"name": "...", "version": "...", "fallback_domain": "general", "fallback_task": "describe",
  //    "domains": [{"name": "...", "description": "...", "keywords": ["..."]}, ...],
  //    "tasks": [...], "modifiers": [...]}
  // Names must be non-empty and unique per axis; fallbacks must name existing labels.
  static Result<std::shared_ptr<const Taxonomy>> FromJson(std::string_view json);
  static Result<std::shared_ptr<const Taxonomy>> FromFile(const std::string& path);
  // The taxonomy built into the library.
  static std::shared_ptr<const Taxonomy> Default();

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  // Short hex digest of the canonical contents; part of the enrichment cache key,
  // so editing the taxonomy never reuses answers given under the old one.
  const std::string& fingerprint() const { return fingerprint_; }

  const std::vector<TaxonomyLabel>& labels(TaxonomyAxis axis) const;
  const std::vector<TaxonomyLabel>& domains() const { return domains_; }
  const std::vector<TaxonomyLabel>& tasks() const { return tasks_; }
  const std::vector<TaxonomyLabel>& modifiers() const { return modifiers_; }
  // Labels used by the heuristic tagger when no keyword matches.
  const std::string& fallback_domain() const { return fallback_domain_; }
  const std::string& fallback_task() const { return fallback_task_; }

  bool Contains(TaxonomyAxis axis, std::string_view label) const;

 private:
  std::string name_, version_, fingerprint_;
  std::string fallback_domain_, fallback_task_;
  std::vector<TaxonomyLabel> domains_, tasks_, modifiers_;
};

std::string_view TaxonomyAxisName(TaxonomyAxis axis);  // "domain", "task", "modifier"

}  // namespace docpipe
