#include "docpipe/chunker.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "text/chunk_units.h"
#include "text/tokens.h"

namespace docpipe {
namespace {

using text::Unit;
using text::UnitizedDocument;

// Units [begin, end) of one chunk or one section.
struct UnitRange {
  int begin = 0;
  int end = 0;
};

ChunkOptions Sanitize(ChunkOptions options) {
  options.max_tokens = std::max(1, options.max_tokens);
  options.target_tokens = std::clamp(options.target_tokens, 1, options.max_tokens);
  options.min_tokens = std::clamp(options.min_tokens, 0, options.max_tokens);
  options.overlap_tokens = std::clamp(options.overlap_tokens, 0, options.max_tokens - 1);
  return options;
}

int HeadingLevel(const Block& block) { return std::clamp(block.level, 1, 6); }

bool StartsHeading(const Unit& unit) { return unit.heading && unit.block_start; }

// Tokens of the chunk made of `range`, with the table header it repeats.
int Tokens(const std::vector<Unit>& units, UnitRange range) {
  int tokens = units[range.begin].header_tokens;
  for (int i = range.begin; i < range.end; ++i) tokens += units[i].tokens;
  return tokens;
}

// Top-level sections (split before each heading of the document's top heading
// level), with sections smaller than min_tokens joined to their neighbour.
std::vector<UnitRange> Sections(const UnitizedDocument& doc, int min_tokens) {
  const std::vector<Unit>& units = doc.units;
  int top_level = 7;
  for (const Unit& unit : units) {
    if (StartsHeading(unit)) top_level = std::min(top_level, HeadingLevel(*doc.blocks[unit.block]));
  }
  std::vector<UnitRange> sections;
  int64_t tokens = 0;  // of sections.back()
  for (int i = 0; i < static_cast<int>(units.size()); ++i) {
    const Unit& unit = units[i];
    const bool boundary = StartsHeading(unit) && HeadingLevel(*doc.blocks[unit.block]) <= top_level;
    if (sections.empty() || (boundary && tokens >= min_tokens)) {
      sections.push_back({i, i});
      tokens = 0;
    }
    sections.back().end = i + 1;
    tokens += unit.tokens;
  }
  if (sections.size() > 1 && tokens < min_tokens) {  // a tiny last section joins the one before
    sections[sections.size() - 2].end = sections.back().end;
    sections.pop_back();
  }
  return sections;
}

// How well a chunk ending after unit j fits: lower is better.
struct Planner {
  const std::vector<Unit>& units;
  int target;
  int max;  // for planning; overlap added later needs the rest
  int min;

  int64_t Score(int j, int tokens, int section_end) const {
    int64_t score = std::abs(tokens - target);
    const bool next_in_block = j + 1 < section_end && !units[j + 1].block_start;
    if (next_in_block) score += target / 4;           // prefer paragraph breaks to sentence breaks
    if (units[j].heading) score += 4 * int64_t{max};  // a heading belongs with what follows it
    // A table that fits in one chunk stays whole; a longer one is cut between rows.
    if (next_in_block && units[j].table) score += 2 * int64_t{max};
    return score;
  }

  // The end of the chunk that starts at unit `begin`.
  int ChunkEnd(int begin, int section_end) const {
    int tokens = units[begin].header_tokens;
    int best_end = begin + 1;
    int best_tokens = 0;
    int64_t best_score = 0;
    for (int j = begin; j < section_end; ++j) {
      if (j > begin && tokens + units[j].tokens > max) return best_end;
      tokens += units[j].tokens;
      if (j + 1 == section_end) {
        // The rest fits: take it whole unless a good break leaves a real chunk after it.
        const bool take_all = tokens <= target || j == begin || tokens - best_tokens < min;
        return take_all ? section_end : best_end;
      }
      if (StartsHeading(units[j + 1]) && !units[j].heading && tokens >= min) return j + 1;
      const int64_t score = Score(j, tokens, section_end);
      if (j == begin || score < best_score) {
        best_end = j + 1;
        best_tokens = tokens;
        best_score = score;
      }
    }
    return best_end;
  }
};

// Chunks of one section, before overlap, with a small last piece merged back.
void PlanSection(const Planner& planner, UnitRange section, int merge_limit, std::vector<UnitRange>* out) {
  const size_t first = out->size();
  for (int begin = section.begin; begin < section.end;) {
    const int end = planner.ChunkEnd(begin, section.end);
    out->push_back({begin, end});
    begin = end;
  }
  if (out->size() - first >= 2) {
    const UnitRange last = out->back();
    const UnitRange before = (*out)[out->size() - 2];
    const int last_tokens = Tokens(planner.units, last);
    if (last_tokens < planner.min && Tokens(planner.units, before) + last_tokens <= merge_limit) {
      out->pop_back();
      out->back().end = last.end;
    }
  }
}

// Where the overlap taken from chunk `previous` starts: whole units from its end
// while they fit in `budget` tokens, else the last words of its last unit.
// Returns -1 when not even one word fits. *first_unit: the unit the overlap starts in.
// Table rows are never taken: a chunk starting inside a table opens with
// the table's header instead, and the rows before it would need it too.
int64_t OverlapStart(const UnitizedDocument& doc, UnitRange previous, int budget, int* first_unit) {
  const std::vector<Unit>& units = doc.units;
  int tokens = 0;
  int i = previous.end;
  while (i > previous.begin && !units[i - 1].table && tokens + units[i - 1].tokens <= budget) {
    tokens += units[--i].tokens;
  }
  *first_unit = i;
  if (i < previous.end) return units[i].begin;
  *first_unit = previous.end - 1;
  const Unit& last = units[previous.end - 1];
  if (last.table) return -1;
  const std::string_view text = doc.text;
  int64_t start = -1;
  int64_t pos = last.end;
  while (pos > last.begin) {
    int64_t word_begin = pos;
    while (word_begin > last.begin && !text::IsAsciiSpace(text[word_begin - 1])) --word_begin;
    tokens += CountTokens(text.substr(word_begin, pos - word_begin));
    if (tokens > budget) break;
    start = word_begin;
    pos = word_begin;
    while (pos > last.begin && text::IsAsciiSpace(text[pos - 1])) --pos;
  }
  return start;
}

// The header line and delimiter row of the table that a chunk starting at
// unit `first_unit` continues, when the chunk repeats them; else empty.
std::string_view RepeatedHeader(const UnitizedDocument& doc, int first_unit) {
  if (doc.units[first_unit].header_tokens == 0) return {};
  int head = first_unit;
  while (!doc.units[head].block_start) --head;
  const Unit& header = doc.units[head];
  return std::string_view(doc.text).substr(header.begin, header.end - header.begin);
}

// Records the table that `unit` is a row of, once per table.
void AddTable(const UnitizedDocument& doc, const Unit& unit, Chunk* chunk) {
  if (!unit.table) return;
  const int page = doc.block_pages[unit.block];
  const int index = doc.table_indexes[unit.block];
  if (chunk->has_table && chunk->tables.back().page == page && chunk->tables.back().index == index) return;
  chunk->has_table = true;
  const Block& block = *doc.blocks[unit.block];
  chunk->tables.push_back({page, index, block.table ? block.table->caption : std::string()});
}

Chunk MakeChunk(const UnitizedDocument& doc, UnitRange own, int64_t start, int first_unit) {
  const Unit& head = doc.units[own.begin];
  const Block& block = *doc.blocks[head.block];
  Chunk chunk;
  chunk.heading_path = block.heading_path;
  if (StartsHeading(head)) chunk.heading_path.push_back(block.text);
  chunk.char_start = start;
  chunk.char_end = doc.units[own.end - 1].end;
  chunk.table_header = RepeatedHeader(doc, first_unit);
  if (!chunk.table_header.empty()) chunk.text = chunk.table_header + "\n";
  chunk.text.append(doc.text, start, chunk.char_end - start);
  chunk.token_count = CountTokens(chunk.text);
  chunk.page_start = doc.block_pages[doc.units[first_unit].block];
  chunk.page_end = chunk.page_start;
  for (int i = first_unit; i < own.end; ++i) {
    AddTable(doc, doc.units[i], &chunk);
    const int page = doc.block_pages[doc.units[i].block];
    chunk.page_start = std::min(chunk.page_start, page);
    chunk.page_end = std::max(chunk.page_end, page);
  }
  return chunk;
}

}  // namespace

std::vector<Chunk> ChunkDocument(const Document& document, const ChunkOptions& raw_options) {
  const ChunkOptions options = Sanitize(raw_options);
  const UnitizedDocument doc = text::Unitize(document, options.max_tokens);
  const int overlap = options.overlap_tokens;
  // Plan room for the overlap so that it is rarely squeezed out by max_tokens,
  // without letting a large overlap shrink chunks to single sentences.
  const int plan_max = std::max(1, options.max_tokens - overlap);
  const int plan_target =
      std::min(plan_max, std::max(options.target_tokens - overlap, options.target_tokens / 2));
  const Planner planner{doc.units, std::max(1, plan_target), plan_max, options.min_tokens};

  std::vector<Chunk> chunks;
  for (const UnitRange section : Sections(doc, options.min_tokens)) {
    std::vector<UnitRange> plan;
    PlanSection(planner, section, options.max_tokens, &plan);
    for (size_t k = 0; k < plan.size(); ++k) {
      int64_t start = doc.units[plan[k].begin].begin;
      int first_unit = plan[k].begin;
      const int budget = std::min(overlap, options.max_tokens - Tokens(doc.units, plan[k]));
      // A chunk that opens with a heading starts a new topic: no tail of the
      // previous one; one that opens with a table's header has its context.
      const Unit& opening = doc.units[plan[k].begin];
      if (k > 0 && budget > 0 && !StartsHeading(opening) && opening.header_tokens == 0) {
        int overlap_unit = 0;
        const int64_t overlap_start = OverlapStart(doc, plan[k - 1], budget, &overlap_unit);
        if (overlap_start >= 0) {
          start = overlap_start;
          first_unit = overlap_unit;
        }
      }
      chunks.push_back(MakeChunk(doc, plan[k], start, first_unit));
      chunks.back().ordinal = static_cast<int>(chunks.size()) - 1;
    }
  }
  return chunks;
}

}  // namespace docpipe
