#include "llm/extract_merge.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "core/ascii_lower.h"
#include "llm/json_schema.h"

namespace docpipe::llm_internal {
namespace {

using nlohmann::json;

bool GivesNothing(const json& value) {
  return value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty());
}

// JSON pointer escaping: "~" -> "~0", "/" -> "~1".
std::string PointerToken(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

void EvidenceAt(const json& value, const std::string& pointer,
                const std::vector<const ExtractionChunk*>& chunks, const std::vector<std::string>& lowered,
                json& evidence) {
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      EvidenceAt(member, pointer + "/" + PointerToken(key), chunks, lowered, evidence);
    }
    return;
  }
  if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      EvidenceAt(value[i], pointer + "/" + std::to_string(i), chunks, lowered, evidence);
    }
    return;
  }
  if (GivesNothing(value) || evidence.contains(pointer)) return;
  std::string needle = AsciiLower(value.is_string() ? value.get<std::string>() : value.dump());
  json found = json::array();
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (lowered[i].find(needle) == std::string::npos) continue;
    found.push_back({{"chunk", chunks[i]->id}, {"pages", {chunks[i]->page_start, chunks[i]->page_end}}});
  }
  if (!found.empty()) evidence[pointer] = std::move(found);
}

}  // namespace

json WithoutRequired(const json& schema) {
  if (schema.is_array()) {
    json out = json::array();
    for (const json& item : schema) out.push_back(WithoutRequired(item));
    return out;
  }
  if (!schema.is_object()) return schema;
  json out = json::object();
  for (const auto& [key, value] : schema.items()) {
    if (key == "required") continue;
    // "properties" maps names to schemas, and a property may be called "required".
    if (key == "properties" && value.is_object()) {
      json properties = json::object();
      for (const auto& [name, member] : value.items()) properties[name] = WithoutRequired(member);
      out[key] = std::move(properties);
    } else {
      out[key] = WithoutRequired(value);
    }
  }
  return out;
}

std::vector<std::string> MergeMarkedFields(const json& schema) {
  std::vector<std::string> fields;
  if (!schema.contains("properties")) return fields;
  for (const auto& [name, member] : schema["properties"].items()) {
    if (member.is_object() && member.value(kMergeMark, "") == "llm") fields.push_back(name);
  }
  return fields;
}

json WithoutMergeMarks(const json& schema) {
  json out = schema;
  if (!out.contains("properties")) return out;
  for (auto& [name, member] : out["properties"].items()) {
    if (member.is_object()) member.erase(kMergeMark);
  }
  return out;
}

void MergeRecord(json& merged, const json& part) {
  if (GivesNothing(part)) return;
  if (GivesNothing(merged)) {
    merged = part;
    return;
  }
  if (merged.is_array() && part.is_array()) {
    for (const json& item : part) {
      if (std::find(merged.begin(), merged.end(), item) == merged.end()) merged.push_back(item);
    }
    return;
  }
  if (merged.is_object() && part.is_object()) {
    for (const auto& [key, value] : part.items()) {
      if (merged.contains(key)) {
        MergeRecord(merged[key], value);
      } else if (!GivesNothing(value)) {
        merged[key] = value;
      }
    }
  }
  // Two scalars: the first group's stays.
}

void AddEvidence(const json& record, const std::vector<const ExtractionChunk*>& chunks, json& evidence) {
  std::vector<std::string> lowered;
  lowered.reserve(chunks.size());
  for (const ExtractionChunk* chunk : chunks) lowered.push_back(AsciiLower(chunk->text));
  EvidenceAt(record, "", chunks, lowered, evidence);
}

}  // namespace docpipe::llm_internal
