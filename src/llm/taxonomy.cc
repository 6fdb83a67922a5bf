// Taxonomy parsing and validation (JSON format described in taxonomy.h).
#include "docpipe/taxonomy.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/ascii_lower.h"
#include "core/sha256.h"

namespace docpipe {
namespace llm_internal {
extern const std::string_view kDefaultTaxonomyJson;
}  // namespace llm_internal

namespace {

using nlohmann::json;

Result<std::vector<TaxonomyLabel>> ParseAxis(const json& root, const char* key) {
  auto it = root.find(key);
  if (it == root.end() || !it->is_array() || it->empty()) {
    return Status::InvalidArgument(std::string("taxonomy: \"") + key + "\" must be a non-empty array");
  }
  std::vector<TaxonomyLabel> labels;
  std::set<std::string> seen;
  for (const json& item : *it) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) {
      return Status::InvalidArgument(std::string("taxonomy: every entry of \"") + key + "\" needs a name");
    }
    TaxonomyLabel label;
    label.name = item["name"].get<std::string>();
    if (label.name.empty() || !seen.insert(label.name).second) {
      return Status::InvalidArgument("taxonomy: empty or duplicate label \"" + label.name + "\" in " + key);
    }
    label.description = item.value("description", std::string());
    if (item.contains("keywords")) {
      if (!item["keywords"].is_array()) {
        return Status::InvalidArgument("taxonomy: keywords of \"" + label.name + "\" must be an array");
      }
      for (const json& keyword : item["keywords"]) {
        if (!keyword.is_string() || keyword.get<std::string>().empty()) {
          return Status::InvalidArgument("taxonomy: keywords of \"" + label.name + "\" must be strings");
        }
        // Matched against lower-cased text: lowered once here, not per chunk.
        label.keywords.push_back(AsciiLower(keyword.get<std::string>()));
      }
    }
    labels.push_back(std::move(label));
  }
  return labels;
}

bool HasLabel(const std::vector<TaxonomyLabel>& labels, std::string_view name) {
  for (const TaxonomyLabel& label : labels) {
    if (label.name == name) return true;
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<const Taxonomy>> Taxonomy::FromJson(std::string_view text) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return Status::InvalidArgument("taxonomy: not a JSON object");
  }
  auto taxonomy = std::make_shared<Taxonomy>();
  DOCPIPE_ASSIGN_OR_RETURN(taxonomy->domains_, ParseAxis(root, "domains"));
  DOCPIPE_ASSIGN_OR_RETURN(taxonomy->tasks_, ParseAxis(root, "tasks"));
  DOCPIPE_ASSIGN_OR_RETURN(taxonomy->modifiers_, ParseAxis(root, "modifiers"));
  taxonomy->name_ = root.value("name", std::string("custom"));
  taxonomy->version_ = root.value("version", std::string("1"));
  taxonomy->fallback_domain_ = root.value("fallback_domain", taxonomy->domains_.front().name);
  taxonomy->fallback_task_ = root.value("fallback_task", taxonomy->tasks_.front().name);
  if (!HasLabel(taxonomy->domains_, taxonomy->fallback_domain_) ||
      !HasLabel(taxonomy->tasks_, taxonomy->fallback_task_)) {
    return Status::InvalidArgument("taxonomy: fallback_domain / fallback_task must name existing labels");
  }
  // The canonical dump ignores formatting, so re-indenting a file keeps its cache entries.
  taxonomy->fingerprint_ = Sha256Hex(root.dump()).substr(0, 12);
  return std::shared_ptr<const Taxonomy>(std::move(taxonomy));
}

Result<std::shared_ptr<const Taxonomy>> Taxonomy::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("taxonomy file not readable: " + path);
  std::ostringstream text;
  text << in.rdbuf();
  Result<std::shared_ptr<const Taxonomy>> taxonomy = FromJson(text.str());
  if (!taxonomy.ok()) return taxonomy.status().WithContext(path);
  return taxonomy;
}

std::shared_ptr<const Taxonomy> Taxonomy::Default() {
  static const std::shared_ptr<const Taxonomy> kDefault = [] {
    Result<std::shared_ptr<const Taxonomy>> parsed = FromJson(llm_internal::kDefaultTaxonomyJson);
    assert(parsed.ok() && "the built-in taxonomy must parse");
    return parsed.ok() ? *parsed : nullptr;
  }();
  return kDefault;
}

const std::vector<TaxonomyLabel>& Taxonomy::labels(TaxonomyAxis axis) const {
  switch (axis) {
    case TaxonomyAxis::kDomain: return domains_;
    case TaxonomyAxis::kTask: return tasks_;
    case TaxonomyAxis::kModifier: return modifiers_;
  }
  return domains_;
}

bool Taxonomy::Contains(TaxonomyAxis axis, std::string_view label) const {
  return HasLabel(labels(axis), label);
}

std::string_view TaxonomyAxisName(TaxonomyAxis axis) {
  switch (axis) {
    case TaxonomyAxis::kDomain: return "domain";
    case TaxonomyAxis::kTask: return "task";
    case TaxonomyAxis::kModifier: return "modifier";
  }
  return "domain";
}

}  // namespace docpipe
