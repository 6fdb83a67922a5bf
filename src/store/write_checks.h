// Checks every backend applies to a DocumentWrite (or a job update) before
// storing any of it, so that a malformed write is refused the same way
// whatever the database.
#pragma once

#include "docpipe/store.h"

namespace docpipe::store {

// kInvalidArgument, naming the problem, when the record has no path, the
// enrichments do not match the chunks one to one, an embedder is named but its
// vectors do not match the chunks one to one or have another dimension, or
// vectors come without an embedder.
Status CheckDocumentWrite(const DocumentWrite& write);

// kInvalidArgument for a job state JobRecord does not list, or a result that is not JSON.
Status CheckJobUpdate(const std::string& state, const std::string& result_json);

// CheckJobUpdate's checks on a whole job, plus its kind ("document" or
// "extract") and its request (JSON).
Status CheckImportedJob(const JobRecord& job);

}  // namespace docpipe::store
