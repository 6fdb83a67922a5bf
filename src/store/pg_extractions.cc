// The extraction_records table of the PostgreSQL store (`docpipe extract --db`),
// and the document listing that extraction over a store walks.
#include <fmt/format.h>

#include "store/pg_store.h"
#include "store/record_json.h"
#include "store/visible_document.h"

namespace docpipe::store {

Status PgStore::PutExtraction(const StoredExtraction& extraction) {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  if (!IsJson(extraction.record_json) || !IsJson(extraction.evidence_json)) {
    return Status::InvalidArgument("an extraction record or its evidence is not valid JSON");
  }
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(
      PgRows rows,
      conn->Exec("INSERT INTO extraction_records(document_id, schema_sha256, model, prompt_version, status, "
                 "record_json, evidence_json, error) "
                 "SELECT id, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8 FROM documents WHERE id = $1 "
                 "ON CONFLICT (document_id, schema_sha256) DO UPDATE SET model = excluded.model, "
                 "prompt_version = excluded.prompt_version, status = excluded.status, "
                 "record_json = excluded.record_json, evidence_json = excluded.evidence_json, "
                 "error = excluded.error, created_at = clock_timestamp() RETURNING document_id",
                 {std::to_string(extraction.document_id), PgText(extraction.schema_sha256), PgText(extraction.model),
                  PgText(extraction.prompt_version), PgText(extraction.status), PgText(extraction.record_json),
                  PgText(extraction.evidence_json), PgText(extraction.error)}));
  if (rows.size() == 0) return Status::NotFound(fmt::format("no document with id {}", extraction.document_id));
  return Status::Ok();
}

Result<std::vector<StoredExtraction>> PgStore::ExtractionsOf(int64_t document_id) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(
      PgRows rows, conn->Exec("SELECT schema_sha256, model, prompt_version, status, record_json::text, "
                              "evidence_json::text, error FROM extraction_records WHERE document_id = $1 "
                              "ORDER BY schema_sha256",
                              {std::to_string(document_id)}));
  std::vector<StoredExtraction> out;
  for (int i = 0; i < rows.size(); ++i) {
    out.push_back({document_id, rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3), rows.Text(i, 4),
                   rows.Text(i, 5), rows.Text(i, 6)});
  }
  return out;
}

Result<std::vector<DocumentRecord>> PgStore::ListDocuments() {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  DOCPIPE_ASSIGN_OR_RETURN(PgRows rows,
                           conn->Exec("SELECT id, path, sha256 FROM documents WHERE " DOCPIPE_VISIBLE_DOCUMENT " "
                                      "ORDER BY id"));
  std::vector<DocumentRecord> out;
  for (int i = 0; i < rows.size(); ++i) {
    DocumentRecord record;
    record.id = rows.Int(i, 0);
    record.path = rows.Text(i, 1);
    record.sha256 = rows.Text(i, 2);
    out.push_back(std::move(record));
  }
  return out;
}

}  // namespace docpipe::store
