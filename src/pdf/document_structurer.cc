#include "pdf/document_structurer.h"

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "core/for_each_range.h"
#include "core/unicode.h"
#include "pdf/block_builder.h"
#include "pdf/page_furniture.h"
#include "pdf/reading_order.h"
#include "pdf/table_placement.h"
#include "pdf/text_rules.h"
#include "pdf/turned_page.h"

namespace docpipe::pdf {
namespace {

constexpr int kMaxHeadingChars = 250;
constexpr int kMaxBoldHeadingChars = 120;

bool HasLetter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
  });
}

float RoundSize(float size) { return std::round(size * 2) / 2; }

// Running text: wrapped sentences, or longer than any heading.
bool LooksLikeParagraph(const PendingBlock& block) {
  if (block.chars > kMaxHeadingChars) return true;
  std::string_view last = block.lines.back()->line.text;
  return block.lines.size() >= 2 && !last.empty() && std::strchr(".!?", last.back()) != nullptr;
}

// Font sizes that carry running text somewhere in the document (an abstract
// set larger than the columns): plain lines at those sizes are not headings.
std::vector<float> TextSizes(const std::vector<PendingBlock>& blocks) {
  std::vector<float> sizes;
  for (const PendingBlock& block : blocks) {
    const float size = RoundSize(block.size);
    if (LooksLikeParagraph(block) && std::find(sizes.begin(), sizes.end(), size) == sizes.end()) {
      sizes.push_back(size);
    }
  }
  return sizes;
}

// A table-of-contents entry ("Method . . . . 12") looks like a bold heading
// but is not one.
bool HasDotLeader(std::string_view text) {
  return text.find(". . . .") != std::string_view::npos || text.find("....") != std::string_view::npos;
}

bool IsLargeHeading(const PendingBlock& block, const LayoutStats& stats,
                    const std::vector<float>& text_sizes) {
  if (block.size < stats.body_size + std::max(0.8f, 0.08f * stats.body_size)) return false;
  if (block.lines.size() > 4 || LooksLikeParagraph(block)) return false;
  const bool text_size = std::find(text_sizes.begin(), text_sizes.end(), RoundSize(block.size)) !=
                         text_sizes.end();
  return block.bold || !text_size;
}

// Bold text at body size that is short and stands alone reads as a heading.
bool IsBoldHeading(const PendingBlock& block, std::string_view text, const LayoutStats& stats) {
  return block.bold && std::fabs(block.size - stats.body_size) < kSameSize &&
         block.chars <= kMaxBoldHeadingChars && block.lines.size() <= 2 && !text.ends_with('.');
}

Block Classify(const PendingBlock& pending, const Vocabulary* vocabulary, const LayoutStats& stats,
               const std::vector<float>& text_sizes) {
  std::vector<std::string_view> lines;
  lines.reserve(pending.lines.size());
  for (const PageLine* line : pending.lines) lines.push_back(line->line.text);
  std::string raw = JoinLines(lines, vocabulary);
  Block block;
  block.page = pending.page;
  block.bbox = pending.bbox;
  const bool bullet = pending.marker.found && !pending.marker.ordered;
  const bool heading_like = HasLetter(raw) && !HasDotLeader(raw);
  if (heading_like && IsLargeHeading(pending, stats, text_sizes)) {
    block.type = BlockType::kHeading;
  } else if (!bullet && heading_like && IsBoldHeading(pending, raw, stats)) {
    block.type = BlockType::kHeading;
  } else if (pending.marker.found) {
    block.type = BlockType::kListItem;
    block.ordered = pending.marker.ordered;
    raw.erase(0, pending.marker.length);
  } else if (IsCaption(raw)) {
    block.type = BlockType::kCaption;
  }
  block.text = NormalizeText(raw);
  float confidence = 0;
  int ocr_lines = 0;
  for (const PageLine* line : pending.lines) {
    if (line->line.source != TextSource::kOcr) continue;
    confidence += line->line.confidence;
    ++ocr_lines;
  }
  if (ocr_lines > 0) {
    block.source = TextSource::kOcr;
    block.confidence = confidence / ocr_lines;
  }
  return block;
}

// Distinct heading sizes above the body size, biggest first, become levels
// 1..6; bold body-size headings take the level below the smallest size.
void AssignHeadingLevels(const std::vector<PendingBlock>& pending, std::vector<Block>& blocks,
                         const LayoutStats& stats) {
  std::vector<float> sizes;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].type == BlockType::kHeading && pending[i].size > stats.body_size + kSameSize) {
      sizes.push_back(pending[i].size);
    }
  }
  std::sort(sizes.begin(), sizes.end(), std::greater<float>());
  std::vector<float> distinct;
  for (float size : sizes) {
    if (distinct.empty() || distinct.back() - size >= kSameSize) distinct.push_back(size);
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].type != BlockType::kHeading) continue;
    int level = static_cast<int>(distinct.size()) + 1;
    for (size_t d = 0; d < distinct.size(); ++d) {
      if (pending[i].size > distinct[d] - kSameSize) {
        level = static_cast<int>(d) + 1;
        break;
      }
    }
    blocks[i].level = std::min(level, 6);
  }
}

// Depth of a section number at the start of a heading: "2 Method" -> 1,
// "2.1 Data" -> 2, "2.1.3. Notes" -> 3; 0 when unnumbered.
int NumberingDepth(std::string_view text) {
  int depth = 0;
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i - start > 2) return 0;
    ++depth;
    if (i < text.size() && text[i] == '.') ++i;
  }
  return i < text.size() && text[i] == ' ' ? depth : 0;
}

// Numbered sections say their own depth: "1 Introduction" and "2.1 Data"
// are levels 1 and 2, one lower when a larger title heads the document.
// Unnumbered headings larger than the top sections (an "Abstract") are their
// peers; smaller ones sit below the numbered sizes larger than them.
void ApplySectionNumbering(const std::vector<PendingBlock>& pending, std::vector<Block>& blocks) {
  float top_size = 0, largest = 0;
  int top_sections = 0;
  std::vector<float> numbered_sizes;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].type != BlockType::kHeading) continue;
    largest = std::max(largest, pending[i].size);
    const int depth = NumberingDepth(blocks[i].text);
    if (depth > 0) numbered_sizes.push_back(pending[i].size);
    if (depth == 1) top_size = std::max(top_size, pending[i].size), ++top_sections;
  }
  if (top_sections < 2) return;
  const int offset = largest > top_size + kSameSize ? 1 : 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].type != BlockType::kHeading) continue;
    const float size = pending[i].size;
    const int depth = NumberingDepth(blocks[i].text);
    int level;
    if (depth > 0) {
      level = depth + offset;
    } else if (offset == 1 && size > largest - kSameSize) {
      level = 1;
    } else if (size > top_size - kSameSize) {
      level = offset + 1;
    } else {
      level = offset + 1 + static_cast<int>(std::count_if(numbered_sizes.begin(), numbered_sizes.end(),
                                                          [&](float s) { return s > size + kSameSize; }) > 0);
    }
    blocks[i].level = std::min(level, 6);
  }
}

// Nesting depth of list items from their indentation within a run of items.
void AssignListLevels(std::vector<Block>& blocks, const LayoutStats& stats) {
  const float tolerance = 0.5f * stats.body_size;
  size_t i = 0;
  while (i < blocks.size()) {
    if (blocks[i].type != BlockType::kListItem) {
      ++i;
      continue;
    }
    size_t end = i;
    std::vector<float> indents;
    while (end < blocks.size() && blocks[end].type == BlockType::kListItem) {
      indents.push_back(blocks[end++].bbox.x0);
    }
    std::sort(indents.begin(), indents.end());
    std::vector<float> distinct;
    for (float x : indents) {
      if (distinct.empty() || x - distinct.back() > tolerance) distinct.push_back(x);
    }
    for (; i < end; ++i) {
      int level = 0;
      while (level + 1 < static_cast<int>(distinct.size()) &&
             blocks[i].bbox.x0 > distinct[level + 1] - tolerance) {
        ++level;
      }
      blocks[i].level = level;
    }
  }
}

void AssignHeadingPaths(std::vector<Block>& blocks) {
  std::vector<const Block*> stack;
  for (Block& block : blocks) {
    if (block.type == BlockType::kHeading) {
      while (!stack.empty() && stack.back()->level >= block.level) stack.pop_back();
    }
    block.heading_path.reserve(stack.size());
    for (const Block* heading : stack) block.heading_path.push_back(heading->text);
    if (block.type == BlockType::kHeading) stack.push_back(&block);
  }
}

// Built by ranges of pages on the arena's threads, each thread into a
// vocabulary of its own, merged at the end: the same words as one pass.
Vocabulary BuildVocabulary(const std::vector<std::vector<PageLine>>& pages, int range_pages) {
  tbb::enumerable_thread_specific<Vocabulary> parts;
  ForEachRange(pages.size(), static_cast<size_t>(range_pages), [&](size_t begin, size_t end) {
    // A range's first line follows the last line of the pages before it.
    bool after_break = false;
    for (size_t page = begin; page-- > 0;) {
      if (pages[page].empty()) continue;
      after_break = EndsWithHyphen(pages[page].back().line.text);
      break;
    }
    Vocabulary& vocabulary = parts.local();
    for (size_t page = begin; page < end; ++page) {
      for (const PageLine& line : pages[page]) {
        vocabulary.AddLine(line.line.text, after_break);
        after_break = EndsWithHyphen(line.line.text);
      }
    }
  });
  Vocabulary vocabulary;
  for (Vocabulary& part : parts) vocabulary.Merge(std::move(part));
  return vocabulary;
}

bool NeedsVocabulary(const std::vector<PendingBlock>& blocks) {
  for (const PendingBlock& block : blocks) {
    for (size_t i = 0; i + 1 < block.lines.size(); ++i) {
      if (EndsWithHyphen(block.lines[i]->line.text)) return true;
    }
  }
  return false;
}

void SetKinds(const std::vector<RawPage>& raw_pages, Document* document) {
  int digital = 0, scanned = 0, mixed = 0;
  for (size_t i = 0; i < document->pages.size(); ++i) {
    Page& page = document->pages[i];
    const RawPage& raw = raw_pages[i];
    page.kind = raw.kind;
    page.needs_ocr = raw.needs_ocr;
    page.ocr_confidence = raw.ocr_confidence;
    page.ocr_counts = raw.ocr_counts;
    page.ocr_unread_script = raw.ocr_unread_script;
    page.low_confidence_words = raw.low_confidence_words;
    if (page.kind == PageKind::kEmpty && (!page.error.empty() || !page.blocks.empty())) {
      page.kind = PageKind::kDigital;  // failed (timeout, damage): not known to be blank
    }
    switch (page.kind) {
      case PageKind::kDigital: digital += !page.blocks.empty(); break;
      case PageKind::kScanned: ++scanned; break;
      case PageKind::kMixed: ++mixed; break;
      case PageKind::kEmpty: break;
    }
  }
  if (scanned == 0 && mixed == 0) {
    document->kind = DocumentKind::kDigital;
  } else if (digital == 0 && mixed == 0) {
    document->kind = DocumentKind::kScanned;
  } else {
    document->kind = DocumentKind::kMixed;
  }
}

void SetTitleFallback(const std::vector<Block>& blocks, DocumentMetadata* metadata) {
  if (!metadata->title.empty()) return;
  const Block* first = nullptr;
  for (const Block& block : blocks) {
    if (block.type != BlockType::kHeading) continue;
    if (block.level == 1) {
      metadata->title = block.text;
      return;
    }
    if (!first) first = &block;
  }
  if (first) metadata->title = first->text;
}

}  // namespace

void StructureDocument(std::vector<RawPage> raw_pages, Document* document, int range_pages) {
  // The document-wide pass: running headers and footers are found across all pages.
  RemovePageFurniture(raw_pages);
  std::vector<std::vector<PageLine>> ordered(raw_pages.size());
  std::vector<int> page_turns(raw_pages.size(), 0);
  auto frame_of = [&](size_t i) { return TableFrame(page_turns[i], raw_pages[i].width, raw_pages[i].height); };
  document->pages.resize(raw_pages.size());
  ForEachRange(raw_pages.size(), range_pages, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      RawPage& raw = raw_pages[i];
      Page& page = document->pages[i];
      page.number = static_cast<int>(i) + 1;
      page.width = raw.width;
      page.height = raw.height;
      page.error = raw.error;
      // A page needing OCR has no usable layer of its own: only recognised lines count.
      if (raw.needs_ocr) std::erase_if(raw.lines, [](const RawLine& l) { return l.source != TextSource::kOcr; });
      if (!raw.needs_ocr) AddTablePlaceholders(&raw);
      // A sideways page is ordered, and its blocks built, where its text reads upright.
      page_turns[i] = PageTurns(raw.lines);
      if (page_turns[i] != 0) LinesToFrame(frame_of(i), &raw.lines);
      ordered[i] = OrderLines(std::move(raw.lines));
      raw.lines.clear();
    }
  });
  for (const RawPage& raw : raw_pages) {
    document->seconds.render += raw.render_seconds;
    document->seconds.ocr += raw.ocr_seconds;
  }
  // Font statistics (body size, line pitch) are the document's, whatever the ranges.
  const LayoutStats stats = MeasureLayout(ordered);
  const std::vector<PendingBlock> pending = BuildBlocks(ordered, stats);
  Vocabulary vocabulary;
  const bool use_vocabulary = NeedsVocabulary(pending);
  if (use_vocabulary) vocabulary = BuildVocabulary(ordered, range_pages);
  const std::vector<float> text_sizes = TextSizes(pending);
  std::vector<Block> blocks(pending.size());
  // Blocks by ranges of about range_pages pages' worth.
  const size_t blocks_per_range = std::max<size_t>(
      1, static_cast<size_t>(range_pages) * pending.size() / std::max<size_t>(1, raw_pages.size()));
  ForEachRange(pending.size(), blocks_per_range, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      blocks[i] = Classify(pending[i], use_vocabulary ? &vocabulary : nullptr, stats, text_sizes);
    }
  });
  AssignHeadingLevels(pending, blocks, stats);
  ApplySectionNumbering(pending, blocks);
  PlaceTables(pending, raw_pages, &blocks);
  AssignListLevels(blocks, stats);
  AssignHeadingPaths(blocks);
  SetTitleFallback(blocks, &document->metadata);
  // Each page's blocks reserved first: growing them block by block moved
  // every block again (3% of a big manual's one-thread passes).
  std::vector<size_t> blocks_on_page(document->pages.size(), 0);
  for (const Block& block : blocks) blocks_on_page[block.page - 1] += !block.text.empty();
  for (size_t i = 0; i < blocks_on_page.size(); ++i) document->pages[i].blocks.reserve(blocks_on_page[i]);
  for (Block& block : blocks) {
    if (block.text.empty()) continue;
    // Tables' boxes are on the page already (PlaceTables).
    if (page_turns[block.page - 1] != 0 && !block.table) block.bbox = frame_of(block.page - 1).ToPage(block.bbox);
    document->pages[block.page - 1].blocks.push_back(std::move(block));
  }
  SetKinds(raw_pages, document);
}

}  // namespace docpipe::pdf
