// How `docpipe extract` cuts a document into requests: whole chunks, in
// reading order, as many per group as the text budget holds. Pure functions;
// thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "docpipe/extract.h"

namespace docpipe::pipeline {

// Tokens of document text one request may carry: 3/4 of the context (the rest
// is the answer's), less the prompt and the schema; never below 128.
int ExtractionTextBudget(int context_tokens, std::string_view schema_text);

// Consecutive chunks whose token counts sum to at most `budget` per group; a
// chunk larger than the budget is a group alone. No chunks: no groups.
std::vector<std::vector<const ExtractionChunk*>> GroupChunks(const std::vector<ExtractionChunk>& chunks, int budget);

}  // namespace docpipe::pipeline
