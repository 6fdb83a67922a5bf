// SqliteStore's read side over chunks: full-text search and a document's chunks.
#include <algorithm>

#include <fmt/format.h>

#include "store/fts_query.h"
#include "store/sqlite_filter.h"
#include "store/record_json.h"
#include "store/sqlite_store.h"

namespace docpipe::store {
namespace {

// FTS5 snippets are at most 64 tokens long.
constexpr int kMaxSnippetTokens = 64;

// ORDER BY rank is FTS5's own BM25 order (most relevant first), which it can
// produce without sorting every match by hand.
constexpr const char* kSearch =
    "SELECT c.id, c.document_id, d.path, coalesce(json_extract(d.metadata, '$.title'), ''), "
    "-bm25(chunks_fts), snippet(chunks_fts, 0, ?2, ?3, '…', ?4), c.text, c.heading_path, "
    "c.page_start, c.page_end, c.has_table, c.table_header, c.tables "
    "FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.id = c.document_id "
    "WHERE chunks_fts MATCH ?1 AND" DOCPIPE_FILTER_SQL "ORDER BY rank LIMIT ?5";

constexpr const char* kChunksOf =
    "SELECT ordinal, text, heading_path, page_start, page_end, token_count, char_start, char_end, has_table, "
    "table_header, tables FROM chunks WHERE document_id = ?1 ORDER BY ordinal";

Result<SearchHit> ReadHit(const Statement& row) {
  SearchHit hit;
  hit.chunk_id = row.ColumnInt(0);
  hit.document_id = row.ColumnInt(1);
  hit.path = row.ColumnText(2);
  hit.title = row.ColumnText(3);
  hit.score = row.ColumnDouble(4);
  hit.snippet = row.ColumnText(5);
  hit.text = row.ColumnText(6);
  DOCPIPE_ASSIGN_OR_RETURN(hit.heading_path, StringsFromJson(row.ColumnText(7)));
  hit.page_start = static_cast<int>(row.ColumnInt(8));
  hit.page_end = static_cast<int>(row.ColumnInt(9));
  hit.has_table = row.ColumnInt(10) != 0;
  hit.table_header = row.ColumnText(11);
  DOCPIPE_ASSIGN_OR_RETURN(hit.tables, TablesFromJson(row.ColumnText(12)));
  return hit;
}

// FTS5 reports a malformed MATCH expression as a plain SQLITE_ERROR while
// stepping ("fts5: syntax error near ...", "expected integer, got ..."); the
// statement itself is fixed and prepared, so that code means the query.
bool IsQueryError(sqlite3* db) { return sqlite3_errcode(db) == SQLITE_ERROR; }

}  // namespace

Result<std::vector<SearchHit>> SqliteStore::Search(const std::string& query, const SearchOptions& options) {
  if (options.k < 0) return Status::InvalidArgument("search k must not be negative");
  DOCPIPE_ASSIGN_OR_RETURN(const std::string fts_query, ToFtsQuery(query));
  std::vector<SearchHit> hits;
  if (fts_query.empty() || options.k == 0) return hits;  // nothing searchable in the query

  DOCPIPE_ASSIGN_OR_RETURN(StatementLease search, db_->Prepare(kSearch));
  search->BindText(1, fts_query);
  search->BindText(2, options.open_mark);
  search->BindText(3, options.close_mark);
  search->BindInt(4, std::clamp(options.snippet_tokens, 1, kMaxSnippetTokens));
  search->BindInt(5, options.k);
  BoundFilter filter;
  BindFilter(*search, options.filter, filter);
  while (true) {
    Result<bool> row = search->Step();
    if (!row.ok()) {
      if (!IsQueryError(db_->handle())) return row.status();
      return Status::InvalidArgument(fmt::format(
          "cannot search for '{}': {}. Plain words always work; FTS5 syntax needs upper-case AND/OR/NOT, "
          "balanced \"quotes\" and parentheses, NEAR(a b) and prefix*",
          query, sqlite3_errmsg(db_->handle())));
    }
    if (!*row) break;
    DOCPIPE_ASSIGN_OR_RETURN(SearchHit hit, ReadHit(*search));
    hits.push_back(std::move(hit));
  }
  return hits;
}

Result<std::vector<Chunk>> SqliteStore::ChunksOf(int64_t document_id) {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(kChunksOf));
  select->BindInt(1, document_id);
  std::vector<Chunk> chunks;
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    Chunk chunk;
    chunk.ordinal = static_cast<int>(select->ColumnInt(0));
    chunk.text = select->ColumnText(1);
    DOCPIPE_ASSIGN_OR_RETURN(chunk.heading_path, StringsFromJson(select->ColumnText(2)));
    chunk.page_start = static_cast<int>(select->ColumnInt(3));
    chunk.page_end = static_cast<int>(select->ColumnInt(4));
    chunk.token_count = static_cast<int>(select->ColumnInt(5));
    chunk.char_start = select->ColumnInt(6);
    chunk.char_end = select->ColumnInt(7);
    chunk.has_table = select->ColumnInt(8) != 0;
    chunk.table_header = select->ColumnText(9);
    DOCPIPE_ASSIGN_OR_RETURN(chunk.tables, TablesFromJson(select->ColumnText(10)));
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

}  // namespace docpipe::store
