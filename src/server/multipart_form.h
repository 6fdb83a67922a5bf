// multipart/form-data bodies (RFC 7578), as curl -F and browsers send them:
// the parts, each with its field name, file name and content. A body that
// does not follow the format is kInvalidArgument saying where it broke.
//
// Thread-safety: pure functions; parts point into the body they came from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"

namespace docpipe::server {

struct FormPart {
  std::string name;      // Content-Disposition name="..."
  std::string filename;  // Content-Disposition filename="..."; empty when not a file
  std::string_view content;
};

// The boundary of a "multipart/form-data; boundary=..." Content-Type, or an
// error when the type is something else or has no boundary.
Result<std::string> MultipartBoundary(std::string_view content_type);

// Every part of `body`, in order. Parts point into `body`.
Result<std::vector<FormPart>> ParseMultipartForm(std::string_view body, std::string_view boundary);

}  // namespace docpipe::server
