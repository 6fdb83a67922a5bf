// Turns what a person typed into a search box into a PostgreSQL tsquery
// expression, with the same reading of the query as the SQLite store: the
// text goes through ToFtsQuery() first, and its FTS5 expression (quoted terms,
// prefix*, AND / OR / NOT, NEAR(...), parentheses) is translated:
//   "term"      -> phraseto_tsquery(config, 'term')   (punctuation stays text)
//   "term"*     -> to_tsquery(config, '''term'':*')
//   a b, a AND b -> a && b;  a OR b -> a || b;  a NOT b -> a && !! b
//   NEAR(a b, n) -> a && b   (tsquery has no unordered proximity)
// Terms travel as query parameters, never inside the SQL text.
//
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docpipe/status.h"

namespace docpipe::store {

struct PgTsQuery {
  std::string sql;                 // a tsquery-valued SQL expression; empty: nothing searchable
  std::vector<std::string> terms;  // its parameters, numbered from the first_param given
};

// kInvalidArgument (naming the query) for an operator without an operand or
// an unbalanced group, as FTS5 would report.
Result<PgTsQuery> ToPgTsQuery(std::string_view query, std::string_view config, int first_param);

}  // namespace docpipe::store
