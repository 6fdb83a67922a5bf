#include "pdf/text_rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

#include "core/ascii_lower.h"

namespace docpipe::pdf {
namespace {

constexpr std::string_view kSoftHyphen = "\xC2\xAD";
constexpr std::string_view kUnicodeHyphen = "\xE2\x80\x90";

constexpr std::array<std::string_view, 14> kBullets = {
    "\xE2\x80\xA2" /* • */, "\xE2\x97\xA6" /* ◦ */, "\xE2\x96\xAA" /* ▪ */,
    "\xE2\x80\x93" /* – */, "\xE2\x80\x94" /* — */, "\xE2\x97\x8F" /* ● */,
    "\xE2\x97\x8B" /* ○ */, "\xE2\x96\xA0" /* ■ */, "\xE2\x96\xA1" /* □ */,
    "\xE2\x80\xA3" /* ‣ */, "\xE2\x81\x83" /* ⁃ */, "\xC2\xB7" /* · */,
    "-",                    "*"};

bool IsLower(unsigned char c) { return std::islower(c) != 0; }
bool IsAlpha(unsigned char c) { return std::isalpha(c) != 0 || c >= 0x80; }

size_t SkipSpaces(std::string_view text, size_t i) {
  while (i < text.size() && text[i] == ' ') ++i;
  return i;
}

bool IsRoman(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  for (char c : s) {
    if (std::string_view("ivxlc").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// "12." / "a)" / "(iv)" at the start of `text`: returns the marker's length.
size_t OrderedMarkerLength(std::string_view text) {
  size_t i = 0;
  const bool open_paren = !text.empty() && text[0] == '(';
  if (open_paren) ++i;
  size_t start = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 3) ++i;
  if (i == start) {
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])) && i - start < 6) ++i;
    std::string_view word = text.substr(start, i - start);
    if (word.empty() || (word.size() > 1 && !IsRoman(word))) return 0;
  }
  if (i >= text.size()) return 0;
  if (open_paren ? text[i] != ')' : (text[i] != '.' && text[i] != ')')) return 0;
  ++i;
  if (i >= text.size() || text[i] != ' ') return 0;
  return i;
}

std::string_view LastWord(std::string_view text) {
  const size_t space = text.rfind(' ');
  return space == std::string_view::npos ? text : text.substr(space + 1);
}

std::string_view LeadingLetters(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
  return text.substr(0, i);
}

// First halves of common English compounds: "well-" + "known" keeps its
// hyphen even when the document never spells the compound whole.
constexpr std::array<std::string_view, 40> kCompoundHeads = {
    "all",   "anti",  "best",  "better", "bi",    "built", "co",    "cross", "data",  "ever",
    "ex",    "far",   "first", "full",   "half",  "hand",  "hard",  "high",  "ill",   "large",
    "long",  "low",   "multi", "near",   "non",   "old",   "one",   "open",  "real",  "right",
    "second", "self", "short", "small",  "so",    "third", "time",  "two",   "well",  "wide"};

bool IsCompoundHead(std::string_view lower) {
  return std::find(kCompoundHeads.begin(), kCompoundHeads.end(), lower) != kCompoundHeads.end();
}

// How to join a line ending in `hyphen_len` bytes of hyphen to `next`.
bool KeepHyphen(std::string_view fragment, std::string_view next, const Vocabulary* vocabulary) {
  const unsigned char first = static_cast<unsigned char>(next[0]);
  if (!IsLower(first)) return true;
  if (fragment.find('-') != std::string_view::npos) return true;
  const std::string head = AsciiLower(fragment);
  if (!vocabulary) return IsCompoundHead(head);
  const std::string tail = AsciiLower(LeadingLetters(next));
  if (vocabulary->Contains(head + tail)) return false;
  return vocabulary->Contains(head + "-" + tail) || IsCompoundHead(head);
}

void EraseSoftHyphens(std::string& text) {
  size_t pos;
  while ((pos = text.find(kSoftHyphen)) != std::string::npos) text.erase(pos, kSoftHyphen.size());
}

}  // namespace

ListMarker ParseListMarker(std::string_view text) {
  ListMarker marker;
  for (std::string_view bullet : kBullets) {
    if (text.substr(0, bullet.size()) != bullet) continue;
    const bool ascii = bullet.size() == 1;
    if (text.size() <= bullet.size()) return marker;
    if (text[bullet.size()] != ' ' && ascii) return marker;
    marker.found = true;
    marker.length = SkipSpaces(text, bullet.size());
    return marker;
  }
  const size_t length = OrderedMarkerLength(text);
  if (length > 0 && length < text.size()) {
    marker.found = true;
    marker.ordered = true;
    marker.length = SkipSpaces(text, length);
  }
  return marker;
}

bool IsCaption(std::string_view text) {
  for (std::string_view prefix : {"Figure ", "Fig. ", "Table ", "Tab. ", "FIGURE ", "TABLE "}) {
    if (text.substr(0, prefix.size()) != prefix) continue;
    size_t i = prefix.size();
    const size_t digits = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == digits && prefix == "TABLE ") {
      // "TABLE II." numbers tables in upper-case Roman numerals.
      while (i < text.size() && text[i] != '\0' && std::strchr("IVXLC", text[i])) ++i;
      if (i < text.size() && text[i] == '.') ++i;
    }
    if (i == digits) return false;
    return i == text.size() || text[i] == ':' || text[i] == ' ' || text[i - 1] == '.';
  }
  return false;
}

bool IsTableCaption(std::string_view text) {
  return IsCaption(text) && (text.starts_with("Tab") || text.starts_with("TAB"));
}

void Vocabulary::AddLine(std::string_view text, bool after_break) {
  size_t i = 0;
  if (after_break) {
    while (i < text.size() && text[i] != ' ') ++i;
  }
  if (EndsWithHyphen(text)) {
    const size_t space = text.rfind(' ');
    text = space == std::string_view::npos || space < i ? std::string_view() : text.substr(0, space);
  }
  while (i < text.size()) {
    while (i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() &&
           (std::isalpha(static_cast<unsigned char>(text[j])) ||
            (text[j] == '-' && j + 1 < text.size() && std::isalpha(static_cast<unsigned char>(text[j + 1]))))) {
      ++j;
    }
    if (j > i) words_.insert(AsciiLower(text.substr(i, j - i)));
    i = j;
  }
}

bool EndsWithHyphen(std::string_view line) {
  return line.ends_with('-') || line.ends_with(kUnicodeHyphen) || line.ends_with(kSoftHyphen);
}

std::string JoinLines(const std::vector<std::string_view>& lines, const Vocabulary* vocabulary) {
  std::string text;
  size_t total = 0;
  for (std::string_view line : lines) total += line.size() + 1;
  text.reserve(total);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    const bool last = i + 1 == lines.size();
    if (!last && line.ends_with(kSoftHyphen)) {
      text += line.substr(0, line.size() - kSoftHyphen.size());
      continue;
    }
    std::string_view hyphen = line.ends_with('-') ? "-" : line.ends_with(kUnicodeHyphen) ? kUnicodeHyphen : "";
    if (!last && !hyphen.empty() && !lines[i + 1].empty()) {
      std::string_view body = line.substr(0, line.size() - hyphen.size());
      std::string_view fragment = LastWord(body);
      if (!fragment.empty() && IsAlpha(static_cast<unsigned char>(fragment.back()))) {
        text += KeepHyphen(fragment, lines[i + 1], vocabulary) ? line : body;
        continue;
      }
    }
    text += line;
    if (!last) text.push_back(' ');
  }
  EraseSoftHyphens(text);
  return text;
}

}  // namespace docpipe::pdf
