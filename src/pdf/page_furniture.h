// Removes running headers, footers and page numbers: lines in the top or
// bottom margin zone whose text, with digits normalised, repeats on many pages.
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pdf/raw_page.h"

namespace docpipe::pdf {

// "Page 12 of 40" -> "page # of #"; "xii" -> "#"; lower case, single spaces.
std::string FurnitureKey(std::string_view text);

void RemovePageFurniture(std::vector<RawPage>& pages);

}  // namespace docpipe::pdf
