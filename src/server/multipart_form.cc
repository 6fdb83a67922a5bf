#include "server/multipart_form.h"

#include <cctype>

#include "core/ascii_lower.h"

namespace docpipe::server {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The value of `key` among "; key=value" or "; key="value"" parameters.
std::string Parameter(std::string_view header, std::string_view key) {
  size_t pos = 0;
  while ((pos = header.find(';', pos)) != std::string_view::npos) {
    std::string_view rest = Trim(header.substr(pos + 1));
    const size_t eq = rest.find('=');
    pos += 1;
    if (eq == std::string_view::npos || AsciiLower(Trim(rest.substr(0, eq))) != key) continue;
    std::string_view value = Trim(rest.substr(eq + 1));
    if (!value.empty() && value.front() == '"') {
      std::string out;
      for (size_t i = 1; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        out += value[i];
      }
      return out;
    }
    return std::string(value.substr(0, value.find(';')));
  }
  return {};
}

Status ParsePartHeaders(std::string_view headers, FormPart& part, size_t index) {
  size_t start = 0;
  while (start < headers.size()) {
    size_t end = headers.find("\r\n", start);
    if (end == std::string_view::npos) end = headers.size();
    std::string_view line = headers.substr(start, end - start);
    start = end + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (AsciiLower(Trim(line.substr(0, colon))) != "content-disposition") continue;
    std::string_view value = line.substr(colon + 1);
    part.name = Parameter(value, "name");
    part.filename = Parameter(value, "filename");
  }
  if (part.name.empty()) {
    return Status::InvalidArgument("multipart part " + std::to_string(index) + ": no Content-Disposition name");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> MultipartBoundary(std::string_view content_type) {
  if (AsciiLower(Trim(content_type.substr(0, content_type.find(';')))) != "multipart/form-data") {
    return Status::InvalidArgument("Content-Type: expected multipart/form-data");
  }
  std::string boundary = Parameter(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 200) {
    return Status::InvalidArgument("Content-Type: multipart/form-data needs a boundary of 1 to 200 characters");
  }
  return boundary;
}

Result<std::vector<FormPart>> ParseMultipartForm(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  const std::string next = "\r\n" + delimiter;
  size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos || (pos != 0 && (pos < 2 || body.substr(pos - 2, 2) != "\r\n"))) {
    return Status::InvalidArgument("multipart body: no opening boundary");
  }
  std::vector<FormPart> parts;
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // the closing boundary
    if (body.substr(pos, 2) != "\r\n") return Status::InvalidArgument("multipart body: malformed boundary line");
    pos += 2;
    const size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) {
      return Status::InvalidArgument("multipart part " + std::to_string(parts.size()) + ": headers never end");
    }
    FormPart part;
    DOCPIPE_RETURN_IF_ERROR(ParsePartHeaders(body.substr(pos, headers_end - pos), part, parts.size()));
    const size_t content_start = headers_end + 4;
    const size_t content_end = body.find(next, content_start);
    if (content_end == std::string_view::npos) {
      return Status::InvalidArgument("multipart part " + std::to_string(parts.size()) + ": no closing boundary");
    }
    part.content = body.substr(content_start, content_end - content_start);
    parts.push_back(std::move(part));
    pos = content_end + next.size();
  }
}

}  // namespace docpipe::server
