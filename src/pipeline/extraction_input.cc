#include "docpipe/extract_input.h"

#include "core/sha256.h"

namespace docpipe {

Result<ExtractionInput> ReadExtractionInput(const std::string& path, const ExtractionInputOptions& options,
                                            const PdfWorkerForThread& pdf_worker) {
  ExtractionInput input;
  input.path = path;
  DOCPIPE_ASSIGN_OR_RETURN(input.sha256, Sha256File(path));
  DOCPIPE_ASSIGN_OR_RETURN(Document document, ConvertFile(path, options.convert, pdf_worker));
  for (Chunk& chunk : ChunkDocument(document, options.chunk)) {
    input.document.chunks.push_back({chunk.ordinal, std::move(chunk.text), chunk.page_start, chunk.page_end});
  }
  return input;
}

Result<ExtractionInput> ReadStoredExtractionInput(Store& store, const DocumentRecord& record) {
  ExtractionInput input;
  input.path = record.path;
  input.sha256 = record.sha256;
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<Chunk> chunks, store.ChunksOf(record.id));
  for (Chunk& chunk : chunks) {
    input.document.chunks.push_back({chunk.ordinal, std::move(chunk.text), chunk.page_start, chunk.page_end});
  }
  return input;
}

StoredExtraction ToStoredExtraction(int64_t document_id, const ExtractionSchema& schema, const std::string& model,
                                    const ExtractionResult& result) {
  return {document_id,
          schema.sha256,
          model,
          std::string(kExtractionPromptVersion),
          std::string(ExtractionStatusName(result.status)),
          result.record_json,
          result.evidence_json,
          result.failure};
}

}  // namespace docpipe
