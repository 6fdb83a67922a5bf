#include "formats/document_builder.h"

#include <algorithm>
#include <memory>

#include "core/unicode.h"
#include "docpipe/render.h"

namespace docpipe::formats {
namespace {

bool IsSpaceAt(std::string_view text, size_t i, size_t* width) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
    *width = 1;
    return true;
  }
  if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {
    *width = 2;  // U+00A0 no-break space
    return true;
  }
  return false;
}

bool HasVisibleText(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); i += std::max<size_t>(width, 1)) {
    width = 1;
    if (!IsSpaceAt(text, i, &width)) return true;
  }
  return false;
}

std::string TrimLineEnds(std::string_view text) {
  size_t start = 0;
  while (start < text.size() && (text[start] == '\n' || text[start] == '\r')) ++start;
  size_t end = text.size();
  while (end > start && (text[end - 1] == '\n' || text[end - 1] == ' ' || text[end - 1] == '\r' ||
                         text[end - 1] == '\t')) {
    --end;
  }
  return std::string(text.substr(start, end - start));
}

}  // namespace

std::string CollapseSpace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  size_t width = 1;
  for (size_t i = 0; i < text.size(); i += width) {
    if (IsSpaceAt(text, i, &width)) {
      pending_space = !out.empty();
      continue;
    }
    width = 1;
    if (pending_space) out += ' ';
    pending_space = false;
    out += text[i];
  }
  return out;
}

std::string CollapseSpaceKeepingLines(std::string_view text) {
  std::string joined;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string_view::npos) newline = text.size();
    std::string line = CollapseSpace(text.substr(pos, newline - pos));
    pos = newline + 1;
    if (line.empty()) continue;
    if (!joined.empty()) joined += '\n';
    joined += line;
  }
  return joined;
}

void DocumentBuilder::StartPage() {
  Page page;
  page.number = static_cast<int>(pages_.size()) + 1;
  pages_.push_back(std::move(page));
}

void DocumentBuilder::Add(Block block) {
  if (pages_.empty()) StartPage();
  block.page = pages_.back().number;
  for (const auto& [level, text] : open_headings_) block.heading_path.push_back(text);
  pages_.back().blocks.push_back(std::move(block));
}

void DocumentBuilder::Heading(int level, std::string_view text) {
  std::string clean = NormalizeText(CollapseSpace(text));
  if (clean.empty()) return;
  level = std::clamp(level, 1, 6);
  while (!open_headings_.empty() && open_headings_.back().first >= level) open_headings_.pop_back();
  Block block;
  block.type = BlockType::kHeading;
  block.level = level;
  block.text = clean;
  Add(std::move(block));
  open_headings_.emplace_back(level, std::move(clean));
}

void DocumentBuilder::Paragraph(std::string_view text) {
  Block block;
  block.text = NormalizeText(CollapseSpace(text));
  if (block.text.empty()) return;
  Add(std::move(block));
}

void DocumentBuilder::LineBrokenParagraph(std::string_view text) {
  Block block;
  block.text = NormalizeText(CollapseSpaceKeepingLines(text));
  if (block.text.empty()) return;
  Add(std::move(block));
}

void DocumentBuilder::Code(std::string_view text) {
  if (!HasVisibleText(text)) return;
  Block block;
  block.type = BlockType::kCode;
  block.text = NormalizeText(TrimLineEnds(text));
  Add(std::move(block));
}

void DocumentBuilder::Caption(std::string_view text) {
  Block block;
  block.type = BlockType::kCaption;
  block.text = NormalizeText(CollapseSpace(text));
  if (block.text.empty()) return;
  Add(std::move(block));
}

void DocumentBuilder::ListItem(int depth, bool ordered, std::string_view text) {
  Block block;
  block.type = BlockType::kListItem;
  block.level = std::max(depth, 0);
  block.ordered = ordered;
  block.text = NormalizeText(CollapseSpaceKeepingLines(text));
  if (block.text.empty()) return;
  Add(std::move(block));
}

void DocumentBuilder::ContinueListItem(std::string_view text) {
  std::string clean = NormalizeText(CollapseSpace(text));
  if (clean.empty()) return;
  if (pages_.empty() || pages_.back().blocks.empty() ||
      pages_.back().blocks.back().type != BlockType::kListItem) {
    Paragraph(clean);
    return;
  }
  pages_.back().blocks.back().text += "\n" + clean;
}

void DocumentBuilder::AddTable(Table table) {
  const bool any_text = std::any_of(table.cells.begin(), table.cells.end(),
                                    [](const TableCell& cell) { return !cell.text.empty(); });
  if (!any_text) return;
  for (TableCell& cell : table.cells) cell.text = NormalizeText(cell.text);
  table.caption = NormalizeText(CollapseSpace(table.caption));
  std::string caption = table.caption;
  Block block;
  block.type = BlockType::kTable;
  block.text = RenderTableMarkdown(table);
  block.table = std::make_shared<const Table>(std::move(table));
  Add(std::move(block));
  if (!caption.empty()) Caption(caption);
}

bool DocumentBuilder::empty() const {
  return std::all_of(pages_.begin(), pages_.end(), [](const Page& page) { return page.blocks.empty(); });
}

std::string DocumentBuilder::FirstHeading() const {
  for (const Page& page : pages_) {
    for (const Block& block : page.blocks) {
      if (block.type == BlockType::kHeading) return block.text;
    }
  }
  return "";
}

Document DocumentBuilder::Finish(const std::string& path, DocumentMetadata metadata) {
  if (pages_.empty()) StartPage();
  Document document;
  document.path = path;
  document.kind = DocumentKind::kText;
  if (metadata.title.empty()) metadata.title = FirstHeading();
  metadata.page_count = static_cast<int>(pages_.size());
  document.metadata = std::move(metadata);
  for (Page& page : pages_) page.kind = page.blocks.empty() ? PageKind::kEmpty : PageKind::kDigital;
  document.pages = std::move(pages_);
  pages_.clear();
  open_headings_.clear();
  return document;
}

}  // namespace docpipe::formats
