#include "server/request_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cstdint>

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

std::string KindOf(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number";
    default: return "an unknown value";
  }
}

Status Expected(const std::string& field, const char* what, const Json& got) {
  return Status::InvalidArgument(fmt::format("{}: expected {}, got {}", field, what, KindOf(got)));
}

// The deepest nesting of arrays and objects in `body`, without building
// anything: nlohmann's values are copied and destroyed recursively, so a deep
// document must be refused before it exists.
Status CheckNesting(std::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument(
            fmt::format("body: JSON nested deeper than {} levels (at byte {})", max_depth, i));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status::Ok();
}

Result<Json> ParseObject(std::string_view body) {
  DOCPIPE_ASSIGN_OR_RETURN(Json json, ParseJsonBody(body));
  if (!json.is_object()) return Expected("body", "a JSON object", json);
  return json;
}

Status CheckKnownFields(const Json& object, const std::string& where, std::initializer_list<const char*> known) {
  for (const auto& item : object.items()) {
    bool found = false;
    for (const char* name : known) found = found || item.key() == name;
    if (!found) {
      std::string list;
      for (const char* name : known) list += (list.empty() ? "" : ", ") + std::string(name);
      return Status::InvalidArgument(fmt::format("{}{}: unknown field (expected one of: {})", where, item.key(), list));
    }
  }
  return Status::Ok();
}

Status ReadString(const Json& object, const char* name, std::string& out, bool required, const std::string& where = "") {
  auto it = object.find(name);
  if (it == object.end()) {
    return required ? Status::InvalidArgument(fmt::format("{}{}: required field is missing", where, name))
                    : Status::Ok();
  }
  if (!it->is_string()) return Expected(where + name, "a string", *it);
  out = it->get<std::string>();
  return Status::Ok();
}

Status ReadBool(const Json& object, const char* name, bool& out) {
  auto it = object.find(name);
  if (it == object.end()) return Status::Ok();
  if (!it->is_boolean()) return Expected(name, "true or false", *it);
  out = it->get<bool>();
  return Status::Ok();
}

// metadata.page becomes the chunk's page number: a positive 32-bit integer.
Status CheckPage(const Json& metadata, const std::string& where) {
  auto page = metadata.find("page");
  if (page == metadata.end()) return Status::Ok();
  const bool whole = page->is_number_unsigned() || page->is_number_integer();
  const int64_t value = page->is_number_unsigned() ? static_cast<int64_t>(std::min<uint64_t>(
                                                         page->get<uint64_t>(), uint64_t{INT64_MAX}))
                        : whole                   ? page->get<int64_t>()
                                                  : 0;
  if (!whole || value < 1 || value > INT32_MAX) {
    return Status::InvalidArgument(where + ".page: expected an integer in [1, 2147483647], got " + page->dump());
  }
  return Status::Ok();
}

Result<IngestChunkInput> ParseChunk(const Json& value, size_t index) {
  std::string where = fmt::format("chunks[{}]", index);
  if (!value.is_object()) return Expected(where, "an object with a \"text\" field", value);
  DOCPIPE_RETURN_IF_ERROR(CheckKnownFields(value, where + ".", {"text", "id", "metadata"}));
  IngestChunkInput chunk;
  DOCPIPE_RETURN_IF_ERROR(ReadString(value, "text", chunk.text, true, where + "."));
  auto id = value.find("id");
  if (id != value.end()) {
    if (id->is_number_integer() || id->is_number_unsigned()) {
      chunk.id = id->dump();
    } else if (id->is_string() && !id->get<std::string>().empty()) {
      chunk.id = id->get<std::string>();
    } else {
      return Expected(where + ".id", "a non-empty string or an integer", *id);
    }
  }
  auto metadata = value.find("metadata");
  if (metadata != value.end()) {
    if (!metadata->is_object()) return Expected(where + ".metadata", "an object", *metadata);
    DOCPIPE_RETURN_IF_ERROR(CheckPage(*metadata, where + ".metadata"));
    chunk.metadata = *metadata;
  }
  return chunk;
}

}  // namespace

Result<nlohmann::json> ParseJsonBody(std::string_view body, const JsonLimits& limits) {
  if (body.empty()) return Status::InvalidArgument("body: expected a JSON object, got an empty body");
  if (body.size() > limits.max_bytes) {
    return Status::ResourceExhausted(
        fmt::format("body: {} bytes of JSON, the limit is {}", body.size(), limits.max_bytes));
  }
  DOCPIPE_RETURN_IF_ERROR(CheckNesting(body, limits.max_depth));
  // nlohmann reports where the text went wrong only through its exception.
  try {
    return Json::parse(body);
  } catch (const Json::parse_error& e) {
    return Status::InvalidArgument(fmt::format("body: not valid JSON (at byte {})", e.byte));
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(fmt::format("body: not valid JSON ({})", e.what()));
  }
}

Result<IngestRequest> ParseIngestRequest(std::string_view body, int max_chunks) {
  DOCPIPE_ASSIGN_OR_RETURN(Json json, ParseObject(body));
  DOCPIPE_RETURN_IF_ERROR(CheckKnownFields(json, "", {"chunks", "dataset_source", "skip_llm", "skip_embedding"}));
  IngestRequest request;
  auto chunks = json.find("chunks");
  if (chunks == json.end()) return Status::InvalidArgument("chunks: required field is missing");
  if (!chunks->is_array()) return Expected("chunks", "an array of chunk objects", *chunks);
  if (chunks->empty()) return Status::InvalidArgument("chunks: expected at least one chunk, got an empty array");
  if (static_cast<int64_t>(chunks->size()) > max_chunks) {
    return Status::ResourceExhausted(
        fmt::format("chunks: {} chunks in one request, the limit is {}", chunks->size(), max_chunks));
  }
  for (size_t i = 0; i < chunks->size(); ++i) {
    DOCPIPE_ASSIGN_OR_RETURN(IngestChunkInput chunk, ParseChunk((*chunks)[i], i));
    request.chunks.push_back(std::move(chunk));
  }
  DOCPIPE_RETURN_IF_ERROR(ReadString(json, "dataset_source", request.dataset_source, false));
  if (request.dataset_source.empty()) {
    return Status::InvalidArgument("dataset_source: expected a non-empty string, got an empty string");
  }
  DOCPIPE_RETURN_IF_ERROR(ReadBool(json, "skip_llm", request.skip_llm));
  DOCPIPE_RETURN_IF_ERROR(ReadBool(json, "skip_embedding", request.skip_embedding));
  return request;
}

Result<SearchRequest> ParseSearchRequest(std::string_view body) {
  DOCPIPE_ASSIGN_OR_RETURN(Json json, ParseObject(body));
  DOCPIPE_RETURN_IF_ERROR(CheckKnownFields(json, "", {"query", "k", "mode", "with_records", "has_table"}));
  SearchRequest request;
  DOCPIPE_RETURN_IF_ERROR(ReadString(json, "query", request.query, true));
  if (request.query.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("query: expected a non-empty string");
  }
  auto k = json.find("k");
  if (k != json.end()) {
    if (!k->is_number_integer() && !k->is_number_unsigned()) return Expected("k", "an integer in [1, 1000]", *k);
    int64_t value = k->get<int64_t>();
    if (value < 1 || value > 1000) {
      return Status::InvalidArgument(fmt::format("k: expected an integer in [1, 1000], got {}", value));
    }
    request.k = static_cast<int>(value);
  }
  DOCPIPE_RETURN_IF_ERROR(ReadString(json, "mode", request.mode, false));
  if (auto with_records = json.find("with_records"); with_records != json.end()) {
    if (!with_records->is_boolean()) return Expected("with_records", "true or false", *with_records);
    request.with_records = with_records->get<bool>();
  }
  auto has_table = json.find("has_table");
  if (has_table != json.end() && !has_table->is_null()) {
    if (!has_table->is_boolean()) return Expected("has_table", "true, false or null", *has_table);
    request.has_table = has_table->get<bool>();
  }
  return request;
}

Result<std::string> ParseDocumentPathRequest(std::string_view body) {
  DOCPIPE_ASSIGN_OR_RETURN(Json json, ParseObject(body));
  DOCPIPE_RETURN_IF_ERROR(CheckKnownFields(json, "", {"path"}));
  std::string path;
  DOCPIPE_RETURN_IF_ERROR(ReadString(json, "path", path, true));
  if (path.empty()) return Status::InvalidArgument("path: expected a non-empty string");
  return path;
}

std::string ErrorBody(const Status& status) {
  Json body = {{"error", {{"code", std::string(StatusCodeName(status.code()))}, {"message", status.message()}}}};
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace docpipe::server
