// Enrichment result values: names, JSON round trip, extract-kind parsing, and
// the in-memory cache.
#include <cmath>
#include <nlohmann/json.hpp>

#include "docpipe/llm_cache.h"
#include "docpipe/tagging.h"

namespace docpipe {
namespace {

using nlohmann::json;

// Three decimals: a float printed in full ("0.6499999761581421") only adds noise.
double Rounded(float confidence) { return std::round(static_cast<double>(confidence) * 1000.0) / 1000.0; }

json TagToJson(const Tag& tag) { return {{"label", tag.label}, {"confidence", Rounded(tag.confidence)}}; }

Tag TagFromJson(const json& j) { return {j.at("label").get<std::string>(), j.at("confidence").get<float>()}; }

Result<EnrichmentSource> SourceFromName(std::string_view name) {
  for (EnrichmentSource source : {EnrichmentSource::kLlm, EnrichmentSource::kHeuristic, EnrichmentSource::kFallback}) {
    if (EnrichmentSourceName(source) == name) return source;
  }
  return Status::Corrupt("unknown enrichment source \"" + std::string(name) + "\"");
}

}  // namespace

std::string_view EnrichmentSourceName(EnrichmentSource source) {
  switch (source) {
    case EnrichmentSource::kLlm: return "llm";
    case EnrichmentSource::kHeuristic: return "heuristic";
    case EnrichmentSource::kFallback: return "fallback";
  }
  return "heuristic";
}

Result<ExtractKinds> ExtractKinds::Parse(std::string_view list) {
  ExtractKinds kinds{false, false};
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string_view item = list.substr(start, comma == std::string_view::npos ? list.npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "tags") {
      kinds.tags = true;
    } else if (item == "entities") {
      kinds.entities = true;
    } else if (!item.empty()) {
      return Status::InvalidArgument("unknown extract kind \"" + std::string(item) + "\" (expected tags, entities)");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (!kinds.tags && !kinds.entities) return Status::InvalidArgument("nothing to extract: use tags, entities");
  return kinds;
}

std::string ExtractKinds::ToString() const {
  if (tags && entities) return "tags,entities";
  return tags ? "tags" : "entities";
}

std::string EnrichmentResultToJson(const EnrichmentResult& result) {
  json j = {{"id", result.id},
            {"source", EnrichmentSourceName(result.source)},
            {"producer", result.producer},
            {"prompt_version", result.prompt_version},
            {"from_cache", result.from_cache}};
  if (!result.error.empty()) j["error"] = result.error;
  if (result.has_tags) {
    json modifiers = json::array();
    for (const Tag& tag : result.tags.modifiers) modifiers.push_back(TagToJson(tag));
    j["tags"] = {{"domain", TagToJson(result.tags.domain)}, {"task", TagToJson(result.tags.task)},
                 {"modifiers", modifiers}};
  }
  if (result.has_entities) {
    json entities = json::array();
    for (const Entity& e : result.entities) {
      entities.push_back({{"text", e.text}, {"type", e.type}, {"start", e.start}, {"end", e.end},
                          {"confidence", Rounded(e.confidence)}});
    }
    j["entities"] = entities;
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<EnrichmentResult> EnrichmentResultFromJson(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Corrupt("enrichment result: not a JSON object");
  try {
    EnrichmentResult result;
    result.id = j.at("id").get<std::string>();
    DOCPIPE_ASSIGN_OR_RETURN(result.source, SourceFromName(j.at("source").get<std::string>()));
    result.producer = j.at("producer").get<std::string>();
    result.prompt_version = j.value("prompt_version", std::string());
    result.from_cache = j.value("from_cache", false);
    result.error = j.value("error", std::string());
    if (j.contains("tags")) {
      const json& tags = j["tags"];
      result.has_tags = true;
      result.tags.domain = TagFromJson(tags.at("domain"));
      result.tags.task = TagFromJson(tags.at("task"));
      for (const json& m : tags.at("modifiers")) result.tags.modifiers.push_back(TagFromJson(m));
    }
    if (j.contains("entities")) {
      result.has_entities = true;
      for (const json& e : j["entities"]) {
        result.entities.push_back({e.at("text").get<std::string>(), e.at("type").get<std::string>(),
                                   e.at("start").get<int64_t>(), e.at("end").get<int64_t>(),
                                   e.at("confidence").get<float>()});
      }
    }
    return result;
  } catch (const json::exception& e) {
    return Status::Corrupt(std::string("enrichment result: ") + e.what());
  }
}

size_t InMemoryEnrichmentCache::KeyHash::operator()(const EnrichmentCacheKey& key) const {
  std::hash<std::string> hash;
  return hash(key.text_sha256) ^ (hash(key.model) * 31) ^ (hash(key.prompt_version) * 131);
}

std::optional<EnrichmentResult> InMemoryEnrichmentCache::Get(const EnrichmentCacheKey& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void InMemoryEnrichmentCache::Put(const EnrichmentCacheKey& key, const EnrichmentResult& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.insert_or_assign(key, result);
}

size_t InMemoryEnrichmentCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

}  // namespace docpipe
