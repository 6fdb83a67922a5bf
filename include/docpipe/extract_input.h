// ExtractionInput: a document read for `docpipe extract` (a file: converted
// by the reader for its format, chunked and hashed; or a stored document's
// chunks), so the Extractor (docpipe/extract.h) gets its chunks and the
// output its sha256; and the store row made of an Extractor's result.
// Thread-safe when each thread passes its own PdfWorker or Store.
#pragma once

#include <string>

#include "docpipe/chunker.h"
#include "docpipe/extract.h"
#include "docpipe/formats.h"
#include "docpipe/store.h"

namespace docpipe {

struct ExtractionInput {
  std::string path;
  std::string sha256;  // of the file's bytes
  ExtractionDocument document;  // chunk ids are ordinals
};

struct ExtractionInputOptions {
  ConvertFileOptions convert;
  ChunkOptions chunk;
};

// Errors as ConvertFile() reports them (kUnsupported, kCorrupt, kIoError, ...).
Result<ExtractionInput> ReadExtractionInput(const std::string& path, const ExtractionInputOptions& options,
                                            const PdfWorkerForThread& pdf_worker);

// A stored document's chunks in reading order (chunk ids are ordinals), with
// its path and sha256: what `extract --db` and the server's /extract jobs read.
Result<ExtractionInput> ReadStoredExtractionInput(Store& store, const DocumentRecord& record);

// The extraction_records row for `result`, extracted from document `document_id`.
StoredExtraction ToStoredExtraction(int64_t document_id, const ExtractionSchema& schema, const std::string& model,
                                    const ExtractionResult& result);

}  // namespace docpipe
