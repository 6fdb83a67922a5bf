// A small JSON-schema validator: the subset the extraction prompts use
// (type, properties, required, additionalProperties: false, items, enum,
// minimum/maximum, minItems/maxItems, minLength/maxLength). Reports the first
// violation with its JSON pointer, which goes back to the model in a repair
// request. Pure function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "docpipe/status.h"

namespace docpipe::llm_internal {

// The keyword that marks a top-level property for an LLM reduce of its part values.
inline constexpr const char* kMergeMark = "x-merge";

// OK when `value` satisfies `schema`; else kInvalidArgument "at /results/0/id: expected string".
Status ValidateJson(const nlohmann::json& value, const nlohmann::json& schema);

// OK when `schema` is an object schema built only of: type (object, array,
// string, number, integer, boolean), properties, required, items, enum,
// description, title, additionalProperties (boolean), minimum/maximum,
// minItems/maxItems, minLength/maxLength, and $schema at the root; and the
// docpipe mark "x-merge": "llm" on a top-level property (`extract --merge
// llm`; stripped before the schema is sent, see WithoutMergeMarks). Else
// kInvalidArgument "unsupported keyword \"oneOf\" at /properties/x" or
// "invalid \"required\" at /: names \"y\", which is not a property".
Status CheckSchemaSubset(const nlohmann::json& schema);

}  // namespace docpipe::llm_internal
