#include "text/sentence_splitter.h"

#include <algorithm>
#include <array>
#include <string>

#include "text/tokens.h"

namespace docpipe::text {
namespace {

// Abbreviations after which a period never ends a sentence (lower case, no dot).
constexpr std::array<std::string_view, 52> kAbbreviations = {
    "mr",  "mrs",  "ms",   "dr",   "prof", "sr",  "jr",  "st",  "mt",   "rev", "gen",  "col", "lt",
    "sgt", "capt", "gov",  "sen",  "rep",  "vs",  "cf",  "fig", "figs", "eq",  "eqs",  "vol", "vols",
    "pp",  "ch",   "chap", "sec",  "sect", "tab", "art", "ref", "refs", "ed",  "eds",  "viz", "approx",
    "inc", "ltd",  "corp", "dept", "jan",  "feb", "apr", "jun", "jul",  "aug", "sept", "oct", "nov"};
// Abbreviations that end a sentence only when a capitalised word follows.
constexpr std::array<std::string_view, 2> kMaybeFinal = {"etc", "al"};

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAsciiAlpha(char c) { return IsAsciiLower(c) || IsAsciiUpper(c); }

enum class Terminator { kNone, kLatin, kIdeographic };

Terminator TerminatorAt(std::string_view text, size_t pos, size_t* length) {
  *length = 1;
  const char c = text[pos];
  if (c == '.' || c == '!' || c == '?') return Terminator::kLatin;
  if (static_cast<unsigned char>(c) < 0x80) return Terminator::kNone;
  const char32_t cp = DecodeAt(text, pos, length);
  if (cp == 0x2026) return Terminator::kLatin;  // horizontal ellipsis
  if (cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F) return Terminator::kIdeographic;
  return Terminator::kNone;
}

bool IsCloser(std::string_view text, size_t pos, size_t* length) {
  *length = 1;
  const char c = text[pos];
  if (c == ')' || c == ']' || c == '}' || c == '"' || c == '\'') return true;
  if (static_cast<unsigned char>(c) < 0x80) return false;
  const char32_t cp = DecodeAt(text, pos, length);
  return cp == 0x2019 || cp == 0x201D || cp == 0xBB || cp == 0x300D || cp == 0x300F || cp == 0xFF09;
}

bool IsOpener(char c) { return c == '(' || c == '[' || c == '{' || c == '"' || c == '\''; }

// "e.g", "U.S", "Ph.D": letters in groups of at most three, joined by dots.
bool IsDottedAbbreviation(std::string_view word) {
  if (word.find('.') == std::string_view::npos) return false;
  size_t group = 0;
  for (char c : word) {
    if (c == '.') {
      if (group == 0) return false;
      group = 0;
    } else if (IsAsciiAlpha(c) && group < 3) {
      ++group;
    } else {
      return false;
    }
  }
  return group > 0;
}

// Whether the single period at text[dot] ends a sentence. `start` is where the
// current sentence began; `next` is the first non-space character after it, or 0.
bool PeriodEndsSentence(std::string_view text, size_t start, size_t dot, char next) {
  size_t word_begin = dot;
  while (word_begin > start && !IsAsciiSpace(text[word_begin - 1])) --word_begin;
  while (word_begin < dot && IsOpener(text[word_begin])) ++word_begin;
  const std::string_view word = text.substr(word_begin, dot - word_begin);
  if (word.empty()) return true;
  if (IsDottedAbbreviation(word)) return false;
  if (word.size() == 1 && IsAsciiAlpha(word[0])) return false;  // an initial: "J. Smith"
  if (word_begin == start && std::all_of(word.begin(), word.end(), IsAsciiDigit)) return false;  // "1. "
  std::string lower(word);
  for (char& c : lower) c = IsAsciiUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
  if (std::find(kAbbreviations.begin(), kAbbreviations.end(), lower) != kAbbreviations.end()) return false;
  if (std::find(kMaybeFinal.begin(), kMaybeFinal.end(), lower) != kMaybeFinal.end())
    return IsAsciiUpper(next);
  if (lower == "no") return !IsAsciiDigit(next);  // "No. 5"
  return true;
}

size_t SkipSpaces(std::string_view text, size_t pos) {
  while (pos < text.size() && IsAsciiSpace(text[pos])) ++pos;
  return pos;
}

// The end of the sentence whose terminator starts at `pos`, or npos when the
// terminator does not end one. *resume is where scanning goes on after it, so
// that long runs of dots (table-of-contents leaders) are looked at once.
size_t SentenceEndAt(std::string_view text, size_t start, size_t pos, size_t* resume) {
  size_t length = 0;
  const Terminator kind = TerminatorAt(text, pos, &length);
  *resume = pos + length;
  if (kind == Terminator::kNone) return std::string_view::npos;
  size_t end = pos + length;
  size_t run = 1;  // "?!", "..." end where the run ends
  while (end < text.size() && TerminatorAt(text, end, &length) != Terminator::kNone) {
    end += length;
    ++run;
  }
  *resume = end;
  while (end < text.size() && IsCloser(text, end, &length)) end += length;
  if (kind == Terminator::kIdeographic) return end;
  if (end < text.size() && !IsAsciiSpace(text[end])) return std::string_view::npos;  // "3.14", "a.b"
  const size_t next_pos = SkipSpaces(text, end);
  const char next = next_pos < text.size() ? text[next_pos] : '\0';
  if (IsAsciiLower(next)) return std::string_view::npos;
  if (run == 1 && text[pos] == '.' && !PeriodEndsSentence(text, start, pos, next)) {
    return std::string_view::npos;
  }
  return end;
}

}  // namespace

void SplitSentences(std::string_view text, std::vector<TextSpan>* out) {
  size_t start = SkipSpaces(text, 0);
  size_t pos = start;
  while (pos < text.size()) {
    size_t resume = pos;
    const size_t end = SentenceEndAt(text, start, pos, &resume);
    if (end == std::string_view::npos) {
      pos = resume;
      continue;
    }
    out->push_back({start, end});
    start = SkipSpaces(text, end);
    pos = start;
  }
  if (start < text.size()) {
    size_t end = text.size();
    while (end > start && IsAsciiSpace(text[end - 1])) --end;
    out->push_back({start, end});
  }
}

void SplitLines(std::string_view text, std::vector<TextSpan>* out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string_view::npos) newline = text.size();
    size_t begin = pos;
    size_t end = newline;
    while (begin < end && IsAsciiSpace(text[begin])) ++begin;
    while (end > begin && IsAsciiSpace(text[end - 1])) --end;
    if (begin < end) out->push_back({begin, end});
    pos = newline + 1;
  }
}

}  // namespace docpipe::text
