// DOCX (Office Open XML word processing) as semantic structure, read with
// libzip and pugixml (which never expands entities beyond the predefined
// ones and loads nothing from outside): paragraph styles and outline levels
// as heading levels, numbering as ordered or bulleted lists with nesting,
// tables with merged cells, footnotes and endnotes after the body, hyperlink
// text, core properties as metadata; page headers and footers left out.
// Thread-safe.
#pragma once

#include <string>

#include "docpipe/document.h"
#include "docpipe/formats.h"
#include "docpipe/status.h"

namespace docpipe::formats {

// Errors: kCorrupt (not a ZIP, no word/document.xml, malformed XML),
// kResourceExhausted (a ZIP bound), as ZipArchive says.
Result<Document> ConvertDocx(const std::string& path, const FormatLimits& limits);

}  // namespace docpipe::formats
