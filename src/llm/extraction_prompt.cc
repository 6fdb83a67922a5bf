#include "llm/extraction_prompt.h"

#include <algorithm>
#include <cstdlib>

#include "llm/json_schema.h"

namespace docpipe::llm_internal {
namespace {

using nlohmann::json;

constexpr int kMaxModifiers = 5;

json LabelEnum(const std::vector<TaxonomyLabel>& labels) {
  json names = json::array();
  for (const TaxonomyLabel& label : labels) names.push_back(label.name);
  return names;
}

json TagSchema(const std::vector<TaxonomyLabel>& labels) {
  return {{"type", "object"},
          {"required", {"label", "confidence"}},
          {"properties",
           {{"label", {{"type", "string"}, {"enum", LabelEnum(labels)}}},
            {"confidence", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}}}}};
}

json EntitySchema() {
  json types = json::array();
  for (std::string_view type : kEntityTypes) types.push_back(type);
  return {{"type", "object"},
          {"required", {"text", "type", "start", "end"}},
          {"properties",
           {{"text", {{"type", "string"}, {"minLength", 1}}},
            {"type", {{"type", "string"}, {"enum", types}}},
            {"start", {{"type", "integer"}, {"minimum", 0}}},
            {"end", {{"type", "integer"}, {"minimum", 0}}},
            {"confidence", {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}}}}};
}

void AppendLabels(std::string& out, const char* heading, const std::vector<TaxonomyLabel>& labels) {
  out += heading;
  for (const TaxonomyLabel& label : labels) {
    out += "- " + label.name;
    if (!label.description.empty()) out += ": " + label.description;
    out += "\n";
  }
}

Tag TagFrom(const json& j) { return {j.at("label").get<std::string>(), j.at("confidence").get<float>()}; }

// Byte offset of the `index`-th code point of `text`, or npos past the end.
size_t CodePointToByte(std::string_view text, int64_t index) {
  int64_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (seen++ == index) return i;
  }
  return seen == index ? text.size() : std::string_view::npos;
}

}  // namespace

bool AlignEntity(std::string_view text, Entity& entity, bool& realigned) {
  realigned = false;
  const std::string& mention = entity.text;
  if (mention.empty()) return false;
  auto fits = [&](size_t start) { return start != std::string_view::npos && text.substr(start, mention.size()) == mention; };
  size_t claimed = entity.start >= 0 ? static_cast<size_t>(entity.start) : 0;
  size_t start = std::string_view::npos;
  if (fits(claimed) && entity.end == entity.start + static_cast<int64_t>(mention.size())) {
    start = claimed;
  } else if (size_t as_code_points = CodePointToByte(text, entity.start); fits(as_code_points)) {
    start = as_code_points;
  } else {
    for (size_t at = text.find(mention); at != std::string_view::npos; at = text.find(mention, at + 1)) {
      auto distance = [&](size_t a) { return a > claimed ? a - claimed : claimed - a; };
      if (start == std::string_view::npos || distance(at) < distance(start)) start = at;
    }
    if (start == std::string_view::npos) return false;
    realigned = true;
  }
  entity.start = static_cast<int64_t>(start);
  entity.end = entity.start + static_cast<int64_t>(mention.size());
  return true;
}

ExtractionPrompt::ExtractionPrompt(std::shared_ptr<const Taxonomy> taxonomy, ExtractKinds kinds, int max_entities)
    : taxonomy_(std::move(taxonomy)), kinds_(kinds), max_entities_(max_entities) {
  version_ = (kinds_.tags && kinds_.entities ? std::string("tags+entities") : kinds_.ToString()) + "/" +
             std::string(kExtractionPromptVersion) + "/" + taxonomy_->fingerprint();
  schema_ = BuildSchema();
  schema_text_ = schema_.dump();
  instructions_ = Instructions();
}

json ExtractionPrompt::BuildSchema() const {
  json item = {{"type", "object"}, {"required", {"id"}}, {"properties", {{"id", {{"type", "string"}}}}}};
  if (kinds_.tags) {
    item["properties"]["domain"] = TagSchema(taxonomy_->domains());
    item["properties"]["task"] = TagSchema(taxonomy_->tasks());
    item["properties"]["modifiers"] = {{"type", "array"}, {"maxItems", kMaxModifiers},
                                       {"items", TagSchema(taxonomy_->modifiers())}};
    for (const char* field : {"domain", "task", "modifiers"}) item["required"].push_back(field);
  }
  if (kinds_.entities) {
    item["properties"]["entities"] = {{"type", "array"}, {"maxItems", max_entities_}, {"items", EntitySchema()}};
    item["required"].push_back("entities");
  }
  return {{"type", "object"},
          {"required", {"results"}},
          {"properties", {{"results", {{"type", "array"}, {"items", item}}}}}};
}

std::string ExtractionPrompt::Instructions() const {
  std::string out = "Prompt " + version_ + ". For every chunk below, return one entry in \"results\" with the chunk's id.\n";
  if (kinds_.tags) {
    out += "Tag each chunk with exactly one domain, exactly one task and up to " + std::to_string(kMaxModifiers) +
           " modifiers, each with a confidence between 0 and 1, using only these labels.\n";
    AppendLabels(out, "Domains:\n", taxonomy_->domains());
    AppendLabels(out, "Tasks:\n", taxonomy_->tasks());
    AppendLabels(out, "Modifiers:\n", taxonomy_->modifiers());
  }
  if (kinds_.entities) {
    out += "List the named entities of each chunk (at most " + std::to_string(max_entities_) + "), typed as one of:";
    for (std::string_view type : kEntityTypes) {
      out += ' ';  // appended piecewise: `" " + std::string(type)` trips GCC 12's -Wrestrict at -O3
      out += type;
    }
    out += ". Copy each entity's text exactly as it appears; start and end are its character offsets in the "
           "chunk text (end exclusive).\n";
  }
  out += "Answer with JSON only, following the given schema.\n";
  return out;
}

LlmRequest ExtractionPrompt::Request(const std::vector<const EnrichmentInput*>& chunks) const {
  json input = {{"chunks", json::array()}};
  for (const EnrichmentInput* chunk : chunks) input["chunks"].push_back({{"id", chunk->id}, {"text", chunk->text}});
  LlmRequest request;
  request.schema_json = schema_text_;
  request.schema_name = "docpipe_extraction";
  request.messages.push_back({"system", "You extract structured metadata from document chunks. You answer with JSON only."});
  request.messages.push_back(
      {"user", instructions_ + std::string(kChunksMarker) + input.dump(-1, ' ', false, json::error_handler_t::replace)});
  return request;
}

LlmRequest ExtractionPrompt::RepairRequest(const std::vector<const EnrichmentInput*>& chunks, const std::string& bad_reply,
                                           const std::string& error) const {
  LlmRequest request = Request(chunks);
  request.messages.push_back({"assistant", bad_reply});
  request.messages.push_back({"user", "That reply is invalid (" + error +
                                          "). Reply again for the same chunks with JSON that follows the schema exactly."});
  return request;
}

Result<std::unordered_map<std::string, EnrichmentResult>> ExtractionPrompt::Parse(
    std::string_view reply, const std::vector<const EnrichmentInput*>& chunks, EntityCheckCounts& counts) const {
  json parsed = json::parse(reply, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::InvalidArgument("reply is not valid JSON");
  DOCPIPE_RETURN_IF_ERROR(ValidateJson(parsed, schema_));
  std::unordered_map<std::string, const EnrichmentInput*> wanted;
  for (const EnrichmentInput* chunk : chunks) wanted.emplace(chunk->id, chunk);
  std::unordered_map<std::string, EnrichmentResult> results;
  for (const json& item : parsed["results"]) {
    std::string id = item["id"].get<std::string>();
    auto chunk = wanted.find(id);
    if (chunk == wanted.end() || results.count(id) > 0) continue;
    EnrichmentResult result;
    result.id = id;
    result.source = EnrichmentSource::kLlm;
    result.prompt_version = version_;
    if (kinds_.tags) {
      result.has_tags = true;
      result.tags.domain = TagFrom(item["domain"]);
      result.tags.task = TagFrom(item["task"]);
      for (const json& m : item["modifiers"]) result.tags.modifiers.push_back(TagFrom(m));
    }
    if (kinds_.entities) {
      result.has_entities = true;
      for (const json& e : item["entities"]) {
        Entity entity{e["text"].get<std::string>(), e["type"].get<std::string>(), e["start"].get<int64_t>(),
                      e["end"].get<int64_t>(), e.value("confidence", 0.8f)};
        bool realigned = false;
        if (!AlignEntity(chunk->second->text, entity, realigned)) {
          ++counts.dropped;
          continue;
        }
        counts.realigned += realigned;
        result.entities.push_back(std::move(entity));
      }
    }
    results.emplace(id, std::move(result));
  }
  return results;
}

}  // namespace docpipe::llm_internal
