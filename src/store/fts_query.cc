#include "store/fts_query.h"

#include <vector>

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
bool HasSearchableChar(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80 || (byte >= '0' && byte <= '9') || ((byte | 0x20) >= 'a' && (byte | 0x20) <= 'z')) return true;
  }
  return false;
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

// Every whitespace-separated word becomes a quoted term; quotes are dropped.
std::string PlainQuery(std::string_view query) {
  std::string out;
  size_t i = 0;
  while (i < query.size()) {
    while (i < query.size() && IsSpace(query[i])) ++i;
    std::string word;
    while (i < query.size() && !IsSpace(query[i])) {
      if (query[i] != '"') word += query[i];
      ++i;
    }
    if (HasSearchableChar(word)) Append(out, Quote(word));
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

std::string ExplicitQuery(const std::vector<Token>& tokens) {
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
        Append(out, Quote(token.text) + (token.prefix ? "*" : ""));
        break;
      case TokenKind::kWord:
        if (IsOperator(token) || IsNear(tokens, i) || (after_near_comma && IsNumber(token.text))) {
          Append(out, token.text);
        } else if (HasSearchableChar(token.text)) {
          Append(out, Quote(token.text) + (token.prefix ? "*" : ""));
        }
        break;
    }
    after_near_comma = false;
  }
  return out;
}

}  // namespace

std::string ToFtsQuery(std::string_view query) {
  std::vector<Token> tokens;
  if (!Lex(query, tokens) || !IsExplicit(tokens)) return PlainQuery(query);
  return ExplicitQuery(tokens);
}

}  // namespace docpipe::store
