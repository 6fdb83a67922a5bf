// The HTML5 named character references ("&NotEqual;", "&lbrace;"), which
// libxml2's HTML parser does not know: it knows only HTML 4's 253.
// The table is generated (scripts/generate_html5_entities); immutable, thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace docpipe::formats {

// One or two code points; `second` is 0 for one.
struct EntityCodePoints {
  char32_t first = 0, second = 0;
};

// `name` without '&' and ';', case-sensitive ("NotEqual").
std::optional<EntityCodePoints> LookupHtml5Entity(std::string_view name);

}  // namespace docpipe::formats
