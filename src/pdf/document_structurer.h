// The document-level passes, run once over all extracted pages whatever the
// number of threads that extracted them: running header/footer removal,
// reading order, blocks, heading levels relative to the body text, list
// items, heading paths, page and document kinds.
// Pure function; thread-safe.
#pragma once

#include <vector>

#include "docpipe/document.h"
#include "pdf/raw_page.h"

namespace docpipe::pdf {

// Fills document->pages, document->kind, and document->metadata.title when
// the PDF's Info dictionary had none (the first level-1 heading, else the
// first heading).
void StructureDocument(std::vector<RawPage> raw_pages, Document* document);

}  // namespace docpipe::pdf
