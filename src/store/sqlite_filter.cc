#include "store/sqlite_filter.h"

#include <nlohmann/json.hpp>

namespace docpipe::store {

void BindFilter(Statement& statement, const SearchFilter& filter, BoundFilter& storage) {
  if (!filter.document_ids.empty()) {
    storage.document_ids = nlohmann::json(filter.document_ids).dump();
    statement.BindText(91, storage.document_ids);
  }
  if (!filter.path_glob.empty()) statement.BindText(92, filter.path_glob);
  if (!filter.tags.empty()) {
    nlohmann::json tags = nlohmann::json::array();
    for (const auto& [axis, label] : filter.tags) tags.push_back({axis, label});
    storage.tags = tags.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    statement.BindText(93, storage.tags);
  }
  if (filter.has_table) statement.BindInt(94, *filter.has_table ? 1 : 0);
}

}  // namespace docpipe::store
