// The parts the OpenAI and Ollama embedding endpoints share: the "input"
// field (texts, or token ids of the model's vocabulary), one embedding call
// through the VectorStage with its metrics and token count, and vectors
// written as JSON numbers.
//
// Thread-safety: pure functions, apart from the VectorStage and ServerMetrics
// they are given, which are thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/embedding.h"
#include "docpipe/status.h"
#include "server/server_metrics.h"
#include "server/vector_stage.h"

namespace docpipe::server {

// OpenAI's limit on inputs in one request, which docpipe keeps.
constexpr size_t kMaxEmbeddingInputs = 2048;

struct EmbeddingInput {
  std::vector<std::string> texts;            // when the input was text
  std::vector<std::vector<int32_t>> tokens;  // when it was token ids
  bool is_tokens() const { return !tokens.empty(); }
  size_t size() const { return is_tokens() ? tokens.size() : texts.size(); }
};

// The body as a JSON object; kInvalidArgument saying where it is malformed.
Result<nlohmann::json> ParseJsonObject(std::string_view body);

// `value` of field `field`: a string, an array of strings, and when
// `allow_tokens` an array of token ids or an array of such arrays. More than
// kMaxEmbeddingInputs inputs is kResourceExhausted.
Result<EmbeddingInput> ParseEmbeddingInput(const nlohmann::json& value, const std::string& field,
                                           bool allow_tokens);

struct EmbeddingOutcome {
  EmbeddingMatrix vectors;
  int64_t prompt_tokens = 0;  // tokens the model ran, special tokens included
  double seconds = 0;
};

// Embeds `input`; `dimensions` > 0 cuts the vectors to that width and
// renormalises them (the caller checked ServedModel::CheckDimensions).
Result<EmbeddingOutcome> EmbedInput(VectorStage& vectors, ServerMetrics& metrics, const EmbeddingInput& input,
                                    int64_t dimensions);

// Appends `[v0,v1,...]`, each float in its shortest round-trip form.
// A non-finite value (which no model should produce) is kInternal.
Status AppendFloatArray(std::span<const float> values, std::string& out);

// Reads an optional positive integer field ("dimensions"); 0 when absent.
Result<int64_t> ReadDimensions(const nlohmann::json& object, const char* name);

}  // namespace docpipe::server
