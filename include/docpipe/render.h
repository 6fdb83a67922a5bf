// Renderings of a Document: Markdown, JSON and plain text.
// Pure functions of their input; thread-safe.
#pragma once

#include <string>

#include "docpipe/document.h"

namespace docpipe {

// Headings as '#' x level, list items as "- " / "1. " (indented by level),
// paragraphs separated by blank lines. Pages needing OCR leave an HTML comment
// ("<!-- page 3: needs OCR -->") so nothing disappears silently.
std::string RenderMarkdown(const Document& document);

// {"path", "metadata": {...}, "kind", "pages": [{"number", "width", "height",
//  "kind", "needs_ocr", "error", "blocks": [{"type", "text", "level", "ordered",
//  "page", "bbox": [x0, y0, x1, y1], "heading_path": [...], "source",
//  "confidence"}]}]}, pretty-printed with two-space indentation.
std::string RenderJson(const Document& document);

// DocumentText(document) followed by a newline.
std::string RenderText(const Document& document);

}  // namespace docpipe
