// The pure parts of record extraction: the relaxed schema a part of a long
// document is asked with, the merge of partial records, and evidence (which
// chunks hold a value). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docpipe/extract.h"

namespace docpipe::llm_internal {

// `schema` without any `required` list, at every depth: a part of a document
// may hold only some fields, and a model forced to fill the rest would invent them.
nlohmann::json WithoutRequired(const nlohmann::json& schema);

// The top-level properties marked "x-merge": "llm", in schema order (sorted).
std::vector<std::string> MergeMarkedFields(const nlohmann::json& schema);

// `schema` without merge marks: what the model is shown and constrained by.
nlohmann::json WithoutMergeMarks(const nlohmann::json& schema);

// Merges `part` into `merged` (both objects, or null): arrays concatenated
// without duplicates, objects member by member, any other value kept from the
// first part that gives one (null and "" give nothing).
void MergeRecord(nlohmann::json& merged, const nlohmann::json& part);

// Adds to `evidence` ({pointer: [{"chunk", "pages"}]}) the chunks whose text
// holds each leaf of `record` (strings compared case-insensitively; numbers
// and booleans by their JSON text). Pointers already present are kept, so
// the first group that gave a scalar keeps its evidence.
void AddEvidence(const nlohmann::json& record, const std::vector<const ExtractionChunk*>& chunks,
                 nlohmann::json& evidence);

}  // namespace docpipe::llm_internal
