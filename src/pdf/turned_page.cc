#include "pdf/turned_page.h"

#include <algorithm>
#include <array>

namespace docpipe::pdf {

int PageTurns(const std::vector<RawLine>& lines) {
  std::array<int, 4> chars{};
  for (const RawLine& line : lines) {
    if (line.turns >= 0) chars[static_cast<size_t>(line.turns)] += line.chars;
  }
  const auto most = std::max_element(chars.begin() + 1, chars.end());
  return *most > chars[0] ? static_cast<int>(most - chars.begin()) : 0;
}

void LinesToFrame(const TableFrame& frame, std::vector<RawLine>* lines) {
  for (RawLine& line : *lines) {
    line.bbox = frame.ToFrame(line.bbox);
    line.baseline = line.bbox.y1;
  }
}

}  // namespace docpipe::pdf
