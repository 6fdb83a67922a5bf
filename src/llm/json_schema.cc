#include "llm/json_schema.h"

#include <cmath>
#include <set>
#include <string>

namespace docpipe::llm_internal {
namespace {

using nlohmann::json;

bool HasType(const json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    // 12.0 is an integer in JSON schema; models often write offsets that way.
    return value.is_number_integer() || (value.is_number_float() && std::isfinite(value.get<double>()) &&
                                         std::trunc(value.get<double>()) == value.get<double>());
  }
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  return false;
}

Status Fail(const std::string& path, const std::string& what) {
  return Status::InvalidArgument("at " + (path.empty() ? std::string("/") : path) + ": " + what);
}

Status Validate(const json& value, const json& schema, const std::string& path);

Status ValidateType(const json& value, const json& schema, const std::string& path) {
  auto it = schema.find("type");
  if (it == schema.end()) return Status::Ok();
  if (it->is_string()) {
    if (!HasType(value, it->get<std::string>())) return Fail(path, "expected " + it->get<std::string>());
    return Status::Ok();
  }
  for (const json& type : *it) {
    if (HasType(value, type.get<std::string>())) return Status::Ok();
  }
  return Fail(path, "expected one of " + it->dump());
}

Status ValidateObject(const json& value, const json& schema, const std::string& path) {
  if (auto required = schema.find("required"); required != schema.end()) {
    for (const json& name : *required) {
      if (!value.contains(name.get<std::string>()))
        return Fail(path, "missing \"" + name.get<std::string>() + "\"");
    }
  }
  auto properties = schema.find("properties");
  bool closed = schema.value("additionalProperties", true) == false;
  for (const auto& [key, member] : value.items()) {
    if (properties != schema.end() && properties->contains(key)) {
      DOCPIPE_RETURN_IF_ERROR(Validate(member, (*properties)[key], path + "/" + key));
    } else if (closed) {
      return Fail(path, "unexpected member \"" + key + "\"");
    }
  }
  return Status::Ok();
}

Status ValidateArray(const json& value, const json& schema, const std::string& path) {
  if (schema.contains("minItems") && value.size() < schema["minItems"].get<size_t>()) {
    return Fail(path, "too few items");
  }
  if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<size_t>()) {
    return Fail(path, "too many items");
  }
  if (auto items = schema.find("items"); items != schema.end()) {
    for (size_t i = 0; i < value.size(); ++i) {
      DOCPIPE_RETURN_IF_ERROR(Validate(value[i], *items, path + "/" + std::to_string(i)));
    }
  }
  return Status::Ok();
}

Status ValidateScalar(const json& value, const json& schema, const std::string& path) {
  if (auto allowed = schema.find("enum"); allowed != schema.end()) {
    bool found = false;
    for (const json& option : *allowed) found = found || option == value;
    if (!found) return Fail(path, "value " + value.dump() + " is not one of the allowed values");
  }
  if (value.is_number()) {
    double v = value.get<double>();
    if (schema.contains("minimum") && v < schema["minimum"].get<double>()) return Fail(path, "below minimum");
    if (schema.contains("maximum") && v > schema["maximum"].get<double>()) return Fail(path, "above maximum");
  }
  if (value.is_string()) {
    size_t length = value.get_ref<const std::string&>().size();
    if (schema.contains("minLength") && length < schema["minLength"].get<size_t>())
      return Fail(path, "too short");
    if (schema.contains("maxLength") && length > schema["maxLength"].get<size_t>())
      return Fail(path, "too long");
  }
  return Status::Ok();
}

Status Validate(const json& value, const json& schema, const std::string& path) {
  if (!schema.is_object()) return Status::Ok();  // `true` / absent schema accepts anything
  DOCPIPE_RETURN_IF_ERROR(ValidateType(value, schema, path));
  if (value.is_object()) return ValidateObject(value, schema, path);
  if (value.is_array()) return ValidateArray(value, schema, path);
  return ValidateScalar(value, schema, path);
}

}  // namespace

Status ValidateJson(const json& value, const json& schema) {
  try {
    return Validate(value, schema, "");
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("malformed schema: ") + e.what());
  }
}

namespace {

const std::set<std::string> kSubsetTypes = {"object", "array", "string", "number", "integer", "boolean"};
const std::set<std::string> kSubsetKeywords = {"type",      "properties",  "required", "items",
                                               "enum",      "description", "title",    "additionalProperties",
                                               "minimum",   "maximum",     "minItems", "maxItems",
                                               "minLength", "maxLength"};

std::string At(const std::string& path) { return path.empty() ? std::string("/") : path; }

Status Invalid(const std::string& keyword, const std::string& path, const std::string& why) {
  return Status::InvalidArgument("invalid \"" + keyword + "\" at " + At(path) + ": " + why);
}

// top_property: a member of the root's "properties", the one place a merge mark ("x-merge": "llm") may be.
Status CheckSubset(const json& schema, const std::string& path, bool root, bool top_property = false);

Status CheckKeywordsKnown(const json& schema, const std::string& path, bool root) {
  for (const auto& [keyword, value] : schema.items()) {
    if (kSubsetKeywords.count(keyword) == 0 && !(root && keyword == "$schema") && keyword != kMergeMark) {
      return Status::InvalidArgument("unsupported keyword \"" + keyword + "\" at " + At(path));
    }
  }
  return Status::Ok();
}

Status CheckBounds(const json& schema, const std::string& path) {
  for (const char* keyword : {"minimum", "maximum"}) {
    if (schema.contains(keyword) && !schema[keyword].is_number())
      return Invalid(keyword, path, "not a number");
  }
  for (const char* keyword : {"minItems", "maxItems", "minLength", "maxLength"}) {
    if (schema.contains(keyword) && !schema[keyword].is_number_unsigned()) {
      return Invalid(keyword, path, "not a non-negative integer");
    }
  }
  for (const char* keyword : {"description", "title"}) {
    if (schema.contains(keyword) && !schema[keyword].is_string())
      return Invalid(keyword, path, "not a string");
  }
  return Status::Ok();
}

Status CheckObjectKeywords(const json& schema, const std::string& path, bool root) {
  auto properties = schema.find("properties");
  if (properties == schema.end() || !properties->is_object() || properties->empty()) {
    return Invalid("properties", path, "an object schema needs a non-empty \"properties\" object");
  }
  for (const auto& [name, member] : properties->items()) {
    DOCPIPE_RETURN_IF_ERROR(CheckSubset(member, path + "/properties/" + name, false, root));
  }
  if (auto required = schema.find("required"); required != schema.end()) {
    if (!required->is_array()) return Invalid("required", path, "not an array of property names");
    for (const json& name : *required) {
      if (!name.is_string()) return Invalid("required", path, "not an array of property names");
      if (!properties->contains(name.get<std::string>())) {
        return Invalid("required", path,
                       "names \"" + name.get<std::string>() + "\", which is not a property");
      }
    }
  }
  if (schema.contains("additionalProperties") && !schema["additionalProperties"].is_boolean()) {
    return Invalid("additionalProperties", path, "only true or false is supported");
  }
  return Status::Ok();
}

Status CheckEnum(const json& schema, const std::string& type, const std::string& path) {
  const json& options = schema["enum"];
  if (!options.is_array() || options.empty()) return Invalid("enum", path, "not a non-empty array");
  for (const json& option : options) {
    if (!HasType(option, type))
      return Invalid("enum", path, "value " + option.dump() + " is not of type " + type);
  }
  return Status::Ok();
}

Status CheckSubset(const json& schema, const std::string& path, bool root, bool top_property) {
  if (!schema.is_object())
    return Status::InvalidArgument("invalid schema at " + At(path) + ": not a JSON object");
  DOCPIPE_RETURN_IF_ERROR(CheckKeywordsKnown(schema, path, root));
  if (schema.contains(kMergeMark)) {
    if (!top_property) return Invalid(kMergeMark, path, "only a top-level property may be marked");
    if (schema[kMergeMark] != "llm") return Invalid(kMergeMark, path, "the only merge is \"llm\"");
  }
  auto type = schema.find("type");
  if (type == schema.end()) return Invalid("type", path, "missing (every schema names its type)");
  if (!type->is_string() || kSubsetTypes.count(type->get<std::string>()) == 0) {
    return Invalid("type", path,
                   type->dump() + " is not one of object, array, string, number, integer, boolean");
  }
  std::string name = type->get<std::string>();
  if (root && name != "object") return Invalid("type", path, "the top-level schema must be an object");
  DOCPIPE_RETURN_IF_ERROR(CheckBounds(schema, path));
  for (const char* keyword : {"properties", "required", "additionalProperties"}) {
    if (name != "object" && schema.contains(keyword))
      return Invalid(keyword, path, "only applies to objects");
  }
  if (name != "array" && schema.contains("items")) return Invalid("items", path, "only applies to arrays");
  if (name == "object") DOCPIPE_RETURN_IF_ERROR(CheckObjectKeywords(schema, path, root));
  if (name == "array") {
    if (!schema.contains("items")) return Invalid("items", path, "an array schema needs \"items\"");
    DOCPIPE_RETURN_IF_ERROR(CheckSubset(schema["items"], path + "/items", false));
  }
  if (schema.contains("enum")) DOCPIPE_RETURN_IF_ERROR(CheckEnum(schema, name, path));
  return Status::Ok();
}

}  // namespace

Status CheckSchemaSubset(const json& schema) { return CheckSubset(schema, "", true); }

}  // namespace docpipe::llm_internal
