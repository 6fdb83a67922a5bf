#include "server/extract_request.h"

#include <fnmatch.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "server/request_json.h"

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

constexpr const char* kFields[] = {"schema",   "document_id", "document_ids",   "path_glob", "all",
                                   "evidence", "force",       "context_tokens", "merge"};

Status CheckFields(const Json& body) {
  for (const auto& item : body.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), item.key()) != std::end(kFields)) continue;
    std::string list;
    for (const char* name : kFields) list += (list.empty() ? "" : ", ") + std::string(name);
    return Status::InvalidArgument(item.key() + ": unknown field (expected one of: " + list + ")");
  }
  return Status::Ok();
}

Result<bool> OptionalBool(const Json& body, const char* field) {
  if (!body.contains(field)) return false;
  if (!body[field].is_boolean())
    return Status::InvalidArgument(std::string(field) + ": expected true or false");
  return body[field].get<bool>();
}

Result<int64_t> DocumentId(const Json& value, const std::string& field) {
  if (!value.is_number_integer() || value.get<int64_t>() <= 0) {
    return Status::InvalidArgument(field + ": expected a document id (a positive integer)");
  }
  return value.get<int64_t>();
}

// The schema as an object, or as a string holding the schema's JSON text.
Result<ExtractionSchema> Schema(const Json& body) {
  if (!body.contains("schema")) return Status::InvalidArgument("schema: required (a JSON Schema object)");
  const Json& schema = body["schema"];
  if (!schema.is_object() && !schema.is_string()) {
    return Status::InvalidArgument("schema: expected a JSON Schema object");
  }
  Result<ExtractionSchema> parsed =
      ParseExtractionSchema(schema.is_string() ? schema.get<std::string>() : schema.dump());
  if (!parsed.ok()) return Status::InvalidArgument("schema: " + parsed.status().message());
  return parsed;
}

Status ReadSelection(const Json& body, ExtractRequest& request) {
  if (body.contains("document_id")) {
    DOCPIPE_ASSIGN_OR_RETURN(int64_t id, DocumentId(body["document_id"], "document_id"));
    request.document_ids.push_back(id);
  }
  if (body.contains("document_ids")) {
    const Json& ids = body["document_ids"];
    if (!ids.is_array() || ids.empty()) {
      return Status::InvalidArgument("document_ids: expected a non-empty array of document ids");
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      DOCPIPE_ASSIGN_OR_RETURN(int64_t id, DocumentId(ids[i], "document_ids[" + std::to_string(i) + "]"));
      request.document_ids.push_back(id);
    }
  }
  if (body.contains("path_glob")) {
    if (!body["path_glob"].is_string() || body["path_glob"].get<std::string>().empty()) {
      return Status::InvalidArgument("path_glob: expected a non-empty glob (* ? [...])");
    }
    request.path_glob = body["path_glob"].get<std::string>();
  }
  DOCPIPE_ASSIGN_OR_RETURN(request.all, OptionalBool(body, "all"));
  const bool narrowed = !request.document_ids.empty() || !request.path_glob.empty();
  if (request.all && narrowed) {
    return Status::InvalidArgument("all: not together with document_id, document_ids or path_glob");
  }
  if (!request.all && !narrowed) {
    return Status::InvalidArgument(
        "give document_id, document_ids or path_glob, or \"all\": true for every stored "
        "document");
  }
  return Status::Ok();
}

}  // namespace

Result<ExtractRequest> ParseExtractRequest(std::string_view body_text) {
  DOCPIPE_ASSIGN_OR_RETURN(Json body, ParseJsonBody(body_text));
  if (!body.is_object()) return Status::InvalidArgument("body: expected a JSON object");
  DOCPIPE_RETURN_IF_ERROR(CheckFields(body));
  ExtractRequest request;
  DOCPIPE_ASSIGN_OR_RETURN(request.schema, Schema(body));
  DOCPIPE_RETURN_IF_ERROR(ReadSelection(body, request));
  DOCPIPE_ASSIGN_OR_RETURN(request.evidence, OptionalBool(body, "evidence"));
  DOCPIPE_ASSIGN_OR_RETURN(request.force, OptionalBool(body, "force"));
  if (body.contains("merge")) {
    if (body["merge"] != "rules" && body["merge"] != "llm") {
      return Status::InvalidArgument("merge: expected \"rules\" or \"llm\"");
    }
    request.merge_llm = body["merge"] == "llm";
  }
  if (body.contains("context_tokens")) {
    const Json& tokens = body["context_tokens"];
    if (!tokens.is_number_integer() || tokens.get<int64_t>() < 512 || tokens.get<int64_t>() > 10000000) {
      return Status::InvalidArgument("context_tokens: expected an integer from 512 to 10000000");
    }
    request.context_tokens = tokens.get<int>();
  }
  return request;
}

Result<std::vector<DocumentRecord>> SelectDocuments(const ExtractRequest& request,
                                                    const std::vector<DocumentRecord>& stored) {
  std::set<int64_t> wanted(request.document_ids.begin(), request.document_ids.end());
  for (int64_t id : wanted) {
    bool found =
        std::any_of(stored.begin(), stored.end(), [id](const DocumentRecord& d) { return d.id == id; });
    if (!found) return Status::NotFound("document " + std::to_string(id) + " is not stored");
  }
  std::vector<DocumentRecord> selected;
  for (const DocumentRecord& document : stored) {
    if (!wanted.empty() && wanted.count(document.id) == 0) continue;
    // As the store's own path filter (SQLite GLOB): case-sensitive, '*' also matches '/'.
    if (!request.path_glob.empty() && fnmatch(request.path_glob.c_str(), document.path.c_str(), 0) != 0)
      continue;
    selected.push_back(document);
  }
  if (selected.empty() && request.path_glob.empty()) return Status::NotFound("the store holds no documents");
  if (selected.empty()) {
    return Status::NotFound("no stored document matches path_glob \"" + request.path_glob + "\"" +
                            (wanted.empty() ? "" : " among the given ids"));
  }
  return selected;
}

}  // namespace docpipe::server
