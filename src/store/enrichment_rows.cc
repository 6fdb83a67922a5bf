#include "store/enrichment_rows.h"

#include <fmt/format.h>

namespace docpipe::store {
namespace {

Result<EnrichmentResult*> ResultFor(std::vector<EnrichmentResult>& results, int64_t ordinal) {
  if (ordinal < 0 || ordinal >= static_cast<int64_t>(results.size())) {
    return Status::Corrupt(fmt::format("enrichment row for chunk {} of a {}-chunk document", ordinal, results.size()));
  }
  return &results[static_cast<size_t>(ordinal)];
}

}  // namespace

Result<EnrichmentSource> ParseEnrichmentSource(std::string_view name) {
  if (name == "llm") return EnrichmentSource::kLlm;
  if (name == "heuristic") return EnrichmentSource::kHeuristic;
  if (name == "fallback") return EnrichmentSource::kFallback;
  return Status::Corrupt(fmt::format("unknown enrichment source '{}'", name));
}

std::vector<EnrichmentResult> EmptyEnrichments(size_t chunks) {
  std::vector<EnrichmentResult> results(chunks);
  for (size_t i = 0; i < results.size(); ++i) results[i].id = std::to_string(i);
  return results;
}

Status AddTagRow(std::vector<EnrichmentResult>& results, TagRow row) {
  DOCPIPE_ASSIGN_OR_RETURN(EnrichmentResult * result, ResultFor(results, row.ordinal));
  Tag tag{std::move(row.label), static_cast<float>(row.confidence)};
  if (row.axis == "domain") {
    result->tags.domain = std::move(tag);
  } else if (row.axis == "task") {
    result->tags.task = std::move(tag);
  } else {
    result->tags.modifiers.push_back(std::move(tag));
  }
  result->has_tags = true;
  DOCPIPE_ASSIGN_OR_RETURN(result->source, ParseEnrichmentSource(row.source));
  result->producer = std::move(row.producer);
  result->prompt_version = std::move(row.prompt_version);
  return Status::Ok();
}

Status AddEntityRow(std::vector<EnrichmentResult>& results, EntityRow row) {
  DOCPIPE_ASSIGN_OR_RETURN(EnrichmentResult * result, ResultFor(results, row.ordinal));
  Entity entity;
  entity.type = std::move(row.type);
  entity.text = std::move(row.text);
  entity.start = row.start;
  entity.end = row.end;
  entity.confidence = static_cast<float>(row.confidence);
  result->entities.push_back(std::move(entity));
  result->has_entities = true;
  // Tag rows, where there are any, say where the result came from.
  if (!result->has_tags) {
    DOCPIPE_ASSIGN_OR_RETURN(result->source, ParseEnrichmentSource(row.source));
  }
  return Status::Ok();
}

}  // namespace docpipe::store
