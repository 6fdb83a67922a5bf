#include <charconv>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "docpipe/render.h"

namespace docpipe {
namespace {

using Json = nlohmann::ordered_json;

// The double nearest the shortest decimal that reads back as `value`, so that
// 0.9f prints as 0.9 rather than 0.8999999761581421 and still round-trips.
Json FloatJson(float value) {
  if (!std::isfinite(value)) return nullptr;
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer) - 1, value);
  *result.ptr = '\0';
  return std::strtod(buffer, nullptr);
}

Json BoxJson(const BBox& box) {
  return Json::array({FloatJson(box.x0), FloatJson(box.y0), FloatJson(box.x1), FloatJson(box.y1)});
}

Json TableJson(const Table& table) {
  Json json;
  json["rows"] = table.rows;
  json["cols"] = table.cols;
  json["header_rows"] = table.header_rows;
  json["caption"] = table.caption;
  json["continued"] = table.continued;
  json["rotation"] = table.rotation;
  Json cells = Json::array();
  for (const TableCell& cell : table.cells) {
    Json c;
    c["row"] = cell.row;
    c["col"] = cell.col;
    c["row_span"] = cell.row_span;
    c["col_span"] = cell.col_span;
    c["text"] = cell.text;
    c["bbox"] = BoxJson(cell.bbox);
    c["header"] = cell.header;
    cells.push_back(std::move(c));
  }
  json["cells"] = std::move(cells);
  return json;
}

Json BlockJson(const Block& block) {
  Json json;
  json["type"] = BlockTypeName(block.type);
  json["text"] = block.text;
  json["level"] = block.level;
  json["ordered"] = block.ordered;
  json["page"] = block.page;
  json["bbox"] = BoxJson(block.bbox);
  json["heading_path"] = block.heading_path;
  json["source"] = block.source == TextSource::kOcr ? "ocr" : "digital";
  json["confidence"] = FloatJson(block.confidence);
  if (block.table) json["table"] = TableJson(*block.table);
  return json;
}

Json PageJson(const Page& page) {
  Json json;
  json["number"] = page.number;
  json["width"] = FloatJson(page.width);
  json["height"] = FloatJson(page.height);
  json["kind"] = PageKindName(page.kind);
  json["needs_ocr"] = page.needs_ocr;
  json["error"] = page.error;
  json["ocr_confidence"] = FloatJson(page.ocr_confidence);
  json["ocr_unread_script"] = page.ocr_unread_script;
  const OcrCounts& counts = page.ocr_counts;
  json["ocr_counts"] = {{"pictures_read", counts.pictures_read},
                        {"pictures_small", counts.pictures_small},
                        {"pictures_not_text", counts.pictures_not_text},
                        {"pictures_other_script", counts.pictures_other_script},
                        {"words_dropped", counts.words_dropped}};
  Json words = Json::array();
  for (const OcrWord& word : page.low_confidence_words) {
    words.push_back({{"text", word.text}, {"bbox", BoxJson(word.bbox)}, {"confidence", FloatJson(word.confidence)}});
  }
  json["ocr_low_confidence_words"] = std::move(words);
  Json blocks = Json::array();
  for (const Block& block : page.blocks) blocks.push_back(BlockJson(block));
  json["blocks"] = std::move(blocks);
  return json;
}

}  // namespace

std::string RenderJson(const Document& document) {
  Json json;
  json["path"] = document.path;
  const DocumentMetadata& metadata = document.metadata;
  json["metadata"] = {{"title", metadata.title},
                      {"author", metadata.author},
                      {"producer", metadata.producer},
                      {"creator", metadata.creator},
                      {"created", metadata.created},
                      {"modified", metadata.modified},
                      {"page_count", metadata.page_count}};
  json["kind"] = DocumentKindName(document.kind);
  Json pages = Json::array();
  for (const Page& page : document.pages) pages.push_back(PageJson(page));
  json["pages"] = std::move(pages);
  // Text is repaired UTF-8 by contract; should a producer slip, replace rather than throw.
  return json.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string RenderText(const Document& document) { return DocumentText(document) + "\n"; }

}  // namespace docpipe
