// The versioned extraction prompt: its JSON schema, the request text for a
// batch of chunks, the repair request, and the checks applied to a reply
// (schema, known ids, entity offsets). Immutable after Make(); thread-safe.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "docpipe/llm_client.h"
#include "docpipe/llm_enricher.h"
#include "docpipe/tagging.h"
#include "docpipe/taxonomy.h"

namespace docpipe::llm_internal {

// Bump when the prompt text or schema changes: it is part of the cache key.
inline constexpr std::string_view kExtractionPromptVersion = "v1";

// The line that precedes the chunks' JSON in the user message.
inline constexpr std::string_view kChunksMarker = "Chunks (JSON):\n";

struct EntityCheckCounts {
  int64_t dropped = 0;
  int64_t realigned = 0;
};

class ExtractionPrompt {
 public:
  ExtractionPrompt(std::shared_ptr<const Taxonomy> taxonomy, ExtractKinds kinds, int max_entities);

  // "tags+entities/v1/<taxonomy fingerprint>".
  const std::string& version() const { return version_; }
  const nlohmann::json& schema() const { return schema_; }

  LlmRequest Request(const std::vector<const EnrichmentInput*>& chunks) const;
  // The original request followed by the bad reply and the validation error.
  LlmRequest RepairRequest(const std::vector<const EnrichmentInput*>& chunks, const std::string& bad_reply,
                           const std::string& error) const;

  // Results by id for the chunks the reply covers (ids not in `chunks` are ignored).
  // kInvalidArgument when the reply is not JSON or does not follow the schema.
  Result<std::unordered_map<std::string, EnrichmentResult>> Parse(
      std::string_view reply, const std::vector<const EnrichmentInput*>& chunks, EntityCheckCounts& counts) const;

 private:
  nlohmann::json BuildSchema() const;
  std::string Instructions() const;

  std::shared_ptr<const Taxonomy> taxonomy_;
  ExtractKinds kinds_;
  int max_entities_;
  std::string version_;
  nlohmann::json schema_;
  std::string schema_text_;
  std::string instructions_;
};

// Where `entity` really is in `text`: its own byte offsets when they fit, the
// same offsets read as code points, or the occurrence of its text nearest to
// the claimed start. False when the text does not occur at all.
bool AlignEntity(std::string_view text, Entity& entity, bool& realigned);

}  // namespace docpipe::llm_internal
