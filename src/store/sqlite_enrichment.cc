// The enrichment tables of the SQLite store: tag and entity rows per chunk,
// written with the chunks, and read back per document.
#include <fmt/format.h>

#include <string>

#include "store/enrichment_rows.h"
#include "store/sqlite_enrichment_cache.h"
#include "store/sqlite_store.h"

namespace docpipe::store {
namespace {

constexpr const char* kInsertTag =
    "INSERT INTO chunk_tags(chunk_id, axis, label, confidence, source, producer, prompt_version) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr const char* kInsertEntity =
    "INSERT INTO chunk_entities(chunk_id, type, text, start, \"end\", confidence, source) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

// Rows come in chunk order, and within a chunk in the order they were written,
// so modifiers keep their ranking.
constexpr const char* kSelectTags =
    "SELECT c.ordinal, t.axis, t.label, t.confidence, t.source, t.producer, t.prompt_version "
    "FROM chunk_tags t JOIN chunks c ON c.id = t.chunk_id WHERE c.document_id = ?1 ORDER BY c.ordinal, t.rowid";
constexpr const char* kSelectEntities =
    "SELECT c.ordinal, e.type, e.text, e.start, e.\"end\", e.confidence, e.source "
    "FROM chunk_entities e JOIN chunks c ON c.id = e.chunk_id WHERE c.document_id = ?1 ORDER BY c.ordinal, e.rowid";
constexpr const char* kCountChunks = "SELECT count(*) FROM chunks WHERE document_id = ?1";

}  // namespace

Status SqliteStore::WriteEnrichment(int64_t chunk_id, const EnrichmentResult& result) {
  const std::string_view source = EnrichmentSourceName(result.source);
  if (result.has_tags) {
    DOCPIPE_ASSIGN_OR_RETURN(StatementLease insert, db_->Prepare(kInsertTag));
    auto write_tag = [&](std::string_view axis, const Tag& tag) -> Status {
      if (tag.label.empty()) return Status::Ok();  // nothing fitted on this axis
      insert->BindInt(1, chunk_id);
      insert->BindText(2, axis);
      insert->BindText(3, tag.label);
      insert->BindDouble(4, tag.confidence);
      insert->BindText(5, source);
      insert->BindText(6, result.producer);
      insert->BindText(7, result.prompt_version);
      Status status = insert->Run();
      insert->Reset();
      return status;
    };
    DOCPIPE_RETURN_IF_ERROR(write_tag("domain", result.tags.domain));
    DOCPIPE_RETURN_IF_ERROR(write_tag("task", result.tags.task));
    for (const Tag& modifier : result.tags.modifiers) DOCPIPE_RETURN_IF_ERROR(write_tag("modifier", modifier));
  }
  if (result.has_entities) {
    DOCPIPE_ASSIGN_OR_RETURN(StatementLease insert, db_->Prepare(kInsertEntity));
    for (const Entity& entity : result.entities) {
      insert->BindInt(1, chunk_id);
      insert->BindText(2, entity.type);
      insert->BindText(3, entity.text);
      insert->BindInt(4, entity.start);
      insert->BindInt(5, entity.end);
      insert->BindDouble(6, entity.confidence);
      insert->BindText(7, source);
      Status status = insert->Run();
      insert->Reset();
      DOCPIPE_RETURN_IF_ERROR(status);
    }
  }
  return Status::Ok();
}

Result<std::vector<EnrichmentResult>> SqliteStore::EnrichmentsOf(int64_t document_id) {
  std::vector<EnrichmentResult> results;
  {
    DOCPIPE_ASSIGN_OR_RETURN(StatementLease count, db_->Prepare(kCountChunks));
    count->BindInt(1, document_id);
    DOCPIPE_ASSIGN_OR_RETURN(bool row, count->Step());
    results = EmptyEnrichments(row ? static_cast<size_t>(count->ColumnInt(0)) : 0);
  }
  {
    DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(kSelectTags));
    select->BindInt(1, document_id);
    while (true) {
      DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
      if (!row) break;
      DOCPIPE_RETURN_IF_ERROR(AddTagRow(results, {select->ColumnInt(0), select->ColumnText(1), select->ColumnText(2),
                                                  select->ColumnDouble(3), select->ColumnText(4),
                                                  select->ColumnText(5), select->ColumnText(6)}));
    }
  }
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease select, db_->Prepare(kSelectEntities));
  select->BindInt(1, document_id);
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    DOCPIPE_RETURN_IF_ERROR(AddEntityRow(results, {select->ColumnInt(0), select->ColumnText(1), select->ColumnText(2),
                                                   select->ColumnInt(3), select->ColumnInt(4),
                                                   select->ColumnDouble(5), select->ColumnText(6)}));
  }
  return results;
}

Result<std::unique_ptr<StoreEnrichmentCache>> SqliteStore::OpenEnrichmentCache() {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteEnrichmentCache> cache,
                           SqliteEnrichmentCache::Make(db_->path(), lock_timeout_ms_));
  return std::unique_ptr<StoreEnrichmentCache>(std::move(cache));
}

}  // namespace docpipe::store
