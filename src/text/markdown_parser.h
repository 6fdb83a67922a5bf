// Block structure of plain text and Markdown, for ParseTextFile. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docpipe/document.h"

namespace docpipe::text {

struct ParsedText {
  std::vector<Block> blocks;  // on page 1, heading paths filled
  std::string title;          // front-matter title, else the first heading; may be empty
};

// Paragraphs separated by blank lines; lines inside a paragraph keep their breaks.
ParsedText ParsePlainText(std::string_view text);

// CommonMark's block structure, simplified: ATX and setext headings, bulleted
// and ordered list items nested by indentation, fenced code kept verbatim,
// pipe tables, quotes without their markers, YAML front matter (its title kept).
// Inline markup stays as written. `text` uses '\n' line ends.
ParsedText ParseMarkdown(std::string_view text);

}  // namespace docpipe::text
