// Entity patterns over a small tokenizer that keeps byte offsets, so every
// mention is an exact slice of the input. Rules are ordered from the most
// specific (ISO dates, currency) to the least (capitalised runs).
#include "llm/entity_patterns.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace docpipe::llm_internal {
namespace {

enum class TokenKind { kWord, kNumber, kSymbol };

struct Token {
  size_t start = 0, end = 0;
  TokenKind kind = TokenKind::kSymbol;
};

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c >= 0x80; }

bool StartsWith(std::string_view text, size_t at, std::string_view prefix) {
  return text.substr(at, prefix.size()) == prefix;
}

std::vector<Token> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = text[i];
    if (std::isspace(c)) { ++i; continue; }
    Token token{i, i + 1, TokenKind::kSymbol};
    if (StartsWith(text, i, "€") || StartsWith(text, i, "£") || StartsWith(text, i, "°")) {
      token.end = i + (StartsWith(text, i, "€") ? 3 : 2);
    } else if (std::isdigit(c)) {
      token.kind = TokenKind::kNumber;
      size_t j = i + 1;
      while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) ||
                                 ((text[j] == '.' || text[j] == ',') && j + 1 < text.size() &&
                                  std::isdigit(static_cast<unsigned char>(text[j + 1]))))) {
        ++j;
      }
      token.end = j;
    } else if (IsWordByte(c)) {
      token.kind = TokenKind::kWord;
      size_t j = i + 1;
      while (j < text.size() && (IsWordByte(text[j]) || ((text[j] == '-' || text[j] == '\'') &&
                                                          j + 1 < text.size() && IsWordByte(text[j + 1])))) {
        ++j;
      }
      token.end = j;
    }
    tokens.push_back(token);
    i = token.end;
  }
  return tokens;
}

template <size_t N>
bool In(const std::array<std::string_view, N>& set, std::string_view word) {
  return std::find(set.begin(), set.end(), word) != set.end();
}

constexpr std::array<std::string_view, 21> kMonths = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Oct"};
constexpr std::array<std::string_view, 60> kUnits = {
    "km", "m", "cm", "mm", "nm", "kg", "g", "mg", "t", "tonnes", "tons", "ms", "s", "seconds", "minutes",
    "hours", "days", "weeks", "months", "years", "Hz", "kHz", "MHz", "GHz", "W", "kW", "MW", "GW", "V",
    "mA", "A", "KB", "MB", "GB", "TB", "bytes", "C", "F", "K", "degrees", "percent", "meters", "metres",
    "kilometers", "kilometres", "miles", "feet", "ft", "inches", "litres", "liters", "l", "ml", "people",
    "million", "billion", "thousand", "trillion", "mph", "kWh"};
constexpr std::array<std::string_view, 6> kScales = {"million", "billion", "thousand", "trillion", "bn", "m"};
constexpr std::array<std::string_view, 29> kOrgSuffixes = {
    "Inc", "Ltd", "Corp", "Corporation", "Company", "GmbH", "AG", "LLC", "PLC", "SA", "University",
    "Institute", "Foundation", "Association", "Agency", "Bank", "Group", "Laboratory", "Laboratories",
    "Labs", "Council", "Committee", "Ministry", "Department", "Society", "College", "Organization",
    "Organisation", "Commission"};
constexpr std::array<std::string_view, 26> kPlaceWords = {
    "Tower", "River", "Mountain", "Mount", "Lake", "Street", "Avenue", "Road", "Bridge", "Park", "Island",
    "Islands", "Sea", "Ocean", "Valley", "City", "County", "Province", "Square", "Palace", "Cathedral",
    "Castle", "Bay", "Canal", "Desert", "Gulf"};
constexpr std::array<std::string_view, 48> kPlaces = {
    "Paris", "London", "Berlin", "Rome", "Madrid", "Tokyo", "Beijing", "Moscow", "Washington", "Boston",
    "Chicago", "Geneva", "Vienna", "Zurich", "Amsterdam", "Brussels", "Sydney", "Toronto", "France",
    "Germany", "Italy", "Spain", "Japan", "China", "India", "Russia", "Canada", "Brazil", "Mexico",
    "Australia", "England", "Scotland", "Ireland", "Europe", "Asia", "Africa", "America", "Switzerland",
    "Austria", "Netherlands", "Belgium", "Sweden", "Norway", "Poland", "Egypt", "Kenya", "California",
    "Texas"};
constexpr std::array<std::string_view, 12> kTitles = {"Mr", "Mrs", "Ms", "Dr", "Prof", "Professor", "Sir",
                                                      "President", "Dame", "Lord", "Lady", "Senator"};
constexpr std::array<std::string_view, 40> kGivenNames = {
    "John", "Mary", "James", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Elizabeth", "Jennifer", "Linda", "Barbara", "Susan", "Sarah", "Anna", "Maria", "Marie",
    "Peter", "Paul", "George", "Albert", "Isaac", "Alan", "Ada", "Grace", "Gustave", "Emma", "Hans",
    "Pierre", "Jean", "Karl", "Ludwig", "Niels", "Max", "Claude", "Alice", "Edward"};
constexpr std::array<std::string_view, 10> kConnectors = {"of", "the", "de", "du", "von", "van", "and", "&",
                                                          "for", "la"};
constexpr std::array<std::string_view, 46> kSentenceStarters = {
    "The", "A", "An", "In", "On", "At", "This", "That", "These", "Those", "It", "We", "Our", "He", "She",
    "They", "His", "Her", "Their", "As", "For", "By", "From", "When", "After", "Before", "Then", "However",
    "But", "And", "So", "Also", "Later", "Today", "Here", "There", "If", "While", "Since", "During", "With",
    "Although", "Because", "Once", "Its", "My"};

class EntityScanner {
 public:
  explicit EntityScanner(std::string_view text) : text_(text), tokens_(Tokenize(text)) {}

  std::vector<Entity> Run() {
    size_t i = 0;
    while (i < tokens_.size()) {
      size_t next = Date(i);
      if (next == i) next = Quantity(i);
      if (next == i) next = Name(i);
      i = std::max(next, i + 1);
    }
    return std::move(entities_);
  }

 private:
  std::string_view Word(size_t i) const {
    if (i >= tokens_.size()) return {};
    return text_.substr(tokens_[i].start, tokens_[i].end - tokens_[i].start);
  }
  bool Is(size_t i, TokenKind kind) const { return i < tokens_.size() && tokens_[i].kind == kind; }
  bool Adjacent(size_t a, size_t b) const { return tokens_[a].end == tokens_[b].start; }
  // Only spaces (no line break, no punctuation) between two tokens.
  bool SpaceBetween(size_t a, size_t b) const {
    for (size_t k = tokens_[a].end; k < tokens_[b].start; ++k) {
      if (text_[k] != ' ') return false;
    }
    return true;
  }
  int NumberValue(size_t i) const {
    std::string_view w = Word(i);
    if (!Is(i, TokenKind::kNumber) || w.size() > 4) return -1;
    for (char c : w) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    }
    return std::stoi(std::string(w));
  }
  bool IsYear(size_t i) const {
    int v = NumberValue(i);
    return Word(i).size() == 4 && v >= 1000 && v <= 2099;
  }
  bool IsDay(size_t i) const {
    int v = NumberValue(i);
    return v >= 1 && v <= 31;
  }
  bool Capitalized(size_t i) const {
    std::string_view w = Word(i);
    return Is(i, TokenKind::kWord) && std::isupper(static_cast<unsigned char>(w[0]));
  }
  bool SentenceStart(size_t i) const {
    if (i == 0) return true;
    std::string_view prev = Word(i - 1);
    if (prev == "." || prev == "!" || prev == "?" || prev == ":" || prev == "\"") return true;
    for (size_t k = tokens_[i - 1].end; k < tokens_[i].start; ++k) {
      if (text_[k] == '\n') return true;
    }
    return false;
  }

  void Add(size_t first, size_t last, std::string_view type, float confidence) {
    Entity entity;
    entity.start = static_cast<int64_t>(tokens_[first].start);
    entity.end = static_cast<int64_t>(tokens_[last].end);
    entity.text = std::string(text_.substr(tokens_[first].start, tokens_[last].end - tokens_[first].start));
    entity.type = std::string(type);
    entity.confidence = confidence;
    entities_.push_back(std::move(entity));
  }

  size_t Date(size_t i);
  size_t Quantity(size_t i);
  size_t Name(size_t i);

  std::string_view text_;
  std::vector<Token> tokens_;
  std::vector<Entity> entities_;
};

// 2024-03-15; 15 March 2024; March 15, 2024; March 2024; a bare year.
size_t EntityScanner::Date(size_t i) {
  if (IsYear(i) && i + 4 < tokens_.size() && Word(i + 1) == "-" && Word(i + 3) == "-" &&
      Word(i + 2).size() == 2 && Word(i + 4).size() == 2 && Adjacent(i, i + 1) && Adjacent(i + 3, i + 4) &&
      Is(i + 2, TokenKind::kNumber) && Is(i + 4, TokenKind::kNumber)) {
    Add(i, i + 4, "date", 0.95f);
    return i + 5;
  }
  size_t month = IsDay(i) && In(kMonths, Word(i + 1)) ? i + 1 : (In(kMonths, Word(i)) ? i : tokens_.size());
  if (month < tokens_.size()) {
    size_t last = month;
    if (month == i + 1) last = month;  // "15 March"
    if (month == i && IsDay(i + 1) && !IsYear(i + 1)) last = i + 1;  // "March 15"
    size_t year = last + 1;
    if (Word(year) == ",") ++year;
    if (IsYear(year)) last = year;
    if (last != month || month == i + 1) {
      Add(i, last, "date", 0.9f);
      return last + 1;
    }
  }
  if (IsYear(i) && !In(kUnits, Word(i + 1))) {
    Add(i, i, "date", 0.7f);
    return i + 1;
  }
  return i;
}

// $1.5 million; €30; 10 %; 5 km; 5km; 3,000 people.
size_t EntityScanner::Quantity(size_t i) {
  std::string_view w = Word(i);
  if ((w == "$" || w == "€" || w == "£") && Is(i + 1, TokenKind::kNumber)) {
    size_t last = i + 1;
    if (In(kScales, Word(last + 1))) ++last;
    Add(i, last, "quantity", 0.85f);
    return last + 1;
  }
  if (!Is(i, TokenKind::kNumber)) return i;
  std::string_view next = Word(i + 1);
  if (next == "%" || (next == "°" && Word(i + 2).size() == 1)) {
    size_t last = next == "%" ? i + 1 : i + 2;
    Add(i, last, "quantity", 0.85f);
    return last + 1;
  }
  if (Is(i + 1, TokenKind::kWord) && In(kUnits, next) && (Adjacent(i, i + 1) || SpaceBetween(i, i + 1))) {
    Add(i, i + 1, "quantity", 0.8f);
    return i + 2;
  }
  return i;
}

// Capitalised runs ("Eiffel Tower", "University of Cambridge", "Marie Curie"), acronyms, known places.
size_t EntityScanner::Name(size_t i) {
  if (!Capitalized(i) || In(kMonths, Word(i))) return i;
  size_t first = i;
  if (SentenceStart(i) && In(kSentenceStarters, Word(i))) return i + 1;
  bool titled = In(kTitles, Word(i)) && i + 1 < tokens_.size();
  if (titled) {
    first = Word(i + 1) == "." ? i + 2 : i + 1;
    if (!Capitalized(first)) return i + 1;
  }
  size_t last = first;
  while (true) {
    size_t next = last + 1;
    if (next < tokens_.size() && Word(next) == "." && In(kOrgSuffixes, Word(last))) break;
    if (next < tokens_.size() && In(kConnectors, Word(next)) && Capitalized(next + 1) &&
        SpaceBetween(last, next) && SpaceBetween(next, next + 1)) {
      last = next + 1;
    } else if (Capitalized(next) && SpaceBetween(last, next) && !In(kMonths, Word(next))) {
      last = next;
    } else {
      break;
    }
  }
  std::string_view head = Word(first), tail = Word(last);
  if (In(kOrgSuffixes, tail) || (last > first && In(kOrgSuffixes, head))) {
    Add(first, last, "organization", 0.75f);
  } else if (In(kPlaceWords, tail) || (last > first && In(kPlaceWords, head)) ||
             (last == first && In(kPlaces, head))) {
    Add(first, last, "location", 0.65f);
  } else if (titled || (last > first && last - first <= 2 && In(kGivenNames, head))) {
    Add(first, last, "person", 0.6f);
  } else if (last > first) {
    Add(first, last, "other", 0.4f);
  } else if (head.size() >= 2 && head.size() <= 6 &&
             std::all_of(head.begin(), head.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)); })) {
    Add(first, last, "term", 0.5f);
  }
  return last + 1;
}

}  // namespace

std::vector<Entity> FindEntities(std::string_view text) { return EntityScanner(text).Run(); }

}  // namespace docpipe::llm_internal
