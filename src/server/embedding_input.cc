#include "server/embedding_input.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/stopwatch.h"
#include "server/request_json.h"

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

const char* KindOf(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    default:
      return "an unknown value";
  }
}

Status Expected(const std::string& field, const char* what, const Json& got) {
  return Status::InvalidArgument(fmt::format("{}: expected {}, got {}", field, what, KindOf(got)));
}

// One array of token ids. Range against the vocabulary is the model's check;
// here only that each is an integer that fits the ids' type.
Result<std::vector<int32_t>> ReadTokenIds(const Json& array, const std::string& field) {
  if (array.empty())
    return Status::InvalidArgument(field + ": expected at least one token id, got an empty array");
  std::vector<int32_t> ids;
  ids.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    const Json& id = array[i];
    std::string where = fmt::format("{}[{}]", field, i);
    if (!id.is_number_integer()) return Expected(where, "a token id (an integer)", id);
    int64_t value = id.get<int64_t>();
    if (value < 0 || value > std::numeric_limits<int32_t>::max()) {
      return Status::InvalidArgument(
          fmt::format("{}: token id {} is outside the model's vocabulary", where, value));
    }
    ids.push_back(static_cast<int32_t>(value));
  }
  return ids;
}

Status ReadArrayInput(const Json& array, const std::string& field, bool allow_tokens, EmbeddingInput& input) {
  const Json& first = array.front();
  if (allow_tokens && first.is_number()) {
    DOCPIPE_ASSIGN_OR_RETURN(std::vector<int32_t> ids, ReadTokenIds(array, field));
    input.tokens.push_back(std::move(ids));
    return Status::Ok();
  }
  for (size_t i = 0; i < array.size(); ++i) {
    const Json& item = array[i];
    std::string where = fmt::format("{}[{}]", field, i);
    if (first.is_string() || !allow_tokens) {
      if (!item.is_string()) return Expected(where, "a string", item);
      input.texts.push_back(item.get<std::string>());
    } else if (first.is_array()) {
      if (!item.is_array()) return Expected(where, "an array of token ids", item);
      DOCPIPE_ASSIGN_OR_RETURN(std::vector<int32_t> ids, ReadTokenIds(item, where));
      input.tokens.push_back(std::move(ids));
    } else {
      return Expected(where, "a string, a token id or an array of token ids", item);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Json> ParseJsonObject(std::string_view body) {
  // Bounded in size and nesting before parsing, like every request body.
  DOCPIPE_ASSIGN_OR_RETURN(Json json, ParseJsonBody(body));
  if (!json.is_object()) return Expected("body", "a JSON object", json);
  return json;
}

Result<EmbeddingInput> ParseEmbeddingInput(const Json& value, const std::string& field, bool allow_tokens) {
  EmbeddingInput input;
  if (value.is_string()) {
    input.texts.push_back(value.get<std::string>());
    return input;
  }
  const char* what = allow_tokens
                         ? "a string, an array of strings, an array of token ids or an array of such arrays"
                         : "a string or an array of strings";
  if (!value.is_array()) return Expected(field, what, value);
  if (value.empty())
    return Status::InvalidArgument(field + ": expected at least one input, got an empty array");
  DOCPIPE_RETURN_IF_ERROR(ReadArrayInput(value, field, allow_tokens, input));
  if (input.size() > kMaxEmbeddingInputs) {
    return Status::ResourceExhausted(fmt::format("{}: {} inputs in one request, the limit is {}", field,
                                                 input.size(), kMaxEmbeddingInputs));
  }
  return input;
}

Result<EmbeddingOutcome> EmbedInput(VectorStage& vectors, ServerMetrics& metrics, const EmbeddingInput& input,
                                    int64_t dimensions) {
  EmbeddingOutcome outcome;
  Stopwatch watch;
  Result<EmbeddingMatrix> matrix =
      input.is_tokens() ? vectors.EmbedTokens(input.tokens) : vectors.Embed(input.texts);
  if (!matrix.ok()) return matrix.status();
  outcome.vectors = std::move(matrix).value();
  outcome.seconds = watch.Seconds();
  metrics.ObserveStage("embed_api", static_cast<int64_t>(input.size()), outcome.seconds);
  if (input.is_tokens()) {
    // The ids given, plus the special tokens the model puts around every input.
    const int64_t specials = vectors.CountModelTokens({""});
    for (const auto& ids : input.tokens) outcome.prompt_tokens += static_cast<int64_t>(ids.size()) + specials;
  } else {
    outcome.prompt_tokens = vectors.CountModelTokens(input.texts);
  }
  if (dimensions > 0 && static_cast<size_t>(dimensions) < outcome.vectors.dimension) {
    outcome.vectors = TruncateAndRenormalize(outcome.vectors, static_cast<size_t>(dimensions));
  }
  return outcome;
}

Status AppendFloatArray(std::span<const float> values, std::string& out) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) return Status::Internal("the model produced a non-finite vector value");
    if (i > 0) out += ',';
    fmt::format_to(std::back_inserter(out), "{}", values[i]);
  }
  out += ']';
  return Status::Ok();
}

Result<int64_t> ReadDimensions(const Json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return int64_t{0};
  if (!it->is_number_integer()) return Expected(name, "a positive integer", *it);
  int64_t value = it->get<int64_t>();
  if (value < 1)
    return Status::InvalidArgument(fmt::format("{}: expected a positive integer, got {}", name, value));
  return value;
}

}  // namespace docpipe::server
