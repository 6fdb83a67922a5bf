#include "server/openai_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

#include "server/embedding_input.h"

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

static_assert(std::endian::native == std::endian::little,
              "base64 embeddings are little-endian float32; a big-endian host would need a byte swap");

struct OpenAiRequest {
  std::string model;
  EmbeddingInput input;
  bool base64 = false;
  int64_t dimensions = 0;  // 0: the model's width
};

// `param` is left naming the field a failure concerns.
Result<OpenAiRequest> ParseRequest(const Json& json, std::string& param) {
  static constexpr const char* kKnown[] = {"model", "input", "encoding_format", "dimensions", "user"};
  for (const auto& item : json.items()) {
    if (std::find(std::begin(kKnown), std::end(kKnown), item.key()) == std::end(kKnown)) {
      param = item.key();
      return Status::InvalidArgument(
          fmt::format("{}: unknown field (expected one of: model, input, encoding_format, dimensions, user)",
                      item.key()));
    }
  }
  OpenAiRequest request;
  param = "model";
  if (json.contains("model")) {
    if (!json["model"].is_string()) return Status::InvalidArgument("model: expected a string");
    request.model = json["model"].get<std::string>();
  }
  param = "encoding_format";
  if (json.contains("encoding_format") && !json["encoding_format"].is_null()) {
    const Json& format = json["encoding_format"];
    if (!format.is_string() || (format != "float" && format != "base64")) {
      return Status::InvalidArgument("encoding_format: expected \"float\" or \"base64\", got " +
                                     format.dump());
    }
    request.base64 = format == "base64";
  }
  param = "user";
  if (json.contains("user") && !json["user"].is_string())
    return Status::InvalidArgument("user: expected a string");
  param = "dimensions";
  DOCPIPE_ASSIGN_OR_RETURN(request.dimensions, ReadDimensions(json, "dimensions"));
  param = "input";
  if (!json.contains("input")) return Status::InvalidArgument("input: required field is missing");
  DOCPIPE_ASSIGN_OR_RETURN(request.input, ParseEmbeddingInput(json["input"], "input", /*allow_tokens=*/true));
  param.clear();
  return request;
}

void AppendBase64(std::span<const float> values, std::string& out) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
  const size_t size = values.size_bytes();
  out += '"';
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const uint32_t word = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(word >> shift) & 63];
  }
  if (i < size) {
    const uint32_t word = (uint32_t{bytes[i]} << 16) | (i + 1 < size ? uint32_t{bytes[i + 1]} << 8 : 0);
    out += kAlphabet[(word >> 18) & 63];
    out += kAlphabet[(word >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(word >> 6) & 63] : '=';
    out += '=';
  }
  out += '"';
}

// The response written directly: a float vector through nlohmann's number
// formatting costs several times the encoder for small models.
Result<std::string> ResponseBody(const EmbeddingOutcome& outcome, const std::string& model, bool base64) {
  std::string body = R"({"object":"list","data":[)";
  body.reserve(outcome.vectors.values.size() * (base64 ? 6 : 12) + 256);
  for (size_t i = 0; i < outcome.vectors.rows; ++i) {
    if (i > 0) body += ',';
    fmt::format_to(std::back_inserter(body), R"({{"object":"embedding","index":{},"embedding":)", i);
    if (base64) {
      AppendBase64(outcome.vectors.Row(i), body);
    } else {
      DOCPIPE_RETURN_IF_ERROR(AppendFloatArray(outcome.vectors.Row(i), body));
    }
    body += '}';
  }
  fmt::format_to(std::back_inserter(body),
                 R"(],"model":{},"usage":{{"prompt_tokens":{},"total_tokens":{}}}}})",
                 Json(model).dump(-1, ' ', false, Json::error_handler_t::replace), outcome.prompt_tokens,
                 outcome.prompt_tokens);
  return body;
}

Json ModelObject(const ServedModel& model) {
  return {{"id", model.name}, {"object", "model"}, {"created", model.created_unix}, {"owned_by", "docpipe"}};
}

Status ModelNotFound(const std::string& id) {
  return Status::NotFound("The model `" + id + "` does not exist or is not served here");
}

}  // namespace

Reply OpenAiError(const Status& status, const std::string& param) {
  Reply reply = ErrorReply(status, 1);
  const char* type = "invalid_request_error";
  Json code = nullptr;
  switch (status.code()) {
    case StatusCode::kResourceExhausted:
      reply.status = 400;
      break;  // the API answers batch limits with 400
    case StatusCode::kNotFound:
      code = "model_not_found";
      break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kUnsupported:
      code = "invalid_value";
      break;
    default:
      type = reply.status == 503 ? "service_unavailable" : "server_error";
      break;
  }
  Json body = {{"error",
                {{"message", status.message()},
                 {"type", type},
                 {"param", param.empty() ? Json() : Json(param)},
                 {"code", code}}}};
  reply.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return reply;
}

Reply OpenAiEmbeddings(VectorStage& vectors, ServerMetrics& metrics, const std::string& body) {
  Result<Json> json = ParseJsonObject(body);
  if (!json.ok()) return OpenAiError(json.status(), "");
  std::string param;
  Result<OpenAiRequest> request = ParseRequest(*json, param);
  if (!request.ok()) return OpenAiError(request.status(), param);
  if (!vectors.enabled()) {
    return OpenAiError(Status::NotFound("no embedding model is configured on this server (--embed-model)"),
                       "model");
  }
  const ServedModel& model = vectors.served();
  if (!request->model.empty() && !model.Answers(request->model)) {
    return OpenAiError(Status::NotFound("model: this server embeds with \"" + model.name + "\", not \"" +
                                        request->model + "\""),
                       "model");
  }
  if (request->dimensions > 0) {
    Status allowed = model.CheckDimensions(request->dimensions);
    if (!allowed.ok()) return OpenAiError(allowed, "dimensions");
  }
  Result<EmbeddingOutcome> outcome = EmbedInput(vectors, metrics, request->input, request->dimensions);
  if (!outcome.ok()) return OpenAiError(outcome.status(), request->input.is_tokens() ? "input" : "");
  Result<std::string> response = ResponseBody(*outcome, model.name, request->base64);
  if (!response.ok()) return OpenAiError(response.status(), "");
  return {200, std::move(response).value(), "application/json", 0};
}

Reply OpenAiModels(const VectorStage& vectors) {
  Json data = Json::array();
  if (vectors.enabled()) data.push_back(ModelObject(vectors.served()));
  return {200, Json{{"object", "list"}, {"data", std::move(data)}}.dump(), "application/json", 0};
}

Reply OpenAiModel(const VectorStage& vectors, const std::string& id) {
  if (!vectors.enabled() || !vectors.served().Answers(id)) return OpenAiError(ModelNotFound(id), "model");
  return {200, ModelObject(vectors.served()).dump(-1, ' ', false, Json::error_handler_t::replace),
          "application/json", 0};
}

}  // namespace docpipe::server
