// Arbitrary bytes as what a client sends: parsed as the server's transport
// parses a request (same parser and limits), then what the routes do with it
// before any handler: the bearer check and, for multipart bodies, the form
// parser. Parsed parts must lie inside the body they came from.
#include <cstdlib>
#include <string_view>

#include "server/bearer_auth.h"
#include "server/http_transport.h"
#include "server/multipart_form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace docpipe::server;
  HttpTransportOptions options;
  options.max_header_bytes = 4096;
  options.max_body_bytes = 65536;
  auto request = ParseHttpRequest(std::string_view(reinterpret_cast<const char*>(data), size), options);
  if (!request.ok()) return 0;
  if (request->body.size() > options.max_body_bytes) std::abort();
  (void)BearerAuthorized(request->Header("Authorization"), "k3y");
  auto boundary = MultipartBoundary(request->Header("Content-Type"));
  if (!boundary.ok()) return 0;
  auto parts = ParseMultipartForm(request->body, *boundary);
  if (!parts.ok()) return 0;
  const char* begin = request->body.data();
  const char* end = begin + request->body.size();
  for (const FormPart& part : *parts) {
    if (part.content.data() < begin || part.content.data() + part.content.size() > end) std::abort();
  }
  return 0;
}
