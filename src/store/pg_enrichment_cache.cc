#include "store/pg_enrichment_cache.h"

#include <nlohmann/json.hpp>

namespace docpipe::store {
namespace {

constexpr const char* kSelect =
    "SELECT result_json FROM enrichment_cache WHERE model = $1 AND prompt_version = $2 AND text_sha256 = $3";
// All queued rows in one statement: they travel as one JSON array.
constexpr const char* kUpsert =
    "INSERT INTO enrichment_cache(model, prompt_version, text_sha256, result_json, created_at) "
    "SELECT r.model, r.prompt_version, r.text_sha256, r.result_json, extract(epoch FROM now())::bigint "
    "FROM jsonb_to_recordset($1::jsonb) AS r(model text, prompt_version text, text_sha256 text, result_json text) "
    "ON CONFLICT (model, prompt_version, text_sha256) DO UPDATE SET result_json = excluded.result_json";

}  // namespace

PgEnrichmentCache::~PgEnrichmentCache() {
  // A lost write only means the LLM is asked again next time.
  (void)Flush();
}

std::optional<std::string> PgEnrichmentCache::ReadStored(const EnrichmentCacheKey& key) {
  Result<PgLease> conn = pool_->Acquire();
  if (!conn.ok()) return std::nullopt;  // a cache that cannot be read is a miss
  Result<PgRows> rows =
      (*conn)->Exec(kSelect, {PgText(key.model), PgText(key.prompt_version), PgText(key.text_sha256)});
  if (!rows.ok() || rows->size() == 0) return std::nullopt;
  return rows->Text(0, 0);
}

Status PgEnrichmentCache::WriteRows(const std::vector<PendingRow>& rows) {
  nlohmann::json array = nlohmann::json::array();
  for (const PendingRow& row : rows) {
    array.push_back({{"model", row.key.model},
                     {"prompt_version", row.key.prompt_version},
                     {"text_sha256", row.key.text_sha256},
                     {"result_json", row.result_json}});
  }
  const std::string json = array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  Status status = conn->Exec(kUpsert, {PgText(json)}).status();
  if (!status.ok()) return status.WithContext("writing the enrichment cache");
  return Status::Ok();
}

}  // namespace docpipe::store
