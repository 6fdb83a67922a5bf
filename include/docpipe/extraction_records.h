// The extraction records stored with documents (Store::ExtractionsOf, from
// `docpipe extract --db` or the server's POST /extract), as the JSON that
// GET /documents/{id}/records, the server's /search hits and
// `docpipe search --json --with-records` all show: an array of
// {"schema_sha256", "model", "prompt_version", "status", "record",
// "evidence", "error"}, ordered by schema hash.
//
// Thread-safety: pure functions, apart from reading the store given (one
// thread per Store, as always).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "docpipe/status.h"
#include "docpipe/store.h"

namespace docpipe {

// JSON text of `records`; "[]" for none.
std::string ExtractionRecordsJson(const std::vector<StoredExtraction>& records);

// The records of each distinct id in `document_ids`, each document read once
// (search hits often share one), as ExtractionRecordsJson text by id.
Result<std::map<int64_t, std::string>> ExtractionRecordsOf(Store& store,
                                                           const std::vector<int64_t>& document_ids);

}  // namespace docpipe
