// Renderings of a Document: Markdown, JSON and plain text.
// Pure functions of their input; thread-safe.
#pragma once

#include <string>

#include "docpipe/document.h"

namespace docpipe {

// Headings as '#' x level, list items as "- " / "1. " (indented by level,
// numbering restarting per list run), paragraphs separated by blank lines, tables
// as their Markdown (RenderTableMarkdown, kept in the block text), captions in italics,
// code as a fenced block with its lines and indentation as they are. A line break
// inside a paragraph or list item (HTML <br>, DOCX <w:br/>) is a hard break (a
// trailing backslash). Line starts that would change meaning
// ("# ", "1. ", "- ", ">") are backslash-escaped. Pages needing OCR (with no
// blocks) and failed pages leave an HTML comment ("<!-- page 3: needs OCR -->",
// "<!-- page 4: failed: <error> -->") so nothing disappears silently. Ends with
// a newline unless empty.
std::string RenderMarkdown(const Document& document);

// {"path", "metadata": {"title", "author", "producer", "creator", "created", "modified", "page_count"},
//  "kind", "pages": [{"number", "width", "height", "kind", "needs_ocr", "error",
//  "ocr_confidence", "ocr_unread_script", "ocr_counts": {"pictures_read",
//  "pictures_small", "pictures_not_text", "pictures_other_script", "words_dropped"},
//  "ocr_low_confidence_words": [{"text", "bbox", "confidence"}] (OCR words on
//  pictures below the confidence floor: here, not in any block's text),
//  "blocks": [{"type", "text", "level", "ordered", "page",
//  "bbox": [x0, y0, x1, y1], "heading_path": [...], "source", "confidence"}]}]},
// keys in this order; a table block with a structure adds "table": {"rows",
// "cols", "header_rows", "caption", "continued", "rotation", "cells": [{"row",
// "col", "row_span", "col_span", "text", "bbox", "header"}]} (its "text" is the
// table's Markdown); pretty-printed with two-space indentation, then a newline.
// Kinds and types are the names from document.h; "source" is "digital" or "ocr";
// floats print as their shortest round-tripping decimal. Invalid UTF-8 becomes U+FFFD.
std::string RenderJson(const Document& document);

// A table as a GitHub-flavoured Markdown pipe table: one line per row, the
// first `header_rows` rows merged into the header line (cells of several
// header rows joined by a space; a table without header rows gets an empty
// header line, as GFM needs one), a `| --- |` delimiter line, then the body
// rows. A spanning cell's text is in its top-left position and the covered
// positions are empty. `|` in cell text is escaped as `\|`, line breaks
// become spaces. No trailing newline.
std::string RenderTableMarkdown(const Table& table);

// DocumentText(document) followed by a newline.
std::string RenderText(const Document& document);

}  // namespace docpipe
