// Pattern-based entity finder behind HeuristicTagger::Entities(): dates,
// quantities, organisations (by suffix), locations (by suffix or a short
// gazetteer), people (by title or given name), other capitalised multi-word
// names, and acronyms as terms. Pure function; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "docpipe/tagging.h"

namespace docpipe::llm_internal {

std::vector<Entity> FindEntities(std::string_view text);

}  // namespace docpipe::llm_internal
