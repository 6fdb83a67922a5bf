#include "store/fts_query.h"

#include <unordered_set>
#include <vector>

#include <fmt/format.h>

namespace docpipe::store {
namespace {

enum class TokenKind { kWord, kPhrase, kOpen, kClose, kComma };

struct Token {
  TokenKind kind;
  std::string text;     // the word or the phrase's inside
  bool prefix = false;  // followed by '*'
};

// Control characters count as space: FTS5 stops reading a query at a NUL byte,
// which would leave a quoted term open (found by tests/fuzz/fuzz_fts_query).
bool IsSpace(char c) { return static_cast<unsigned char>(c) <= ' ' || c == '\x7f'; }

// Letters and digits in ASCII, and any non-ASCII byte: something the
// unicode61 tokenizer may index. A word without any is pure punctuation.
bool IsSearchableByte(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte >= 0x80 || (byte >= '0' && byte <= '9') || ((byte | 0x20) >= 'a' && (byte | 0x20) <= 'z');
}

bool HasSearchableChar(std::string_view text) {
  for (char c : text) {
    if (IsSearchableByte(c)) return true;
  }
  return false;
}

// About the tokens unicode61 makes of a quoted term: runs of letters and digits.
int TokensIn(std::string_view text) {
  int tokens = 0;
  bool in_token = false;
  for (char c : text) {
    const bool searchable = IsSearchableByte(c);
    if (searchable && !in_token) ++tokens;
    in_token = searchable;
  }
  return tokens;
}

// The same word to the index whatever its ASCII case.
std::string FoldAsciiCase(std::string_view word) {
  std::string folded(word);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

bool IsNumber(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// An FTS5 string: the tokenizer splits its inside into a phrase, so no
// character in it is syntax. Double quotes are escaped by doubling.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

void Append(std::string& out, std::string_view piece) {
  if (!out.empty()) out += ' ';
  out += piece;
}

// Every whitespace-separated word becomes a quoted term, once; quotes are dropped.
std::string PlainQuery(std::string_view query, int* terms) {
  std::string out;
  std::unordered_set<std::string> seen;
  size_t i = 0;
  while (i < query.size()) {
    while (i < query.size() && IsSpace(query[i])) ++i;
    std::string word;
    while (i < query.size() && !IsSpace(query[i])) {
      if (query[i] != '"') word += query[i];
      ++i;
    }
    if (!HasSearchableChar(word) || !seen.insert(FoldAsciiCase(word)).second) continue;
    *terms += TokensIn(word);
    Append(out, Quote(word));
  }
  return out;
}

// Splits into words, "phrases", parentheses and commas. False when a quote is
// left open, which makes the query plain text.
bool Lex(std::string_view query, std::vector<Token>& tokens) {
  size_t i = 0;
  while (i < query.size()) {
    char c = query[i];
    if (IsSpace(c)) {
      ++i;
    } else if (c == '"') {
      size_t close = query.find('"', i + 1);
      if (close == std::string_view::npos) return false;
      Token token{TokenKind::kPhrase, std::string(query.substr(i + 1, close - i - 1))};
      i = close + 1;
      if (i < query.size() && query[i] == '*') {
        token.prefix = true;
        ++i;
      }
      tokens.push_back(std::move(token));
    } else if (c == '(' || c == ')' || c == ',') {
      tokens.push_back({c == '(' ? TokenKind::kOpen : c == ')' ? TokenKind::kClose : TokenKind::kComma, {}});
      ++i;
    } else {
      size_t end = i;
      while (end < query.size() && !IsSpace(query[end]) && query[end] != '"' && query[end] != '(' &&
             query[end] != ')' && query[end] != ',') {
        ++end;
      }
      Token token{TokenKind::kWord, std::string(query.substr(i, end - i))};
      while (token.text.size() > 1 && token.text.back() == '*') {
        token.text.pop_back();
        token.prefix = true;
      }
      tokens.push_back(std::move(token));
      i = end;
    }
  }
  return true;
}

bool IsOperator(const Token& token) {
  return token.kind == TokenKind::kWord && (token.text == "AND" || token.text == "OR" || token.text == "NOT");
}

bool IsNear(const std::vector<Token>& tokens, size_t i) {
  return tokens[i].kind == TokenKind::kWord && tokens[i].text == "NEAR" && i + 1 < tokens.size() &&
         tokens[i + 1].kind == TokenKind::kOpen;
}

// True when the user wrote FTS5 syntax on purpose and wrote it balanced.
bool IsExplicit(const std::vector<Token>& tokens) {
  bool syntax = false;
  int depth = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (token.kind == TokenKind::kPhrase || token.prefix || IsOperator(token) || IsNear(tokens, i)) syntax = true;
    if (token.kind == TokenKind::kOpen) {
      syntax = true;
      ++depth;
    } else if (token.kind == TokenKind::kClose && --depth < 0) {
      return false;
    }
  }
  return syntax && depth == 0;
}

std::string ExplicitQuery(const std::vector<Token>& tokens, int* terms) {
  std::string out;
  std::vector<bool> near_groups;  // for each open parenthesis: does it belong to NEAR?
  bool after_near_comma = false;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    bool in_near = !near_groups.empty() && near_groups.back();
    switch (token.kind) {
      case TokenKind::kOpen:
        near_groups.push_back(i > 0 && IsNear(tokens, i - 1));
        out += '(';  // directly after NEAR or a space, both fine for FTS5
        break;
      case TokenKind::kClose:
        near_groups.pop_back();
        out += ')';
        break;
      case TokenKind::kComma:
        if (in_near) out += ',';
        after_near_comma = in_near;
        continue;
      case TokenKind::kPhrase:
        *terms += TokensIn(token.text);
        Append(out, Quote(token.text) + (token.prefix ? "*" : ""));
        break;
      case TokenKind::kWord:
        if (IsOperator(token) || IsNear(tokens, i) || (after_near_comma && IsNumber(token.text))) {
          Append(out, token.text);
        } else if (HasSearchableChar(token.text)) {
          *terms += TokensIn(token.text);
          Append(out, Quote(token.text) + (token.prefix ? "*" : ""));
        }
        break;
    }
    after_near_comma = false;
  }
  return out;
}

}  // namespace

Status CheckQuerySize(std::string_view query) {
  if (query.size() <= kMaxQueryBytes) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("the query is {} bytes long; a search takes at most {}", query.size(), kMaxQueryBytes));
}

Result<std::string> ToFtsQuery(std::string_view query) {
  DOCPIPE_RETURN_IF_ERROR(CheckQuerySize(query));
  std::vector<Token> tokens;
  int terms = 0;
  const bool plain = !Lex(query, tokens) || !IsExplicit(tokens);
  std::string expression = plain ? PlainQuery(query, &terms) : ExplicitQuery(tokens, &terms);
  if (terms > kMaxQueryTerms) {
    return Status::InvalidArgument(fmt::format("the query has {} terms{}; a search takes at most {}", terms,
                                               plain ? " after repeats" : "", kMaxQueryTerms));
  }
  return expression;
}

}  // namespace docpipe::store
