// ParseExtractionSchema / ValidateRecord: the public face of json_schema.h for
// `docpipe extract`.
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "docpipe/extract.h"
#include "llm/json_schema.h"

namespace docpipe {

using nlohmann::json;

Result<ExtractionSchema> ParseExtractionSchema(std::string_view text) {
  json schema;
  try {
    schema = json::parse(text);
  } catch (const json::parse_error& e) {
    return Status::InvalidArgument(std::string("schema is not JSON: ") + e.what());
  }
  DOCPIPE_RETURN_IF_ERROR(llm_internal::CheckSchemaSubset(schema));
  ExtractionSchema parsed;
  parsed.json = schema.dump();  // nlohmann keeps keys sorted: the same schema hashes the same
  parsed.sha256 = Sha256Hex(parsed.json);
  return parsed;
}

Status ValidateRecord(const ExtractionSchema& schema, std::string_view record_json) {
  json record = json::parse(record_json, nullptr, /*allow_exceptions=*/false);
  if (record.is_discarded()) return Status::InvalidArgument("the record is not JSON");
  return llm_internal::ValidateJson(record, json::parse(schema.json));
}

std::string_view ExtractionStatusName(ExtractionStatus status) {
  return status == ExtractionStatus::kOk ? "ok" : "failed";
}

}  // namespace docpipe
