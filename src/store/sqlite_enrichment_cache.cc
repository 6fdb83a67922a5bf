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

std::optional<std::string> SqliteEnrichmentCache::ReadStored(const EnrichmentCacheKey& key) {
  MutexLock lock(db_mutex_);
  Result<StatementLease> select = db_->Prepare(kSelect);
  if (!select.ok()) return std::nullopt;  // a cache that cannot be read is a miss
  (*select)->BindText(1, key.model);
  (*select)->BindText(2, key.prompt_version);
  (*select)->BindText(3, key.text_sha256);
  Result<bool> row = (*select)->Step();
  if (!row.ok() || !*row) return std::nullopt;
  return (*select)->ColumnText(0);
}

Status SqliteEnrichmentCache::WriteRows(const std::vector<PendingRow>& rows) {
  MutexLock lock(db_mutex_);
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> transaction, Transaction::Begin(*db_));
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease upsert, db_->Prepare(kUpsert));
  for (const PendingRow& row : rows) {
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
