// The body of POST /extract, parsed and checked: the schema (checked against
// the supported subset, docs/extract.md), which stored documents, and the
// extraction's options. A malformed body is kInvalidArgument naming the field
// ("schema: unsupported keyword \"pattern\" at /properties/doi"), a 400.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/extract.h"
#include "docpipe/status.h"
#include "docpipe/store.h"

namespace docpipe::server {

struct ExtractRequest {
  ExtractionSchema schema;
  // Which stored documents: these ids, and/or the paths matching path_glob,
  // or every stored document when `all` is set (never by default).
  std::vector<int64_t> document_ids;
  std::string path_glob;
  bool all = false;
  bool evidence = false;      // keep each value's chunks and pages
  bool force = false;         // extract again where an ok record of this schema and model is stored
  bool merge_llm = false;     // "merge": "llm", as `extract --merge llm`
  int context_tokens = 8192;  // the model's context, as --llm-context-tokens
};

Result<ExtractRequest> ParseExtractRequest(std::string_view body);

// The stored documents `request` names, in id order, out of `stored` (the
// store's ListDocuments()). An id that is not stored is kNotFound naming it;
// so is a glob that matches nothing.
Result<std::vector<DocumentRecord>> SelectDocuments(const ExtractRequest& request,
                                                    const std::vector<DocumentRecord>& stored);

}  // namespace docpipe::server
