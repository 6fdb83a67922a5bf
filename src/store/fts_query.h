// Turns what a person typed into a search box into an FTS5 MATCH expression.
//
// Plain text ("reciprocal rank fusion", "state-of-the-art", "C++", "don't", a
// lone quote) becomes a list of quoted terms, all of which must match, so
// punctuation can never be read as FTS5 syntax. A query that clearly uses
// FTS5 syntax (AND / OR / NOT, NEAR(...), balanced "phrases", prefix*, balanced
// parentheses) keeps its operators, and its bare words are quoted the same way.
//
// A plain query says each word once: repeats are dropped (case aside), since
// FTS5's time grows faster than linearly in repeated terms. A query longer than
// kMaxQueryBytes, or with more than kMaxQueryTerms terms (tokens the indexer
// would see) after that, is refused: never slow.
//
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "docpipe/status.h"

namespace docpipe::store {

inline constexpr size_t kMaxQueryBytes = 4096;
inline constexpr int kMaxQueryTerms = 64;

// kInvalidArgument, saying which limit, for a query past kMaxQueryBytes.
// Every search mode checks it (the vector side embeds the text).
Status CheckQuerySize(std::string_view query);

// The FTS5 expression for `query`; empty when the query holds nothing
// searchable (only whitespace or punctuation). kInvalidArgument past the limits.
Result<std::string> ToFtsQuery(std::string_view query);

}  // namespace docpipe::store
