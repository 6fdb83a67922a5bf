#include "store/pg_filter.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace docpipe::store {

std::string GlobToRegex(std::string_view glob) {
  std::string regex = "^";
  for (size_t i = 0; i < glob.size(); ++i) {
    const char c = glob[i];
    if (c == '*') {
      regex += ".*";
    } else if (c == '?') {
      regex += '.';
    } else if (c == '[' && glob.find(']', i + 2) != std::string_view::npos) {
      // A set: its inside is copied, with SQLite's [^..] as the regex's [^..].
      const size_t close = glob.find(']', i + 2);
      std::string_view inside = glob.substr(i + 1, close - i - 1);
      regex += '[';
      for (char member : inside) {
        if (member == '\\') regex += '\\';
        regex += member;
      }
      regex += ']';
      i = close;
    } else {
      if (std::string_view("\\.^$|()[]{}+*?").find(c) != std::string_view::npos) regex += '\\';
      regex += c;
    }
  }
  return regex + "$";
}

std::string PgFilterSql(const SearchFilter& filter, PgParams& params) {
  std::string sql = " AND d.state = 'complete'";
  auto next = [&params] { return params.size(); };  // the number of the parameter just added
  if (!filter.document_ids.empty()) {
    params.push_back(nlohmann::json(filter.document_ids).dump());
    sql += fmt::format(" AND d.id IN (SELECT jsonb_array_elements_text(${}::jsonb)::bigint)", next());
  }
  if (!filter.path_glob.empty()) {
    params.push_back(PgText(GlobToRegex(filter.path_glob)));
    sql += fmt::format(" AND d.path ~ ${}", next());
  }
  if (!filter.tags.empty()) {
    nlohmann::json tags = nlohmann::json::array();
    for (const auto& [axis, label] : filter.tags) tags.push_back({{"axis", axis}, {"label", label}});
    params.push_back(PgText(tags.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    sql += fmt::format(
        " AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset(${}::jsonb) AS w(axis text, label text) "
        "WHERE NOT EXISTS (SELECT 1 FROM chunk_tags t WHERE t.chunk_id = c.id AND t.axis = w.axis "
        "AND t.label = w.label))",
        next());
  }
  if (filter.has_table) sql += *filter.has_table ? " AND c.has_table" : " AND NOT c.has_table";
  return sql;
}

}  // namespace docpipe::store
