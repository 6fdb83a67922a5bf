#include "docpipe/document_problems.h"

namespace docpipe {

std::vector<std::string> DocumentProblems(const Document& document, size_t limit) {
  std::vector<std::string> lines;
  size_t failed = 0;
  for (const Page& page : document.pages) {
    if (page.error.empty()) continue;
    if (++failed <= limit) lines.push_back("page " + std::to_string(page.number) + ": " + page.error);
  }
  if (failed > limit) {
    // The last line kept gives way to the count, so the list stays within the limit.
    lines.back() = "... and " + std::to_string(failed - limit + 1) + " more pages with problems in this document";
  }
  return lines;
}

}  // namespace docpipe
