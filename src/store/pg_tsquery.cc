#include "store/pg_tsquery.h"

#include <fmt/format.h>

#include "store/fts_query.h"

namespace docpipe::store {
namespace {

enum class Kind { kTerm, kAnd, kOr, kNot, kNear, kOpen, kClose, kComma, kNumber };

struct Token {
  Kind kind;
  std::string text;
  bool prefix = false;
};

// Lexes ToFtsQuery()'s output, whose terms are all double-quoted.
std::vector<Token> Lex(std::string_view fts) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < fts.size()) {
    const char c = fts[i];
    if (c == ' ') {
      ++i;
    } else if (c == '"') {
      std::string text;
      for (++i; i < fts.size(); ++i) {
        if (fts[i] == '"') {
          if (i + 1 < fts.size() && fts[i + 1] == '"') {
            text += '"';
            ++i;
          } else {
            break;
          }
        } else {
          text += fts[i];
        }
      }
      ++i;  // the closing quote
      Token token{Kind::kTerm, std::move(text)};
      if (i < fts.size() && fts[i] == '*') {
        token.prefix = true;
        ++i;
      }
      tokens.push_back(std::move(token));
    } else if (c == '(' || c == ')' || c == ',') {
      tokens.push_back({c == '(' ? Kind::kOpen : c == ')' ? Kind::kClose : Kind::kComma, {}});
      ++i;
    } else {
      size_t end = fts.find_first_of(" ()\",", i);
      if (end == std::string_view::npos) end = fts.size();
      std::string word(fts.substr(i, end - i));
      Kind kind = word == "AND" ? Kind::kAnd : word == "OR" ? Kind::kOr : word == "NOT" ? Kind::kNot
                  : word == "NEAR" ? Kind::kNear : Kind::kNumber;
      tokens.push_back({kind, std::move(word)});
      i = end;
    }
  }
  return tokens;
}

// Recursive descent with FTS5's precedence: NOT, then AND, then OR.
class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view config, int first_param)
      : tokens_(std::move(tokens)), config_(config), next_param_(first_param) {}

  Result<std::string> Parse() {
    DOCPIPE_ASSIGN_OR_RETURN(std::string expression, Or());
    if (pos_ != tokens_.size()) return Status::InvalidArgument("unexpected '" + Describe(tokens_[pos_]) + "'");
    return expression;
  }
  std::vector<std::string>& terms() { return terms_; }

 private:
  static std::string Describe(const Token& token) {
    switch (token.kind) {
      case Kind::kOpen: return "(";
      case Kind::kClose: return ")";
      case Kind::kComma: return ",";
      default: return token.text;
    }
  }
  bool At(Kind kind) const { return pos_ < tokens_.size() && tokens_[pos_].kind == kind; }
  bool StartsOperand() const { return At(Kind::kTerm) || At(Kind::kOpen) || At(Kind::kNear); }

  Result<std::string> Or() {
    DOCPIPE_ASSIGN_OR_RETURN(std::string left, And());
    while (At(Kind::kOr)) {
      ++pos_;
      DOCPIPE_ASSIGN_OR_RETURN(std::string right, And());
      left = "(" + left + " || " + right + ")";
    }
    return left;
  }

  Result<std::string> And() {
    DOCPIPE_ASSIGN_OR_RETURN(std::string left, Not());
    while (At(Kind::kAnd) || StartsOperand()) {
      if (At(Kind::kAnd)) ++pos_;
      DOCPIPE_ASSIGN_OR_RETURN(std::string right, Not());
      left = "(" + left + " && " + right + ")";
    }
    return left;
  }

  Result<std::string> Not() {
    DOCPIPE_ASSIGN_OR_RETURN(std::string left, Operand());
    while (At(Kind::kNot)) {
      ++pos_;
      DOCPIPE_ASSIGN_OR_RETURN(std::string right, Operand());
      left = "(" + left + " && !! " + right + ")";
    }
    return left;
  }

  Result<std::string> Operand() {
    if (pos_ >= tokens_.size()) return Status::InvalidArgument("the query ends where a term was expected");
    const Token& token = tokens_[pos_];
    if (token.kind == Kind::kTerm) {
      ++pos_;
      return Term(token);
    }
    if (token.kind == Kind::kOpen) {
      ++pos_;
      DOCPIPE_ASSIGN_OR_RETURN(std::string inner, Or());
      if (!At(Kind::kClose)) return Status::InvalidArgument("a '(' is not closed");
      ++pos_;
      return inner;
    }
    if (token.kind == Kind::kNear) return Near();
    return Status::InvalidArgument("unexpected '" + Describe(token) + "' where a term was expected");
  }

  // NEAR(a b c[, n]): every term must match.
  Result<std::string> Near() {
    pos_ += 2;  // NEAR (
    std::string all;
    while (At(Kind::kTerm)) {
      std::string term = Term(tokens_[pos_++]);
      all = all.empty() ? term : "(" + all + " && " + term + ")";
    }
    if (all.empty()) return Status::InvalidArgument("NEAR() needs terms");
    if (At(Kind::kComma)) {
      ++pos_;
      if (!At(Kind::kNumber) || tokens_[pos_].text.find_first_not_of("0123456789") != std::string::npos) {
        return Status::InvalidArgument("NEAR(...) expects a whole number after its comma");
      }
      ++pos_;
    }
    if (!At(Kind::kClose)) return Status::InvalidArgument("NEAR( is not closed");
    ++pos_;
    return all;
  }

  std::string Term(const Token& token) {
    const int param = next_param_++;
    if (!token.prefix || token.text.empty()) {
      terms_.push_back(token.text);
      return fmt::format("phraseto_tsquery('{}', ${})", config_, param);
    }
    // A quoted lexeme with the prefix flag; quotes and backslashes escaped for to_tsquery.
    std::string lexeme = "'";
    for (char c : token.text) {
      if (c == '\'' || c == '\\') lexeme += c;
      lexeme += c;
    }
    terms_.push_back(lexeme + "':*");
    return fmt::format("to_tsquery('{}', ${})", config_, param);
  }

  std::vector<Token> tokens_;
  std::string_view config_;
  int next_param_;
  size_t pos_ = 0;
  std::vector<std::string> terms_;
};

}  // namespace

Result<PgTsQuery> ToPgTsQuery(std::string_view query, std::string_view config, int first_param) {
  DOCPIPE_ASSIGN_OR_RETURN(const std::string fts, ToFtsQuery(query));
  if (fts.empty()) return PgTsQuery{};
  Parser parser(Lex(fts), config, first_param);
  Result<std::string> sql = parser.Parse();
  if (!sql.ok()) {
    return Status::InvalidArgument(fmt::format(
        "cannot search for '{}': {}. Plain words always work; search syntax needs upper-case AND/OR/NOT, "
        "balanced \"quotes\" and parentheses, NEAR(a b) and prefix*",
        query, sql.status().message()));
  }
  return PgTsQuery{std::move(sql).value(), std::move(parser.terms())};
}

}  // namespace docpipe::store
