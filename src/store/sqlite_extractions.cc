// The extraction_records table of the SQLite store (`docpipe extract --db`),
// and the document listing that extraction over a store walks.
#include <fmt/format.h>

#include "store/record_json.h"
#include "store/sqlite_store.h"
#include "store/visible_document.h"

namespace docpipe::store {

Status SqliteStore::PutExtraction(const StoredExtraction& extraction) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  if (!IsJson(extraction.record_json) || !IsJson(extraction.evidence_json)) {
    return Status::InvalidArgument("an extraction record or its evidence is not valid JSON");
  }
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease exists, db_->Prepare("SELECT 1 FROM documents WHERE id = ?1"));
  exists->BindInt(1, extraction.document_id);
  DOCPIPE_ASSIGN_OR_RETURN(bool found, exists->Step());
  if (!found) return Status::NotFound(fmt::format("no document with id {}", extraction.document_id));
  DOCPIPE_ASSIGN_OR_RETURN(
      StatementLease insert,
      db_->Prepare("INSERT OR REPLACE INTO extraction_records(document_id, schema_sha256, model, prompt_version, "
                   "status, record_json, evidence_json, error, created_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, CAST(strftime('%s', 'now') AS INTEGER))"));
  insert->BindInt(1, extraction.document_id);
  insert->BindText(2, extraction.schema_sha256);
  insert->BindText(3, extraction.model);
  insert->BindText(4, extraction.prompt_version);
  insert->BindText(5, extraction.status);
  insert->BindText(6, extraction.record_json);
  insert->BindText(7, extraction.evidence_json);
  insert->BindText(8, extraction.error);
  return insert->Run();
}

Result<std::vector<StoredExtraction>> SqliteStore::ExtractionsOf(int64_t document_id) {
  DOCPIPE_ASSIGN_OR_RETURN(
      StatementLease select,
      db_->Prepare("SELECT schema_sha256, model, prompt_version, status, record_json, evidence_json, error "
                   "FROM extraction_records WHERE document_id = ?1 ORDER BY schema_sha256"));
  select->BindInt(1, document_id);
  std::vector<StoredExtraction> out;
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    out.push_back({document_id, select->ColumnText(0), select->ColumnText(1), select->ColumnText(2),
                   select->ColumnText(3), select->ColumnText(4), select->ColumnText(5), select->ColumnText(6)});
  }
  return out;
}

Result<std::vector<DocumentRecord>> SqliteStore::ListDocuments() {
  DOCPIPE_ASSIGN_OR_RETURN(StatementLease select,
                           db_->Prepare("SELECT id, path, sha256 FROM documents WHERE " DOCPIPE_VISIBLE_DOCUMENT " "
                                        "ORDER BY id"));
  std::vector<DocumentRecord> out;
  while (true) {
    DOCPIPE_ASSIGN_OR_RETURN(bool row, select->Step());
    if (!row) break;
    DocumentRecord record;
    record.id = select->ColumnInt(0);
    record.path = select->ColumnText(1);
    record.sha256 = select->ColumnText(2);
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace docpipe::store
