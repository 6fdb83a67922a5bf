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

}  // namespace docpipe
