#include "store/record_json.h"

#include <nlohmann/json.hpp>

namespace docpipe::store {
namespace {

using nlohmann::json;

// Text from PDFs may carry invalid UTF-8; store it with U+FFFD rather than fail.
std::string Dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// Parses and converts with `convert`, turning any JSON error into kCorrupt.
template <typename T, typename Convert>
Result<T> Decode(std::string_view text, std::string_view what, Convert convert) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Status::Corrupt("stored " + std::string(what) + " is not valid JSON");
  try {
    return convert(value);
  } catch (const json::exception& error) {
    return Status::Corrupt("stored " + std::string(what) + " has an unexpected shape: " + error.what());
  }
}

}  // namespace

std::string MetadataToJson(const DocumentMetadata& metadata) {
  return Dump(json{{"title", metadata.title},
                   {"author", metadata.author},
                   {"producer", metadata.producer},
                   {"creator", metadata.creator},
                   {"created", metadata.created},
                   {"modified", metadata.modified},
                   {"page_count", metadata.page_count}});
}

Result<DocumentMetadata> MetadataFromJson(std::string_view text) {
  return Decode<DocumentMetadata>(text, "metadata", [](const json& value) {
    DocumentMetadata metadata;
    metadata.title = value.value("title", "");
    metadata.author = value.value("author", "");
    metadata.producer = value.value("producer", "");
    metadata.creator = value.value("creator", "");
    metadata.created = value.value("created", "");  // absent in rows stored before dates were read
    metadata.modified = value.value("modified", "");
    metadata.page_count = value.value("page_count", 0);
    return metadata;
  });
}

std::string SecondsToJson(const StageSeconds& seconds) {
  return Dump(json{{"open", seconds.open},
                   {"extract", seconds.extract},
                   {"structure", seconds.structure},
                   {"chunk", seconds.chunk},
                   {"embed", seconds.embed},
                   {"store", seconds.store},
                   {"render", seconds.render},
                   {"ocr", seconds.ocr}});
}

Result<StageSeconds> SecondsFromJson(std::string_view text) {
  return Decode<StageSeconds>(text, "timings", [](const json& value) {
    StageSeconds seconds;
    seconds.open = value.value("open", 0.0);
    seconds.extract = value.value("extract", 0.0);
    seconds.structure = value.value("structure", 0.0);
    seconds.chunk = value.value("chunk", 0.0);
    seconds.embed = value.value("embed", 0.0);
    seconds.store = value.value("store", 0.0);
    seconds.render = value.value("render", 0.0);
    seconds.ocr = value.value("ocr", 0.0);
    return seconds;
  });
}

std::string IntsToJson(const std::vector<int>& values) { return Dump(json(values)); }

Result<std::vector<int>> IntsFromJson(std::string_view text) {
  return Decode<std::vector<int>>(text, "page list", [](const json& value) { return value.get<std::vector<int>>(); });
}

std::string StringsToJson(const std::vector<std::string>& values) { return Dump(json(values)); }

Result<std::vector<std::string>> StringsFromJson(std::string_view text) {
  return Decode<std::vector<std::string>>(text, "string list",
                                          [](const json& value) { return value.get<std::vector<std::string>>(); });
}

std::string TablesToJson(const std::vector<ChunkTable>& tables) {
  json values = json::array();
  for (const ChunkTable& table : tables) {
    values.push_back({{"page", table.page}, {"index", table.index}, {"caption", table.caption}});
  }
  return Dump(values);
}

Result<std::vector<ChunkTable>> TablesFromJson(std::string_view text) {
  return Decode<std::vector<ChunkTable>>(text, "table list", [](const json& values) {
    std::vector<ChunkTable> tables;
    for (const json& value : values.get<std::vector<json>>()) {
      tables.push_back({value.at("page").get<int>(), value.at("index").get<int>(),
                        value.at("caption").get<std::string>()});
    }
    return tables;
  });
}

Result<DocumentKind> ParseDocumentKind(std::string_view name) {
  for (DocumentKind kind : {DocumentKind::kDigital, DocumentKind::kScanned, DocumentKind::kMixed, DocumentKind::kText}) {
    if (DocumentKindName(kind) == name) return kind;
  }
  return Status::Corrupt("unknown document kind '" + std::string(name) + "'");
}

std::string_view DocumentStatusName(DocumentStatus status) {
  return status == DocumentStatus::kOk ? "ok" : "failed";
}

Result<DocumentStatus> ParseDocumentStatus(std::string_view name) {
  if (name == "ok") return DocumentStatus::kOk;
  if (name == "failed") return DocumentStatus::kFailed;
  return Status::Corrupt("unknown document status '" + std::string(name) + "'");
}

std::string_view DocumentStateName(DocumentState state) {
  return state == DocumentState::kComplete ? "complete" : "partial";
}

Result<DocumentState> ParseDocumentState(std::string_view name) {
  if (name == "complete") return DocumentState::kComplete;
  if (name == "partial") return DocumentState::kPartial;
  return Status::Corrupt("unknown document state '" + std::string(name) + "'");
}

bool IsJson(std::string_view text) { return json::accept(text); }

}  // namespace docpipe::store
