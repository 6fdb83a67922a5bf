#include "store/sqlite_enrichment_cache.h"

#include <fmt/format.h>

#include <string_view>

namespace docpipe::store {
namespace {

constexpr const char* kSelect =
    "SELECT result_json FROM enrichment_cache WHERE model = ?1 AND prompt_version = ?2 AND text_sha256 = ?3";
constexpr const char* kUpsert =
    "INSERT INTO enrichment_cache(model, prompt_version, text_sha256, result_json, created_at) "
    "VALUES (?1, ?2, ?3, ?4, CAST(strftime('%s', 'now') AS INTEGER)) "
    "ON CONFLICT (model, prompt_version, text_sha256) DO UPDATE SET result_json = excluded.result_json";

}  // namespace

Result<std::unique_ptr<SqliteEnrichmentCache>> SqliteEnrichmentCache::Make(const std::string& path,
                                                                           int lock_timeout_ms) {
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(path, SQLITE_OPEN_READWRITE));
  sqlite3_busy_timeout(db->handle(), lock_timeout_ms);  // the store's writer and this one take turns
  DOCPIPE_ASSIGN_OR_RETURN(int64_t tables,
                           db->QueryInt("SELECT count(*) FROM sqlite_schema WHERE name = 'enrichment_cache'"));
  if (tables != 1) return Status::Corrupt(path + ": the store has no enrichment_cache table");
  return std::make_unique<SqliteEnrichmentCache>(std::move(db));
}

SqliteEnrichmentCache::~SqliteEnrichmentCache() {
  // A lost write only means the LLM is asked again next time.
  (void)Flush();
}

std::string SqliteEnrichmentCache::MapKey(const EnrichmentCacheKey& key) {
  // NUL cannot occur in a model name, a prompt version or a hex digest.
  std::string joined = key.model;
  joined.push_back('\0');
  joined += key.prompt_version;
  joined.push_back('\0');
  joined += key.text_sha256;
  return joined;
}

std::optional<EnrichmentResult> SqliteEnrichmentCache::Get(const EnrichmentCacheKey& key) {
  std::string json;
  {
    std::lock_guard lock(pending_mutex_);
    auto it = pending_.find(MapKey(key));
    if (it != pending_.end()) json = it->second.result_json;
  }
  if (json.empty()) {
    std::lock_guard lock(db_mutex_);
    Result<StatementLease> select = db_->Prepare(kSelect);
    if (!select.ok()) return std::nullopt;  // a cache that cannot be read is a miss
    (*select)->BindText(1, key.model);
    (*select)->BindText(2, key.prompt_version);
    (*select)->BindText(3, key.text_sha256);
    Result<bool> row = (*select)->Step();
    if (!row.ok() || !*row) return std::nullopt;
    json = (*select)->ColumnText(0);
  }
  Result<EnrichmentResult> result = EnrichmentResultFromJson(json);
  if (!result.ok()) return std::nullopt;  // an unreadable entry is a miss; the next Put replaces it
  return std::move(result).value();
}

void SqliteEnrichmentCache::Put(const EnrichmentCacheKey& key, const EnrichmentResult& result) {
  PendingRow row{key, EnrichmentResultToJson(result)};
  std::lock_guard lock(pending_mutex_);
  pending_[MapKey(key)] = std::move(row);
}

size_t SqliteEnrichmentCache::pending() const {
  std::lock_guard lock(pending_mutex_);
  return pending_.size();
}

Status SqliteEnrichmentCache::Flush() {
  std::unordered_map<std::string, PendingRow> rows;
  {
    std::lock_guard lock(pending_mutex_);
    rows = pending_;
  }
  if (rows.empty()) return Status::Ok();
  DOCPIPE_RETURN_IF_ERROR(WriteRows(rows));
  // Rows stay visible in the queue until committed, so Get() never misses them
  // in between; a newer Put() of the same key made meanwhile is kept.
  std::lock_guard lock(pending_mutex_);
  for (const auto& [map_key, row] : rows) {
    auto it = pending_.find(map_key);
    if (it != pending_.end() && it->second.result_json == row.result_json) pending_.erase(it);
  }
  return Status::Ok();
}

Status SqliteEnrichmentCache::WriteRows(const std::unordered_map<std::string, PendingRow>& rows) {
  std::lock_guard lock(db_mutex_);
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> transaction, Transaction::Begin(*db_));
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease upsert, db_->Prepare(kUpsert));
  for (const auto& [map_key, row] : rows) {
    upsert->BindText(1, row.key.model);
    upsert->BindText(2, row.key.prompt_version);
    upsert->BindText(3, row.key.text_sha256);
    upsert->BindText(4, row.result_json);
    Status status = upsert->Run();
    upsert->Reset();
    if (!status.ok()) return status.WithContext("writing the enrichment cache");
  }
  return transaction->Commit();
}

}  // namespace docpipe::store
