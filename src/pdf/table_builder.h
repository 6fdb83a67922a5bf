// Turns a table candidate (table_detector.h) and the glyphs inside it into a
// Table, or decides it is not one: a ruled grid takes each glyph into the cell
// its centre lies in; a stack of rules finds rows from the text lines between
// the rules and columns from the gaps every body row shares. Pure functions;
// thread-safe.
#pragma once

#include <optional>
#include <vector>

#include "pdf/raw_page.h"
#include "pdf/table_detector.h"
#include "pdf/table_text.h"

namespace docpipe::pdf {

// The tables of `candidate`: none when its text does not make a table (too
// few filled cells, a single column, prose between rules); a stack of rules
// may hold several tables of the same width. `glyphs` may hold glyphs outside
// the candidate; only those whose centre is inside count.
std::vector<RawTable> BuildTables(const TableCandidate& candidate, const std::vector<TableGlyph>& glyphs);

// `table` as a RawTable over `bbox`, its cell text normalised (NFC, ligatures
// expanded), or nothing when it is no table: no row with two cells, fewer
// than two filled cells or under 30% of the cells filled.
std::optional<RawTable> FinishTable(Table table, const BBox& bbox);

}  // namespace docpipe::pdf
