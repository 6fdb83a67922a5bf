#include "docpipe/document.h"

namespace docpipe {

std::string_view BlockTypeName(BlockType type) {
  switch (type) {
    case BlockType::kHeading: return "heading";
    case BlockType::kParagraph: return "paragraph";
    case BlockType::kListItem: return "list_item";
    case BlockType::kTable: return "table";
    case BlockType::kCaption: return "caption";
    case BlockType::kCode: return "code";
  }
  return "paragraph";
}

std::string_view PageKindName(PageKind kind) {
  switch (kind) {
    case PageKind::kDigital: return "digital";
    case PageKind::kScanned: return "scanned";
    case PageKind::kMixed: return "mixed";
    case PageKind::kEmpty: return "empty";
  }
  return "digital";
}

std::string_view DocumentKindName(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kDigital: return "digital";
    case DocumentKind::kScanned: return "scanned";
    case DocumentKind::kMixed: return "mixed";
    case DocumentKind::kText: return "text";
  }
  return "digital";
}

std::string DocumentText(const Document& document) {
  std::string text;
  for (const Page& page : document.pages) {
    for (const Block& block : page.blocks) {
      if (!text.empty()) text += "\n\n";
      text += block.text;
    }
  }
  return text;
}

}  // namespace docpipe
