// Checks every backend applies to a DocumentWrite before storing any of it, so
// that a malformed write is refused the same way whatever the database.
#pragma once

#include "docpipe/store.h"

namespace docpipe::store {

// kInvalidArgument, naming the problem, when the record has no path, the
// enrichments or vectors do not match the chunks one to one, or the vectors do
// not have their embedder's dimension.
Status CheckDocumentWrite(const DocumentWrite& write);

}  // namespace docpipe::store
