// Rebuilding a document's EnrichmentResults from stored tag and entity rows,
// shared by the backends so that both read their rows back the same way.
//
// Pure functions over the caller's vector; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"
#include "docpipe/tagging.h"

namespace docpipe::store {

// The inverse of EnrichmentSourceName(); kCorrupt for an unknown name.
Result<EnrichmentSource> ParseEnrichmentSource(std::string_view name);

// One empty result per chunk, each with its ordinal as id.
std::vector<EnrichmentResult> EmptyEnrichments(size_t chunks);

struct TagRow {
  int64_t ordinal;  // of the chunk
  std::string axis, label;
  double confidence;
  std::string source, producer, prompt_version;
};

struct EntityRow {
  int64_t ordinal;  // of the chunk
  std::string type, text;
  int64_t start, end;
  double confidence;
  std::string source;
};

// Adds a row, read in chunk order and then in the order written, to its
// chunk's result. kCorrupt when the ordinal is out of range.
Status AddTagRow(std::vector<EnrichmentResult>& results, TagRow row);
Status AddEntityRow(std::vector<EnrichmentResult>& results, EntityRow row);

}  // namespace docpipe::store
