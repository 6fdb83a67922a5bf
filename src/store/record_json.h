// How the structured fields of documents and chunks are stored: as JSON text
// columns that SQL can still look into (json_extract) and another backend can
// store as jsonb.
//
// Pure functions; thread-safe. Decoding a malformed value is kCorrupt.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docpipe/document.h"
#include "docpipe/status.h"
#include "docpipe/store.h"

namespace docpipe::store {

std::string MetadataToJson(const DocumentMetadata& metadata);
Result<DocumentMetadata> MetadataFromJson(std::string_view json);

std::string SecondsToJson(const StageSeconds& seconds);
Result<StageSeconds> SecondsFromJson(std::string_view json);

std::string IntsToJson(const std::vector<int>& values);
Result<std::vector<int>> IntsFromJson(std::string_view json);

std::string StringsToJson(const std::vector<std::string>& values);
Result<std::vector<std::string>> StringsFromJson(std::string_view json);

// Chunk::tables as [{"page": 3, "index": 1, "caption": "Table 2: ..."}, ...].
std::string TablesToJson(const std::vector<ChunkTable>& tables);
Result<std::vector<ChunkTable>> TablesFromJson(std::string_view json);

// The inverse of DocumentKindName(); kCorrupt for an unknown name.
Result<DocumentKind> ParseDocumentKind(std::string_view name);

std::string_view DocumentStatusName(DocumentStatus status);  // "ok", "failed"
Result<DocumentStatus> ParseDocumentStatus(std::string_view name);

std::string_view DocumentStateName(DocumentState state);  // "complete", "partial"
Result<DocumentState> ParseDocumentState(std::string_view name);

// True when `text` is a JSON value (the runs table stores caller-made JSON).
bool IsJson(std::string_view text);

}  // namespace docpipe::store
