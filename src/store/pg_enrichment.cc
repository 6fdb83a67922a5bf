// The enrichment tables of the PostgreSQL store: tag and entity rows per chunk,
// copied in with the chunks, and read back per document.
#include <fmt/format.h>

#include "store/enrichment_rows.h"
#include "store/pg_enrichment_cache.h"
#include "store/pg_store.h"

namespace docpipe::store {
namespace {

constexpr const char* kCopyTags =
    "COPY chunk_tags(chunk_id, axis, label, confidence, source, producer, prompt_version) FROM STDIN (FORMAT binary)";
constexpr const char* kCopyEntities =
    "COPY chunk_entities(chunk_id, type, text, start, \"end\", confidence, source) FROM STDIN (FORMAT binary)";

// Rows come in chunk order, and within a chunk in the order they were written
// (their identity ids grow with each COPY row), so modifiers keep their ranking.
constexpr const char* kSelectTags =
    "SELECT c.ordinal, t.axis, t.label, t.confidence, t.source, t.producer, t.prompt_version "
    "FROM chunk_tags t JOIN chunks c ON c.id = t.chunk_id WHERE c.document_id = $1 ORDER BY c.ordinal, t.id";
constexpr const char* kSelectEntities =
    "SELECT c.ordinal, e.type, e.text, e.start, e.\"end\", e.confidence, e.source "
    "FROM chunk_entities e JOIN chunks c ON c.id = e.chunk_id WHERE c.document_id = $1 ORDER BY c.ordinal, e.id";
constexpr const char* kCountChunks = "SELECT count(*) FROM chunks WHERE document_id = $1";

void EncodeTag(std::string& out, int64_t chunk_id, std::string_view axis, const Tag& tag,
               const EnrichmentResult& result) {
  if (tag.label.empty()) return;  // nothing fitted on this axis
  PgCopyEncoder::Row(out, 7);
  PgCopyEncoder::Int64(out, chunk_id);
  PgCopyEncoder::Text(out, axis);
  PgCopyEncoder::Text(out, PgText(tag.label));
  PgCopyEncoder::Float4(out, tag.confidence);
  PgCopyEncoder::Text(out, EnrichmentSourceName(result.source));
  PgCopyEncoder::Text(out, PgText(result.producer));
  PgCopyEncoder::Text(out, PgText(result.prompt_version));
}

void EncodeEntity(std::string& out, int64_t chunk_id, const Entity& entity, const EnrichmentResult& result) {
  PgCopyEncoder::Row(out, 7);
  PgCopyEncoder::Int64(out, chunk_id);
  PgCopyEncoder::Text(out, PgText(entity.type));
  PgCopyEncoder::Text(out, PgText(entity.text));
  PgCopyEncoder::Int64(out, entity.start);
  PgCopyEncoder::Int64(out, entity.end);
  PgCopyEncoder::Float4(out, entity.confidence);
  PgCopyEncoder::Text(out, EnrichmentSourceName(result.source));
}

}  // namespace

Status PgStore::CopyEnrichments(PgConn& conn, const std::vector<DocumentWrite>& writes,
                                const std::vector<int64_t>& chunk_ids) {
  // Enrichment rows are few next to chunks: each table's rows are encoded in one buffer.
  std::string tags, entities;
  PgCopyEncoder::Header(tags);
  PgCopyEncoder::Header(entities);
  const size_t empty = tags.size();
  size_t next_id = 0;
  for (const DocumentWrite& write : writes) {
    for (size_t i = 0; i < write.chunks.size(); ++i) {
      const int64_t chunk_id = chunk_ids[next_id++];
      if (write.enrichments.empty()) continue;
      const EnrichmentResult& result = write.enrichments[i];
      if (result.has_tags) {
        EncodeTag(tags, chunk_id, "domain", result.tags.domain, result);
        EncodeTag(tags, chunk_id, "task", result.tags.task, result);
        for (const Tag& modifier : result.tags.modifiers) EncodeTag(tags, chunk_id, "modifier", modifier, result);
      }
      if (result.has_entities) {
        for (const Entity& entity : result.entities) EncodeEntity(entities, chunk_id, entity, result);
      }
    }
  }
  for (auto& [sql, buffer] : {std::pair{kCopyTags, &tags}, std::pair{kCopyEntities, &entities}}) {
    if (buffer->size() == empty) continue;
    PgCopyEncoder::Trailer(*buffer);
    bool sent = false;
    std::string* rows = buffer;  // clang before 16 cannot capture a structured binding
    DOCPIPE_RETURN_IF_ERROR(conn.Copy(sql, [&](std::string& out) -> Result<bool> {
      if (!sent) out.swap(*rows);
      sent = true;
      return false;
    }));
  }
  return Status::Ok();
}

Result<std::vector<EnrichmentResult>> PgStore::EnrichmentsOf(int64_t document_id) {
  DOCPIPE_ASSIGN_OR_RETURN(PgLease conn, pool_->Acquire());
  const std::string id = std::to_string(document_id);
  DOCPIPE_ASSIGN_OR_RETURN(PgRows count, conn->Exec(kCountChunks, {id}));
  std::vector<EnrichmentResult> results = EmptyEnrichments(static_cast<size_t>(count.Int(0, 0)));
  DOCPIPE_ASSIGN_OR_RETURN(PgRows tags, conn->Exec(kSelectTags, {id}));
  for (int row = 0; row < tags.size(); ++row) {
    DOCPIPE_RETURN_IF_ERROR(AddTagRow(results, {tags.Int(row, 0), tags.Text(row, 1), tags.Text(row, 2),
                                                tags.Double(row, 3), tags.Text(row, 4), tags.Text(row, 5),
                                                tags.Text(row, 6)}));
  }
  DOCPIPE_ASSIGN_OR_RETURN(PgRows entities, conn->Exec(kSelectEntities, {id}));
  for (int row = 0; row < entities.size(); ++row) {
    DOCPIPE_RETURN_IF_ERROR(AddEntityRow(results, {entities.Int(row, 0), entities.Text(row, 1),
                                                   entities.Text(row, 2), entities.Int(row, 3), entities.Int(row, 4),
                                                   entities.Double(row, 5), entities.Text(row, 6)}));
  }
  return results;
}

Result<std::unique_ptr<StoreEnrichmentCache>> PgStore::OpenEnrichmentCache() {
  DOCPIPE_RETURN_IF_ERROR(CheckWritable());
  return std::unique_ptr<StoreEnrichmentCache>(std::make_unique<PgEnrichmentCache>(pool_));
}

}  // namespace docpipe::store
