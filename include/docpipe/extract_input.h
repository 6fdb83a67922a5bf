// ExtractionInput: a document read for `docpipe extract` (a file: converted
// by the reader for its format, chunked and hashed; or a stored document's
// chunks), so the Extractor (docpipe/extract.h) gets its chunks and the
// output its sha256; and the store row made of an Extractor's result.
// Thread-safe when each thread passes its own PdfWorker or Store.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "docpipe/chunker.h"
#include "docpipe/extract.h"
#include "docpipe/formats.h"
#include "docpipe/store.h"

namespace docpipe {

struct ExtractionInput {
  std::string path;
  std::string sha256;           // of the file's bytes
  ExtractionDocument document;  // chunk ids are ordinals
};

struct ExtractionInputOptions {
  ConvertFileOptions convert;
  ChunkOptions chunk;
};

// Errors as ConvertFile() reports them (kUnsupported, kCorrupt, kIoError, ...).
Result<ExtractionInput> ReadExtractionInput(const std::string& path, const ExtractionInputOptions& options,
                                            const PdfWorkerForThread& pdf_worker);

// Reads files for `docpipe extract` ahead of the caller, several at once:
// `workers` threads convert and chunk them, each PDF with its thread's own
// PdfWorker from one PdfEngine made at the first PDF (the ingest pipeline's
// per-worker resources), so a run of text files never loads MuPDF. Next()
// hands the inputs back in path order; at most 2 x workers are read ahead.
// Next() is for one thread; destroying the reader waits for the reads under
// way and drops the rest.
class ExtractionInputReader {
 public:
  // workers: 0 = the CPUs this process may run on (its CPU affinity mask).
  static Result<std::unique_ptr<ExtractionInputReader>> Make(std::vector<std::string> paths,
                                                             const ExtractionInputOptions& options,
                                                             int workers);
  virtual ~ExtractionInputReader() = default;

  // paths[i] for the i-th call, as ReadExtractionInput() reads it; kInvalidArgument past the last.
  virtual Result<ExtractionInput> Next() = 0;
};

// A stored document's chunks in reading order (chunk ids are ordinals), with
// its path and sha256: what `extract --db` and the server's /extract jobs read.
Result<ExtractionInput> ReadStoredExtractionInput(Store& store, const DocumentRecord& record);

// The extraction_records row for `result`, extracted from document `document_id`.
StoredExtraction ToStoredExtraction(int64_t document_id, const ExtractionSchema& schema,
                                    const std::string& model, const ExtractionResult& result);

}  // namespace docpipe
