// Puts the tables found at extraction (RawPage::tables) into the document's
// reading order: each table stands in as one placeholder line while lines are
// ordered into blocks, then becomes a kTable block; a table caption next to
// it is attached (and read before it); a table that opens a page right after
// one that closed the previous page is marked as continuing it.
// Pure functions; thread-safe.
#pragma once

#include <vector>

#include "docpipe/document.h"
#include "pdf/block_builder.h"
#include "pdf/raw_page.h"

namespace docpipe::pdf {

// Appends one placeholder line per table to page->lines.
void AddTablePlaceholders(RawPage* page);

// Replaces the blocks made from placeholders (blocks[i] from pending[i]) by
// table blocks, then attaches captions and marks continued tables.
void PlaceTables(const std::vector<PendingBlock>& pending, const std::vector<RawPage>& pages,
                 std::vector<Block>* blocks);

}  // namespace docpipe::pdf
