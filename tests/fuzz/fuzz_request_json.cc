// Arbitrary bytes as the JSON body of each endpoint: the first byte picks the
// endpoint's parser, the rest is the body. No input may crash or hang a
// parser; whatever the bounded parse accepts is nested no deeper than its limit.
#include <cstdlib>
#include <string_view>

#include "server/extract_request.h"
#include "server/request_json.h"

namespace {

int Depth(const nlohmann::json& value) {
  int deepest = 0;
  if (value.is_array() || value.is_object()) {
    for (const auto& item : value) deepest = std::max(deepest, Depth(item));
    return deepest + 1;
  }
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using namespace docpipe::server;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0: (void)ParseIngestRequest(body, 64); break;
    case 1: (void)ParseSearchRequest(body); break;
    case 2: (void)ParseJsonBody(body); break;
    case 3: (void)ParseDocumentPathRequest(body); break;
    case 5: {  // POST /extract: the schema subset, the document selection
      auto request = ParseExtractRequest(body);
      if (request.ok()) {
        docpipe::DocumentRecord stored;
        stored.id = 7;
        stored.path = "/docs/a.pdf";
        (void)SelectDocuments(*request, {stored});
      }
      break;
    }
    default: {
      JsonLimits limits;
      limits.max_depth = 8;
      auto json = ParseJsonBody(body, limits);
      if (json.ok() && Depth(*json) > limits.max_depth) std::abort();
    }
  }
  return 0;
}
