// EPUB (2 and 3): the spine's documents in order, each read as HTML
// (html_document.h) onto a page of its own, so that every block says which
// chapter it came from; title and authors from the package metadata.
// Thread-safe.
#pragma once

#include <string>

#include "docpipe/document.h"
#include "docpipe/formats.h"
#include "docpipe/status.h"

namespace docpipe::formats {

// Errors: kCorrupt (not a ZIP, no container or package document, a spine
// item missing or outside the archive), kResourceExhausted (a ZIP bound).
Result<Document> ConvertEpub(const std::string& path, const FormatLimits& limits);

}  // namespace docpipe::formats
