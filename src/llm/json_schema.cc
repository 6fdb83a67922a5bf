#include "llm/json_schema.h"

#include <cmath>
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
    return value.is_number_integer() ||
           (value.is_number_float() && std::isfinite(value.get<double>()) &&
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
      if (!value.contains(name.get<std::string>())) return Fail(path, "missing \"" + name.get<std::string>() + "\"");
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
    if (schema.contains("minLength") && length < schema["minLength"].get<size_t>()) return Fail(path, "too short");
    if (schema.contains("maxLength") && length > schema["maxLength"].get<size_t>()) return Fail(path, "too long");
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

}  // namespace docpipe::llm_internal
