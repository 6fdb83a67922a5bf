// Turns what a person typed into a search box into an FTS5 MATCH expression.
//
// Plain text ("reciprocal rank fusion", "state-of-the-art", "C++", "don't", a
// lone quote) becomes a list of quoted terms, all of which must match, so
// punctuation can never be read as FTS5 syntax. A query that clearly uses
// FTS5 syntax (AND / OR / NOT, NEAR(...), balanced "phrases", prefix*, balanced
// parentheses) keeps its operators, and its bare words are quoted the same way.
//
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace docpipe::store {

// The FTS5 expression for `query`; empty when the query holds nothing
// searchable (only whitespace or punctuation).
std::string ToFtsQuery(std::string_view query);

}  // namespace docpipe::store
