// HTML and XHTML as semantic structure (not a rendering), read with
// libxml2's HTML parser: headings with levels, paragraphs, nested lists,
// tables with spans, code, captions; scripts, styles, navigation, page
// headers and footers, sidebars and hidden elements left out. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "docpipe/document.h"
#include "docpipe/status.h"
#include "formats/document_builder.h"

namespace docpipe::formats {

// The charset named by the first bytes of an HTML or XML document: a <meta
// charset>, a <meta http-equiv="Content-Type" content="...; charset=">, or an
// XML declaration's encoding; empty when none is named.
std::string DeclaredCharset(std::string_view bytes);

// What the document's <head> says about it; empty strings when it does not.
struct HtmlHead {
  std::string title;     // <title>
  std::string created;   // ISO 8601 (core/iso_date.h), from <meta name="date">, "dcterms.created", ...
  std::string modified;  // from <meta name="dcterms.modified">, "article:modified_time", ...
};

// Adds the blocks of the HTML document `bytes` (any encoding: text/charset.h
// decides it from a byte-order mark, the declared charset and the content)
// to `builder`. Returns what its <head> says.
// The tree is walked without recursion, so nesting depth is not bounded by
// the stack. Errors: kCorrupt when libxml2 builds no document at all.
Result<HtmlHead> AddHtmlBlocks(std::string_view bytes, DocumentBuilder* builder);

}  // namespace docpipe::formats
