// Arbitrary bytes as a search-box query: the FTS5 expression built from it is
// run against a real FTS5 table. A plain query (no FTS5 operators, quotes,
// parentheses or '*') must never be a syntax error.
#include <sqlite3.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "core/unicode.h"
#include "store/fts_query.h"

namespace {

sqlite3* Database() {
  static sqlite3* db = [] {
    sqlite3* handle = nullptr;
    sqlite3_open(":memory:", &handle);
    sqlite3_exec(handle,
                 "CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'porter unicode61 remove_diacritics 2');"
                 "INSERT INTO t VALUES ('reciprocal rank fusion of lexical and dense retrieval');",
                 nullptr, nullptr, nullptr);
    return handle;
  }();
  return db;
}

bool LooksPlain(std::string_view query) {
  for (char c : query) {
    if (c == '"' || c == '(' || c == ')' || c == '*' || c == '^' || c == ':' || c == '+') return false;
  }
  for (std::string_view op : {"AND", "OR", "NOT", "NEAR"}) {
    if (query.find(op) != std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::string query = docpipe::NormalizeText(std::string_view(reinterpret_cast<const char*>(data), size));
  docpipe::Result<std::string> translated = docpipe::store::ToFtsQuery(query);
  if (!translated.ok() || translated->empty()) return 0;
  const std::string& expression = *translated;
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(Database(), "SELECT rowid FROM t WHERE t MATCH ?", -1, &statement, nullptr);
  sqlite3_bind_text(statement, 1, expression.c_str(), static_cast<int>(expression.size()), SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
  }
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE && LooksPlain(query)) std::abort();
  return 0;
}
