#include "pdf/block_builder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace docpipe::pdf {
namespace {

// A baseline step this much above the usual pitch is a paragraph gap.
constexpr float kParagraphGapFactor = 1.3f;
bool SameSize(float a, float b) { return std::fabs(a - b) < kSameSize; }

bool EndsSentence(std::string_view text) {
  if (text.empty()) return true;
  const char c = text.back();
  return c == '.' || c == '!' || c == '?' || c == ':' || c == ';';
}

bool StartsLower(std::string_view text) {
  return !text.empty() && std::islower(static_cast<unsigned char>(text[0]));
}

// A paragraph broken by a column or page end goes on where the previous line
// ran to the column's edge without ending a sentence and the next line starts
// in lower case (or the previous one ended with a hyphen).
bool ContinuesAcrossBreak(const PageLine& prev, const PageLine& next) {
  const RawLine& a = prev.line;
  const RawLine& b = next.line;
  if (!SameSize(a.size, b.size) || a.bold != b.bold || ParseListMarker(b.text).found) return false;
  if (a.bbox.x1 < prev.cell_x1 - 2 * a.size) return false;
  if (b.bbox.x0 > next.cell_x0 + 0.5f * b.size) return false;
  if (EndsWithHyphen(a.text)) return StartsLower(b.text);
  return !EndsSentence(a.text) && StartsLower(b.text);
}

bool StartsNewBlock(const PendingBlock& block, const PageLine& prev, const PageLine& next,
                    const LayoutStats& stats) {
  const RawLine& a = prev.line;
  const RawLine& b = next.line;
  if (next.cell != prev.cell) return !ContinuesAcrossBreak(prev, next);
  if (!SameSize(a.size, b.size) || a.bold != b.bold) return true;
  if (ParseListMarker(b.text).found) return true;
  const float step = b.baseline - a.baseline;
  const float expected = stats.pitch_ratio * std::max(a.size, b.size);
  if (step < 0.3f * b.size || step > kParagraphGapFactor * expected + 0.5f) return true;
  const RawLine& first = block.lines.front()->line;
  if (block.marker.found) return b.bbox.x0 < first.bbox.x0 + 0.3f * b.size;
  // First-line indentation starts a paragraph: compare with the block's
  // left edge (its second line on, since its own first line may be indented).
  const float left = block.lines.size() > 1 ? block.lines[1]->line.bbox.x0 : first.bbox.x0;
  if (b.bbox.x0 > left + 0.8f * b.size && a.bbox.x1 < prev.cell_x1 - 2 * a.size) return true;
  return block.lines.size() > 1 && b.bbox.x0 > left + 0.8f * b.size;
}

void AddLine(PendingBlock* block, const PageLine* line, int page) {
  const BBox& box = line->line.bbox;
  if (block->lines.empty()) {
    block->page = page;
    block->bbox = box;
    block->marker = ParseListMarker(line->line.text);
  } else if (page == block->page) {
    block->bbox.x0 = std::min(block->bbox.x0, box.x0);
    block->bbox.y0 = std::min(block->bbox.y0, box.y0);
    block->bbox.x1 = std::max(block->bbox.x1, box.x1);
    block->bbox.y1 = std::max(block->bbox.y1, box.y1);
  }
  block->lines.push_back(line);
}

// Dominant size and weight of a finished block, by character count.
void FinishBlock(PendingBlock* block) {
  std::map<float, int> sizes;
  int bold_chars = 0;
  for (const PageLine* line : block->lines) {
    sizes[std::round(line->line.size * 2) / 2] += line->line.chars;
    bold_chars += line->line.bold ? line->line.chars : 0;
    block->chars += line->line.chars;
  }
  block->size = std::max_element(sizes.begin(), sizes.end(), [](const auto& a, const auto& b) {
                  return a.second < b.second;
                })->first;
  block->bold = bold_chars * 2 > block->chars;
}

}  // namespace

LayoutStats MeasureLayout(const std::vector<std::vector<PageLine>>& pages) {
  LayoutStats stats;
  std::map<float, long> sizes;
  for (const auto& page : pages) {
    for (const PageLine& line : page) sizes[std::round(line.line.size * 2) / 2] += line.line.chars;
  }
  if (sizes.empty()) return stats;
  stats.body_size = std::max_element(sizes.begin(), sizes.end(), [](const auto& a, const auto& b) {
                      return a.second < b.second;
                    })->first;
  std::vector<float> ratios;
  for (const auto& page : pages) {
    for (size_t i = 1; i < page.size(); ++i) {
      const RawLine& a = page[i - 1].line;
      const RawLine& b = page[i].line;
      if (page[i].cell != page[i - 1].cell || !SameSize(a.size, stats.body_size) ||
          !SameSize(b.size, stats.body_size)) {
        continue;
      }
      const float ratio = (b.baseline - a.baseline) / b.size;
      if (ratio > 0.8f && ratio < 3.0f) ratios.push_back(ratio);
    }
  }
  if (ratios.size() >= 3) {
    // The lower quartile: line pitch inside paragraphs, not the gaps between them.
    auto quartile = ratios.begin() + ratios.size() / 4;
    std::nth_element(ratios.begin(), quartile, ratios.end());
    stats.pitch_ratio = *quartile;
  }
  return stats;
}

std::vector<PendingBlock> BuildBlocks(const std::vector<std::vector<PageLine>>& pages,
                                      const LayoutStats& stats) {
  std::vector<PendingBlock> blocks;
  PendingBlock current;
  const PageLine* prev = nullptr;
  for (size_t p = 0; p < pages.size(); ++p) {
    const int page_number = static_cast<int>(p) + 1;
    if (pages[p].empty()) prev = nullptr;  // a page without text breaks any paragraph
    for (size_t i = 0; i < pages[p].size(); ++i) {
      const PageLine& line = pages[p][i];
      const bool new_page = i == 0;
      bool split = prev == nullptr || line.line.table >= 0 || prev->line.table >= 0;
      if (!split && new_page) split = !ContinuesAcrossBreak(*prev, line);
      if (!split && !new_page) split = StartsNewBlock(current, *prev, line, stats);
      if (split && !current.lines.empty()) {
        FinishBlock(&current);
        blocks.push_back(std::move(current));
        current = PendingBlock();
      }
      AddLine(&current, &line, page_number);
      prev = &line;
    }
  }
  if (!current.lines.empty()) {
    FinishBlock(&current);
    blocks.push_back(std::move(current));
  }
  return blocks;
}

}  // namespace docpipe::pdf
