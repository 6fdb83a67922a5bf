// ASCII case folding for keywords, header names, file extensions and style names.
#pragma once

#include <string>
#include <string_view>

namespace docpipe {

// `text` with the ASCII letters A-Z lowered; every other byte (UTF-8 included) kept.
std::string AsciiLower(std::string_view text);

}  // namespace docpipe
