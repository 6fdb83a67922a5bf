#include "server/ollama_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "core/iso_date.h"
#include "server/embedding_input.h"

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

Reply OllamaError(const Status& status) {
  Reply reply = ErrorReply(status, 1);
  if (status.code() == StatusCode::kResourceExhausted) reply.status = 400;
  reply.body = Json{{"error", status.message()}}.dump(-1, ' ', false, Json::error_handler_t::replace);
  return reply;
}

Status CheckFields(const Json& json, std::initializer_list<const char*> known) {
  for (const auto& item : json.items()) {
    if (std::find_if(known.begin(), known.end(), [&](const char* name) { return item.key() == name; }) ==
        known.end()) {
      return Status::InvalidArgument(item.key() + ": unknown field");
    }
  }
  return Status::Ok();
}

// The model named in the request: Ollama requires it; "<name>" and "<name>:latest" both match.
Status CheckModel(const VectorStage& vectors, const Json& json) {
  auto model = json.find("model");
  if (model == json.end() || !model->is_string() || model->get<std::string>().empty()) {
    return Status::InvalidArgument("model is required");
  }
  if (!vectors.enabled())
    return Status::NotFound("no embedding model is configured on this server (--embed-model)");
  if (!vectors.served().Answers(model->get<std::string>())) {
    return Status::NotFound(fmt::format("model \"{}\" not found; this server embeds with \"{}\"",
                                        model->get<std::string>(), vectors.served().name));
  }
  return Status::Ok();
}

Result<std::string> EmbedResponse(VectorStage& vectors, ServerMetrics& metrics, const Json& json) {
  DOCPIPE_RETURN_IF_ERROR(
      CheckFields(json, {"model", "input", "truncate", "dimensions", "options", "keep_alive"}));
  DOCPIPE_RETURN_IF_ERROR(CheckModel(vectors, json));
  if (!json.contains("input")) return Status::InvalidArgument("input: required field is missing");
  DOCPIPE_ASSIGN_OR_RETURN(EmbeddingInput input, ParseEmbeddingInput(json["input"], "input", false));
  DOCPIPE_ASSIGN_OR_RETURN(int64_t dimensions, ReadDimensions(json, "dimensions"));
  if (dimensions > 0) DOCPIPE_RETURN_IF_ERROR(vectors.served().CheckDimensions(dimensions));
  DOCPIPE_ASSIGN_OR_RETURN(EmbeddingOutcome outcome, EmbedInput(vectors, metrics, input, dimensions));
  std::string body = fmt::format(R"({{"model":{},"embeddings":[)", json["model"].dump());
  for (size_t i = 0; i < outcome.vectors.rows; ++i) {
    if (i > 0) body += ',';
    DOCPIPE_RETURN_IF_ERROR(AppendFloatArray(outcome.vectors.Row(i), body));
  }
  const auto nanoseconds = static_cast<int64_t>(outcome.seconds * 1e9);
  fmt::format_to(std::back_inserter(body),
                 R"(],"total_duration":{},"load_duration":0,"prompt_eval_count":{}}})", nanoseconds,
                 outcome.prompt_tokens);
  return body;
}

Result<std::string> LegacyResponse(VectorStage& vectors, ServerMetrics& metrics, const Json& json) {
  DOCPIPE_RETURN_IF_ERROR(CheckFields(json, {"model", "prompt", "options", "keep_alive"}));
  DOCPIPE_RETURN_IF_ERROR(CheckModel(vectors, json));
  auto prompt = json.find("prompt");
  if (prompt == json.end() || !prompt->is_string())
    return Status::InvalidArgument("prompt: expected a string");
  DOCPIPE_ASSIGN_OR_RETURN(EmbeddingInput input, ParseEmbeddingInput(*prompt, "prompt", false));
  DOCPIPE_ASSIGN_OR_RETURN(EmbeddingOutcome outcome, EmbedInput(vectors, metrics, input, 0));
  std::string body = R"({"embedding":)";
  DOCPIPE_RETURN_IF_ERROR(AppendFloatArray(outcome.vectors.Row(0), body));
  body += '}';
  return body;
}

std::string Rfc3339(int64_t unix_seconds) {
  return UtcTimestamp(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(unix_seconds)));
}

Reply Answer(Result<std::string> body) {
  if (!body.ok()) return OllamaError(body.status());
  return {200, std::move(body).value(), "application/json", 0};
}

}  // namespace

Reply OllamaEmbed(VectorStage& vectors, ServerMetrics& metrics, const std::string& body) {
  Result<Json> json = ParseJsonObject(body);
  if (!json.ok()) return OllamaError(json.status());
  return Answer(EmbedResponse(vectors, metrics, *json));
}

Reply OllamaLegacyEmbeddings(VectorStage& vectors, ServerMetrics& metrics, const std::string& body) {
  Result<Json> json = ParseJsonObject(body);
  if (!json.ok()) return OllamaError(json.status());
  return Answer(LegacyResponse(vectors, metrics, *json));
}

Reply OllamaTags(const VectorStage& vectors) {
  Json models = Json::array();
  if (vectors.enabled()) {
    const ServedModel& model = vectors.served();
    models.push_back({{"name", model.name + ":latest"},
                      {"model", model.name + ":latest"},
                      {"modified_at", Rfc3339(model.created_unix)},
                      {"size", model.size_bytes},
                      {"digest", model.digest},
                      {"details",
                       {{"parent_model", ""},
                        {"format", model.family == "remote" ? "remote" : "safetensors"},
                        {"family", model.family},
                        {"families", Json::array({model.family})},
                        {"parameter_size", ""},
                        {"quantization_level", ""}}}});
  }
  return {200, Json{{"models", std::move(models)}}.dump(-1, ' ', false, Json::error_handler_t::replace),
          "application/json", 0};
}

}  // namespace docpipe::server
