#include "pdf/table_placement.h"

#include "docpipe/render.h"
#include "pdf/text_rules.h"

namespace docpipe::pdf {
namespace {

Block TableBlock(const RawTable& raw, int page) {
  Block block;
  block.type = BlockType::kTable;
  block.page = page;
  block.bbox = raw.bbox;
  block.table = raw.table;
  block.text = RenderTableMarkdown(*raw.table);
  return block;
}

void SetTable(Block* block, Table table) {
  block->text = RenderTableMarkdown(table);
  block->table = std::make_shared<const Table>(std::move(table));
}

// A table caption right before the table is attached; one right after it is
// attached and moved before it, so the caption always reads first.
void AttachCaptions(std::vector<Block>* blocks) {
  for (size_t i = 0; i < blocks->size(); ++i) {
    Block& block = (*blocks)[i];
    if (block.type != BlockType::kTable || !block.table) continue;
    size_t caption = blocks->size();
    if (i > 0 && (*blocks)[i - 1].type == BlockType::kCaption && IsTableCaption((*blocks)[i - 1].text)) {
      caption = i - 1;
    } else if (i + 1 < blocks->size() && (*blocks)[i + 1].type == BlockType::kCaption &&
               (*blocks)[i + 1].page == block.page && IsTableCaption((*blocks)[i + 1].text)) {
      std::swap((*blocks)[i], (*blocks)[i + 1]);
      caption = i++;
    }
    if (caption == blocks->size()) continue;
    Block& table_block = (*blocks)[i];
    Table table = *table_block.table;
    table.caption = (*blocks)[caption].text;
    SetTable(&table_block, std::move(table));
  }
}

// Text of one grid row, cell by cell, for comparing header rows.
std::vector<std::string> RowTexts(const Table& table, int row) {
  std::vector<std::string> texts(table.cols);
  for (const TableCell& cell : table.cells) {
    if (cell.row == row && cell.col < table.cols) texts[cell.col] = cell.text;
  }
  return texts;
}

// A table that is the first block of its page, after a table that was the
// last block of the page before, with as many columns, continues it; a first
// row that repeats the earlier table's header is a header again.
void MarkContinuations(std::vector<Block>* blocks) {
  for (size_t i = 1; i < blocks->size(); ++i) {
    const Block& prev = (*blocks)[i - 1];
    Block& next = (*blocks)[i];
    if (next.type != BlockType::kTable || prev.type != BlockType::kTable || !next.table || !prev.table ||
        next.page != prev.page + 1 || next.table->cols != prev.table->cols) {
      continue;
    }
    Table table = *next.table;
    table.continued = true;
    if (prev.table->header_rows > 0 && table.header_rows == 0 && table.rows > 1 &&
        RowTexts(table, 0) == RowTexts(*prev.table, 0)) {
      table.header_rows = 1;
      for (TableCell& cell : table.cells) cell.header = cell.row == 0;
    }
    SetTable(&next, std::move(table));
  }
}

}  // namespace

void AddTablePlaceholders(RawPage* page) {
  for (size_t t = 0; t < page->tables.size(); ++t) {
    RawLine line;
    line.bbox = page->tables[t].bbox;
    line.baseline = line.bbox.y1;
    line.table = static_cast<int>(t);
    page->lines.push_back(std::move(line));
  }
}

void PlaceTables(const std::vector<PendingBlock>& pending, const std::vector<RawPage>& pages,
                 std::vector<Block>* blocks) {
  bool any = false;
  for (size_t i = 0; i < pending.size(); ++i) {
    const int table = pending[i].lines.front()->line.table;
    if (table < 0) continue;
    (*blocks)[i] = TableBlock(pages[pending[i].page - 1].tables[table], pending[i].page);
    any = true;
  }
  if (!any) return;
  AttachCaptions(blocks);
  MarkContinuations(blocks);
}

}  // namespace docpipe::pdf
