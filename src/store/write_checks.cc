#include "store/write_checks.h"

#include <fmt/format.h>

#include "store/record_json.h"

namespace docpipe::store {

Status CheckDocumentWrite(const DocumentWrite& write) {
  if (write.record.path.empty()) return Status::InvalidArgument("a document record has an empty path");
  if (write.record.status == DocumentStatus::kFailed &&
      (write.continues || write.record.state == DocumentState::kPartial)) {
    return Status::InvalidArgument("a failed document is written whole, not in pieces");
  }
  const size_t chunks = write.chunks.size();
  if (!write.enrichments.empty() && write.enrichments.size() != chunks) {
    return Status::InvalidArgument(fmt::format("{} enrichment results for {} chunks", write.enrichments.size(), chunks));
  }
  const EmbeddingMatrix& vectors = write.vectors;
  const bool has_embedder = !write.embedder.name.empty() || write.embedder.dimension != 0;
  if (!has_embedder) {
    if (vectors.rows == 0) return Status::Ok();
    return Status::InvalidArgument("vectors are given without the identity of the embedder that made them");
  }
  if (write.embedder.name.empty() || write.embedder.dimension == 0) {
    return Status::InvalidArgument("the embedder identity needs a name and a dimension");
  }
  if (vectors.rows != chunks) {
    return Status::InvalidArgument(fmt::format("{} vectors for {} chunks", vectors.rows, chunks));
  }
  if (vectors.rows > 0 &&
      (vectors.dimension != write.embedder.dimension || vectors.values.size() != vectors.rows * vectors.dimension)) {
    return Status::InvalidArgument(fmt::format("vectors of dimension {} for embedder {} of dimension {}",
                                               vectors.dimension, write.embedder.name, write.embedder.dimension));
  }
  return Status::Ok();
}

Status CheckJobUpdate(const std::string& state, const std::string& result_json) {
  if (state != "queued" && state != "running" && state != "done" && state != "failed" && state != "cancelled") {
    return Status::InvalidArgument(fmt::format("\"{}\" is not a job state", state));
  }
  if (!IsJson(result_json)) return Status::InvalidArgument("a job's result is not valid JSON");
  return Status::Ok();
}

Status CheckImportedJob(const JobRecord& job) {
  if (job.kind != "document" && job.kind != "extract") {
    return Status::InvalidArgument(fmt::format("job {}: \"{}\" is not a job kind", job.id, job.kind));
  }
  if (!IsJson(job.request_json)) {
    return Status::InvalidArgument(fmt::format("job {}: its request is not valid JSON", job.id));
  }
  return CheckJobUpdate(job.state, job.result_json).WithContext(fmt::format("job {}", job.id));
}

}  // namespace docpipe::store
