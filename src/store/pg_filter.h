// A SearchFilter in PostgreSQL: SQL conditions over `c` (chunks) and `d`
// (documents), with their values as query parameters, for the parts of the
// filter in use. The path glob has SQLite GLOB's meaning (case-sensitive
// * ? [..] [^..]), carried out as an anchored regular expression.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "docpipe/store.h"
#include "store/pg_conn.h"

namespace docpipe::store {

// " AND ..." conditions, always leaving out partial (streamed, not yet
// complete) documents; their parameters are appended to `params`, numbered
// after those already there.
std::string PgFilterSql(const SearchFilter& filter, PgParams& params);

// The anchored POSIX regular expression that matches what `glob` matches.
std::string GlobToRegex(std::string_view glob);

}  // namespace docpipe::store
