// ExtractionInput: a file read for `docpipe extract`: converted by the reader
// for its format, chunked, and hashed, so the Extractor (docpipe/extract.h)
// gets its chunks and the output its sha256. Thread-safe when each thread
// passes its own PdfWorker.
#pragma once

#include <string>

#include "docpipe/chunker.h"
#include "docpipe/extract.h"
#include "docpipe/formats.h"

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

}  // namespace docpipe
