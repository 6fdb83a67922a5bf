#include "core/redact.h"

#include <algorithm>

namespace docpipe {
namespace {

// "a=1&b=2" -> "a=***&b=***"; a parameter without '=' may itself be a token.
std::string RedactQuery(std::string_view query) {
  std::string out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view param = query.substr(start, end - start);
    if (!out.empty() || start > 0) out += '&';
    size_t eq = param.find('=');
    out += eq == std::string_view::npos ? (param.empty() ? "" : "***") : std::string(param.substr(0, eq + 1)) + "***";
    start = end + 1;
  }
  return out;
}

std::string RedactKeyValues(std::string_view text) {
  std::string out(text);
  size_t pos = 0;
  while ((pos = out.find("password=", pos)) != std::string::npos) {
    const size_t begin = pos + 9;
    const size_t end = out.find_first_of(" \t", begin);
    out.replace(begin, (end == std::string::npos ? out.size() : end) - begin, "***");
    pos = begin + 3;
  }
  return out;
}

}  // namespace

std::string RedactCredentials(std::string_view text) {
  const size_t scheme = text.find("://");
  if (scheme == std::string_view::npos) return RedactKeyValues(text);
  const size_t authority_start = scheme + 3;
  const size_t authority_end = std::min(text.find_first_of("/?#", authority_start), text.size());
  std::string_view authority = text.substr(authority_start, authority_end - authority_start);
  std::string out(text.substr(0, authority_start));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view user = authority.substr(0, at);
    size_t colon = user.find(':');
    out += colon == std::string_view::npos ? std::string(user) : std::string(user.substr(0, colon)) + ":***";
    out += authority.substr(at);
  } else {
    out += authority;
  }
  std::string_view rest = text.substr(authority_end);
  const size_t hash = rest.find('#');
  std::string_view fragment = hash == std::string_view::npos ? std::string_view() : rest.substr(hash);
  rest = rest.substr(0, hash);
  const size_t question = rest.find('?');
  out += rest.substr(0, question);
  if (question != std::string_view::npos) out += "?" + RedactQuery(rest.substr(question + 1));
  out += fragment;
  return out;
}

}  // namespace docpipe
