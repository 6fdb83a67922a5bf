// Request bodies of the HTTP API, parsed and checked. A malformed body is
// kInvalidArgument whose message names the field and what was expected
// ("chunks[2].text: expected a string, got a number"); it becomes a 400.
// A request over a size limit is kResourceExhausted (413).
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"

namespace docpipe::server {

struct IngestChunkInput {
  std::string id;  // the caller's id; empty: derived from the text
  std::string text;
  nlohmann::json metadata = nlohmann::json::object();
};

struct IngestRequest {
  std::vector<IngestChunkInput> chunks;
  std::string dataset_source = "default";
  bool skip_llm = false;        // tag with the heuristic tagger, not the LLM
  bool skip_embedding = false;  // store no vectors
};

struct SearchRequest {
  std::string query;
  int k = 10;
  std::string mode = "lexical";
  bool with_records = false;      // each hit carries its document's extraction records
  std::optional<bool> has_table;  // SearchFilter::has_table: only table chunks (true), none (false)
};

// Bounds on a JSON body, checked before anything is parsed.
struct JsonLimits {
  size_t max_bytes = 64u << 20;
  int max_depth = 64;  // arrays and objects inside one another
};

// The one way request bodies become JSON: size and nesting are checked on the
// raw text first (a deeply nested body is kInvalidArgument, not a crash), then
// it is parsed. Every endpoint that reads JSON goes through here.
Result<nlohmann::json> ParseJsonBody(std::string_view body, const JsonLimits& limits = {});

Result<IngestRequest> ParseIngestRequest(std::string_view body, int max_chunks);
Result<SearchRequest> ParseSearchRequest(std::string_view body);
// {"path": "..."} for POST /documents by server-side path.
Result<std::string> ParseDocumentPathRequest(std::string_view body);

// {"error": {"code": "invalid_argument", "message": "..."}}
std::string ErrorBody(const Status& status);

}  // namespace docpipe::server
