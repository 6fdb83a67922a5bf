#include "pdf/page_furniture.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

namespace docpipe::pdf {
namespace {

// Share of the page height, from the top and from the bottom, where running
// headers and footers live.
constexpr float kMarginZone = 0.12f;
// A key must appear on at least this share of the pages with text, or on
// kEnoughPages of them (running heads that change per chapter), and on two.
constexpr float kMinPageShare = 0.3f;
constexpr int kEnoughPages = 3;

enum class Zone { kNone, kTop, kBottom };

Zone ZoneOf(const RawLine& line, float page_height) {
  if (page_height <= 0) return Zone::kNone;
  if (line.bbox.y1 <= kMarginZone * page_height) return Zone::kTop;
  if (line.bbox.y0 >= (1 - kMarginZone) * page_height) return Zone::kBottom;
  return Zone::kNone;
}

bool IsRomanNumeral(std::string_view word) {
  if (word.empty() || word.size() > 7) return false;
  return std::all_of(word.begin(), word.end(), [](char c) {
    return std::strchr("ivxlcdm", c) != nullptr;
  });
}

std::string ZoneKey(Zone zone, const std::string& key) {
  return (zone == Zone::kTop ? "t|" : "b|") + key;
}

bool IsPageNumberKey(std::string_view key) {
  for (std::string_view form : {"#", "page #", "page # of #", "# of #", "# / #", "#/#", "- # -", "p. #"}) {
    if (key == form) return true;
  }
  return false;
}

// Most common font size by characters on one page.
float BodySize(const RawPage& page) {
  std::unordered_map<int, int> counts;
  for (const RawLine& line : page.lines) counts[static_cast<int>(line.size * 2 + 0.5f)] += line.chars;
  int best = 0, best_count = -1;
  for (const auto& [size, count] : counts) {
    if (count > best_count || (count == best_count && size < best)) best = size, best_count = count;
  }
  return best / 2.0f;
}

// Without other pages to compare with, a small-type line alone in the margin
// zone, well apart from the text, is a running header or footer.
bool IsLoneMarginLine(const RawPage& page, const RawLine& line, float body_size) {
  if (line.size > body_size - 0.5f) return false;
  const float reach = 1.5f * line.bbox.height();
  for (const RawLine& other : page.lines) {
    if (&other == &line) continue;
    if (other.bbox.y1 > line.bbox.y0 - reach && other.bbox.y0 < line.bbox.y1 + reach) return false;
  }
  return true;
}

void RemoveSinglePageFurniture(RawPage& page) {
  const float body_size = BodySize(page);
  std::vector<const RawLine*> doomed;
  for (const RawLine& line : page.lines) {
    if (ZoneOf(line, page.height) != Zone::kNone && IsLoneMarginLine(page, line, body_size)) {
      doomed.push_back(&line);
    }
  }
  std::erase_if(page.lines, [&](const RawLine& line) {
    return std::find(doomed.begin(), doomed.end(), &line) != doomed.end();
  });
}

}  // namespace

std::string FurnitureKey(std::string_view text) {
  std::string key;
  key.reserve(text.size());
  bool last_digit = false;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isdigit(u)) {
      if (!last_digit) key.push_back('#');
      last_digit = true;
      continue;
    }
    last_digit = false;
    if (std::isspace(u)) {
      if (!key.empty() && key.back() != ' ') key.push_back(' ');
    } else {
      key.push_back(static_cast<char>(std::tolower(u)));
    }
  }
  while (!key.empty() && key.back() == ' ') key.pop_back();
  if (IsRomanNumeral(key)) return "#";
  return key;
}

void RemovePageFurniture(std::vector<RawPage>& pages) {
  // Per zone, on how many pages each exact text and each digit-normalised
  // key occurs.
  int text_pages = 0;
  std::unordered_map<std::string, int> page_counts;
  std::unordered_map<int, long> size_chars;
  for (const RawPage& page : pages) {
    if (page.lines.empty()) continue;
    ++text_pages;
    std::unordered_set<std::string> seen;
    for (const RawLine& line : page.lines) {
      size_chars[static_cast<int>(line.size * 2 + 0.5f)] += line.chars;
      const Zone zone = ZoneOf(line, page.height);
      if (zone == Zone::kNone) continue;
      for (std::string key : {ZoneKey(zone, "x|" + line.text), ZoneKey(zone, FurnitureKey(line.text))}) {
        if (seen.insert(key).second) page_counts[key]++;
      }
    }
  }
  int body = 0;
  long body_chars = -1;
  for (const auto& [size, chars] : size_chars) {
    if (chars > body_chars) body = size, body_chars = chars;
  }
  const float body_size = body / 2.0f;
  const int needed =
      std::max(2, std::min(kEnoughPages, static_cast<int>(kMinPageShare * text_pages + 0.999f)));
  auto repeated = [&](const std::string& key) {
    auto it = page_counts.find(key);
    return it != page_counts.end() && it->second >= needed;
  };
  for (RawPage& page : pages) {
    if (text_pages == 1 && !page.lines.empty()) RemoveSinglePageFurniture(page);
    std::erase_if(page.lines, [&](const RawLine& line) {
      const Zone zone = ZoneOf(line, page.height);
      if (zone == Zone::kNone) return false;
      const std::string key = FurnitureKey(line.text);
      if (IsPageNumberKey(key) || repeated(ZoneKey(zone, "x|" + line.text))) return true;
      // Text that only repeats once its numbers are masked ("Part 7", "Part
      // 8") is a running head when set no larger than the body, but a
      // heading when set larger.
      return line.size < body_size + 0.5f && repeated(ZoneKey(zone, key));
    });
  }
}

}  // namespace docpipe::pdf
