#include "docpipe/extraction_records.h"

#include <nlohmann/json.hpp>

namespace docpipe {

std::string ExtractionRecordsJson(const std::vector<StoredExtraction>& records) {
  using Json = nlohmann::json;
  Json out = Json::array();
  for (const StoredExtraction& record : records) {
    // Stored JSON was checked when it was written; text that no longer parses shows as null, not as an error.
    Json value = Json::parse(record.record_json, nullptr, false);
    Json evidence = Json::parse(record.evidence_json, nullptr, false);
    out.push_back({{"schema_sha256", record.schema_sha256},
                   {"model", record.model},
                   {"prompt_version", record.prompt_version},
                   {"status", record.status},
                   {"record", value.is_discarded() ? Json() : value},
                   {"evidence", evidence.is_discarded() ? Json::object() : evidence},
                   {"error", record.error}});
  }
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<std::map<int64_t, std::string>> ExtractionRecordsOf(Store& store,
                                                           const std::vector<int64_t>& document_ids) {
  std::map<int64_t, std::string> out;
  for (int64_t id : document_ids) {
    if (out.count(id) > 0) continue;
    DOCPIPE_ASSIGN_OR_RETURN(std::vector<StoredExtraction> records, store.ExtractionsOf(id));
    out.emplace(id, ExtractionRecordsJson(records));
  }
  return out;
}

}  // namespace docpipe
