// Turns the user's inputs (files, directories, list files, stdin) into the
// ordered list of files an ingest will consider. Single-threaded.
#pragma once

#include <string>
#include <vector>

#include "docpipe/ingest.h"

namespace docpipe {

// kPdf goes to the PDF engine directly (its pages spread over the workers);
// kOther to ConvertFile (docpipe/formats.h: text, HTML, EPUB, DOCX, images).
enum class InputType { kPdf, kOther, kUnsupported };

struct InputListing {
  std::vector<std::string> files;
  std::vector<InputProblem> problems;  // unreadable directories met during the walk
};

// Directories are walked recursively in sorted order; globs apply to files
// found in directories (to the file name and to the path below the root).
// A named input that does not exist is an error.
Result<InputListing> ListInputs(const IngestOptions& options);

// What reader handles `path`: by its content (DetectFileFormat), the
// extension deciding only where the content names no format.
InputType DetectInputType(const std::string& path);

// "unsupported file type: ZIP archive": why `path` is not read, for reports.
std::string UnsupportedReason(const std::string& path);

}  // namespace docpipe
