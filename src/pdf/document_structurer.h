// The document-level passes, run once over all extracted pages whatever the
// number of threads that extracted them: running header/footer removal,
// reading order, blocks, heading levels relative to the body text, list
// items, heading paths, page and document kinds.
// Pure function; thread-safe. The per-page and per-block work (reading order,
// classifying blocks) runs in ranges of `range_pages` pages on the threads of
// the calling TBB task arena; what needs the whole document (running headers
// and footers, font statistics, heading levels, heading paths) runs once over
// all of it, so the result is the same for any range size and thread count.
#pragma once

#include <vector>

#include "docpipe/document.h"
#include "pdf/raw_page.h"

namespace docpipe::pdf {

// Fills document->pages, document->kind, and document->metadata.title when
// the PDF's Info dictionary had none (the first level-1 heading, else the
// first heading).
void StructureDocument(std::vector<RawPage> raw_pages, Document* document, int range_pages);

}  // namespace docpipe::pdf
