// A converted document's problems as report lines, capped: reports, store
// records and the CLI take their lists from here, so one hostile document (a
// page tree claiming a million pages) cannot flood them.
//
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "docpipe/document.h"

namespace docpipe {

// The most lines DocumentProblems() gives for one document.
inline constexpr size_t kMaxDocumentProblems = 100;

// "page N: reason" for each page that failed, at most `limit` (>= 1) lines;
// past it, the last line says how many more there were.
std::vector<std::string> DocumentProblems(const Document& document, size_t limit = kMaxDocumentProblems);

}  // namespace docpipe
