// Turns the user's inputs (files, directories, list files, stdin) into the
// ordered list of files an ingest will consider. Single-threaded.
#pragma once

#include <string>
#include <vector>

#include "docpipe/ingest.h"

namespace docpipe {

enum class InputType { kPdf, kText, kUnsupported };

struct InputListing {
  std::vector<std::string> files;
  std::vector<InputProblem> problems;  // unreadable directories met during the walk
};

// Directories are walked recursively in sorted order; globs apply to files
// found in directories (to the file name and to the path below the root).
// A named input that does not exist is an error.
Result<InputListing> ListInputs(const IngestOptions& options);

// What reader handles `path`: by extension, else by the file's first bytes.
InputType DetectInputType(const std::string& path);

}  // namespace docpipe
