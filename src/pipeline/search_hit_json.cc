// One JSON form of a search hit, for every edge that prints hits (the CLI's
// `search --json`, the server's POST /search), so that they agree.
#include <nlohmann/json.hpp>

#include "docpipe/search.h"

namespace docpipe {

std::string SearchHitJson(const SearchHit& hit) {
  nlohmann::json json = {{"chunk_id", hit.chunk_id},     {"document_id", hit.document_id},
                         {"path", hit.path},             {"title", hit.title},
                         {"score", hit.score},           {"snippet", hit.snippet},
                         {"text", hit.text},             {"heading_path", hit.heading_path},
                         {"page_start", hit.page_start}, {"page_end", hit.page_end},
                         {"has_table", hit.has_table}};
  if (!hit.table_header.empty()) json["table_header"] = hit.table_header;
  if (!hit.tables.empty()) {
    nlohmann::json tables = nlohmann::json::array();
    for (const ChunkTable& table : hit.tables) {
      nlohmann::json entry = {{"page", table.page}, {"index", table.index}};
      if (!table.caption.empty()) entry["caption"] = table.caption;
      tables.push_back(std::move(entry));
    }
    json["tables"] = std::move(tables);
  }
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace docpipe
