// Arbitrary bytes as a multipart/form-data upload: the first line is the
// boundary, the rest the body. Parts must lie inside the body, in order.
#include <cstdlib>
#include <string_view>

#include "server/multipart_form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace docpipe::server;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  auto boundary = MultipartBoundary("multipart/form-data; boundary=" + std::string(input.substr(0, newline)));
  if (!boundary.ok()) return 0;
  std::string_view body = input.substr(newline + 1);
  auto parts = ParseMultipartForm(body, *boundary);
  if (!parts.ok()) return 0;
  const char* previous = body.data();
  for (const FormPart& part : *parts) {
    if (part.content.data() < previous || part.content.data() + part.content.size() > body.data() + body.size()) {
      std::abort();
    }
    previous = part.content.data() + part.content.size();
  }
  return 0;
}
