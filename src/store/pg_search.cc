// PgStore's read side over chunks: full-text search and a document's chunks.
#include <algorithm>

#include <fmt/format.h>

#include "store/pg_filter.h"
#include "store/pg_store.h"
#include "store/pg_tsquery.h"
#include "store/record_json.h"

namespace docpipe::store {
namespace {

// The text search configuration of the chunks.tsv column (pg_schema.cc).
constexpr std::string_view kTextConfig = "docpipe_text";
constexpr int kMaxSnippetWords = 64;

// The k best chunks are ranked first; only they get the (costly) headline.
// $1 limit, $2 headline options, terms from $3 on, then the filter's values.
constexpr const char* kSearch =
    "WITH q AS (SELECT {0} AS query), "
    "best AS (SELECT c.id, ts_rank_cd(c.tsv, q.query) AS score FROM chunks c JOIN documents d ON d.id = "
    "c.document_id, q WHERE c.tsv @@ q.query{2} ORDER BY score DESC, c.id LIMIT $1) "
    "SELECT c.id, c.document_id, d.path, coalesce(d.metadata->>'title', ''), best.score, "
    "ts_headline('{1}', c.text, q.query, $2), c.text, c.heading_path::text, c.page_start, c.page_end, "
    "c.has_table::int, c.table_header, c.tables::text "
    "FROM best JOIN chunks c ON c.id = best.id JOIN documents d ON d.id = c.document_id, q "
    "ORDER BY best.score DESC, c.id";

constexpr const char* kChunksOf =
    "SELECT ordinal, text, heading_path::text, page_start, page_end, token_count, char_start, char_end, "
    "has_table::int, table_header, tables::text FROM chunks WHERE document_id = $1 ORDER BY ordinal";

// ts_headline's option string; a double quote cannot be written inside a mark.
std::string HeadlineOptions(const SearchOptions& options) {
  auto mark = [](const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
      if (c != '"') out += c;
    }
    return out + "\"";
  };
  const int max_words = std::clamp(options.snippet_tokens, 2, kMaxSnippetWords);
  return fmt::format("StartSel={}, StopSel={}, MaxWords={}, MinWords={}, ShortWord=0", mark(options.open_mark),
                     mark(options.close_mark), max_words, std::max(1, max_words / 2));
}

Result<SearchHit> ReadHit(const PgRows& rows, int row) {
  SearchHit hit;
  hit.chunk_id = rows.Int(row, 0);
  hit.document_id = rows.Int(row, 1);
  hit.path = rows.Text(row, 2);
  hit.title = rows.Text(row, 3);
  hit.score = rows.Double(row, 4);
  hit.snippet = rows.Text(row, 5);
  hit.text = rows.Text(row, 6);
  DOCPIPE_ASSIGN_OR_RETURN(hit.heading_path, StringsFromJson(rows.Text(row, 7)));
  hit.page_start = static_cast<int>(rows.Int(row, 8));
  hit.page_end = static_cast<int>(rows.Int(row, 9));
  hit.has_table = rows.Int(row, 10) != 0;
  hit.table_header = rows.Text(row, 11);
  DOCPIPE_ASSIGN_OR_RETURN(hit.tables, TablesFromJson(rows.Text(row, 12)));
  return hit;
}

}  // namespace

Result<std::vector<SearchHit>> PgStore::Search(const std::string& query, const SearchOptions& options) {
  if (options.k < 0) return Status::InvalidArgument("search k must not be negative");
  DOCPIPE_ASSIGN_OR_RETURN(PgTsQuery tsquery, ToPgTsQuery(query, kTextConfig, 3));
  std::vector<SearchHit> hits;
  if (tsquery.sql.empty() || options.k == 0) return hits;  // nothing searchable in the query

  PgParams params = {std::to_string(options.k), PgText(HeadlineOptions(options))};
  for (const std::string& term : tsquery.terms) params.push_back(PgText(term));
  const std::string filter = PgFilterSql(options.filter, params);
  const std::string sql = fmt::format(kSearch, tsquery.sql, kTextConfig, filter);
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn->Exec(sql, params));
  hits.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    DOCPIPE_ASSIGN_OR_RETURN(SearchHit hit, ReadHit(rows, row));
    hits.push_back(std::move(hit));
  }
  return hits;
}

Result<std::vector<Chunk>> PgStore::ChunksOf(int64_t document_id) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows, conn->Exec(kChunksOf, {std::to_string(document_id)}));
  std::vector<Chunk> chunks;
  chunks.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    Chunk chunk;
    chunk.ordinal = static_cast<int>(rows.Int(row, 0));
    chunk.text = rows.Text(row, 1);
    DOCPIPE_ASSIGN_OR_RETURN(chunk.heading_path, StringsFromJson(rows.Text(row, 2)));
    chunk.page_start = static_cast<int>(rows.Int(row, 3));
    chunk.page_end = static_cast<int>(rows.Int(row, 4));
    chunk.token_count = static_cast<int>(rows.Int(row, 5));
    chunk.char_start = rows.Int(row, 6);
    chunk.char_end = rows.Int(row, 7);
    chunk.has_table = rows.Int(row, 8) != 0;
    chunk.table_header = rows.Text(row, 9);
    DOCPIPE_ASSIGN_OR_RETURN(chunk.tables, TablesFromJson(rows.Text(row, 10)));
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

}  // namespace docpipe::store
