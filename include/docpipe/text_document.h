// Plain-text and Markdown files as Documents, so that .txt and .md inputs flow
// through the same stages as PDFs. Pure function of the file; thread-safe.
#pragma once

#include <string>

#include "docpipe/document.h"
#include "docpipe/status.h"

namespace docpipe {

// Reads a text file (UTF-8; UTF-16 or UTF-32 with a byte-order mark, or UTF-16
// without one; else legacy Windows-1252/ISO-8859-1 bytes, all converted to
// UTF-8; NFC; CRLF -> LF) into a
// Document of kind kText with one page. Paragraphs are split on blank lines.
// Files ending in ".md" or ".markdown" (any case) are read as Markdown: ATX
// ("#".."######") and setext headings become heading blocks with their level,
// "- ", "* ", "+ ", "1. " and "1) " lines become list items nested by
// indentation, fenced code stays verbatim, lines of '|' form a table block,
// "> " quote markers are dropped, backslash escapes ("\#") are resolved, and
// other inline markup stays as written. Every block carries its heading path;
// metadata.title is the front-matter title, else the first heading.
// Errors: kIoError when the file cannot be opened or read (missing included),
// kInvalidArgument for a directory.
Result<Document> ParseTextFile(const std::string& path);

// True for the extensions ParseTextFile is meant for: .txt, .text, .md, .markdown.
bool IsTextFilePath(const std::string& path);

}  // namespace docpipe
