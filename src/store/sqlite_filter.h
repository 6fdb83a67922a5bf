// A SearchFilter in SQLite: one fixed SQL condition over `c` (chunks) and `d`
// (documents) whose parameters ?91..?94 are NULL when a part of the filter is
// not used, so every statement that filters stays one cached statement. It
// always leaves out partial (streamed, not yet complete) documents.
#pragma once

#include <string>

#include "docpipe/store.h"
#include "store/sqlite_db.h"

namespace docpipe::store {

#define DOCPIPE_FILTER_SQL                                                                              \
  " d.state = 'complete' AND"                                                                           \
  " (?91 IS NULL OR d.id IN (SELECT value FROM json_each(?91)))"                                        \
  " AND (?92 IS NULL OR d.path GLOB ?92)"                                                               \
  " AND (?93 IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(?93) wanted WHERE NOT EXISTS ("             \
  "SELECT 1 FROM chunk_tags t WHERE t.chunk_id = c.id AND t.axis = json_extract(wanted.value, '$[0]') " \
  "AND t.label = json_extract(wanted.value, '$[1]'))))"                                                \
  " AND (?94 IS NULL OR c.has_table = ?94) "

// The bound texts, which must outlive the statement's steps.
struct BoundFilter {
  std::string document_ids;
  std::string tags;
};

// Binds ?91..?94 from `filter` (NULL for the parts not used).
void BindFilter(Statement& statement, const SearchFilter& filter, BoundFilter& storage);

}  // namespace docpipe::store
