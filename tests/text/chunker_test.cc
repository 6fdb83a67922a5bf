#include "docpipe/chunker.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "chunk_test_util.h"
#include "docpipe/render.h"

namespace docpipe {
namespace {

using test_docs::Heading;
using test_docs::Paragraph;
using test_docs::TextBlock;

// "Sk w1 w2 ... ." with exactly `tokens` tokens (words and the period).
std::string Sentence(int k, int tokens) {
  std::string text = "S" + std::to_string(k);
  for (int i = 1; i < tokens - 1; ++i) text += " w" + std::to_string(i);
  return text + ".";
}

std::string Sentences(int first, int count, int tokens) {
  std::string text;
  for (int k = first; k < first + count; ++k) text += (text.empty() ? "" : " ") + Sentence(k, tokens);
  return text;
}

Document Pages(std::vector<std::vector<Block>> pages) {
  Document document;
  for (size_t i = 0; i < pages.size(); ++i) {
    Page page;
    page.number = static_cast<int>(i) + 1;
    for (Block& block : pages[i]) {
      block.page = page.number;
      page.blocks.push_back(std::move(block));
    }
    document.pages.push_back(std::move(page));
  }
  return document;
}

void ExpectOffsetsHold(const Document& document, const std::vector<Chunk>& chunks) {
  const std::string text = DocumentText(document);
  for (const Chunk& chunk : chunks) {
    const std::string repeated = chunk.table_header.empty() ? "" : chunk.table_header + "\n";
    EXPECT_EQ(chunk.text, repeated + text.substr(chunk.char_start, chunk.char_end - chunk.char_start));
    EXPECT_EQ(chunk.token_count, CountTokens(chunk.text));
  }
}

// A table of `rows` rows (header rows included) whose cells read "rR cC",
// or `header_text` in the header rows' cells when given.
Block TableBlock(int rows, int header_rows = 1, const std::string& header_text = "") {
  Table table;
  table.rows = rows;
  table.cols = 3;
  table.header_rows = header_rows;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < 3; ++c) {
      TableCell cell;
      cell.row = r, cell.col = c;
      cell.text = "r" + std::to_string(r) + " c" + std::to_string(c);
      if (r < header_rows && !header_text.empty()) cell.text = header_text;
      table.cells.push_back(cell);
    }
  }
  Block block = TextBlock(BlockType::kTable, RenderTableMarkdown(table));
  block.table = std::make_shared<const Table>(std::move(table));
  return block;
}

TEST(ChunkerTest, TableThatFitsStaysWholeInOneChunk) {
  const Block table = TableBlock(6);
  const int table_tokens = CountTokens(table.text);
  const Document document = Pages({{Paragraph(Sentences(0, 3, 10)), table, Paragraph(Sentences(3, 3, 10))}});
  // The target would cut inside the table; max leaves room for it whole.
  const std::vector<Chunk> chunks = ChunkDocument(document, {40, table_tokens + 5, 0, 10});
  int holding = 0;
  for (const Chunk& chunk : chunks) {
    const bool some_row = chunk.text.find("| r2 c0 |") != std::string::npos;
    if (some_row) {
      EXPECT_NE(chunk.text.find(table.text), std::string::npos) << chunk.text;
    }
    // Whole in the chunk: no header to carry beside it.
    EXPECT_EQ(chunk.has_table, some_row) << chunk.text;
    EXPECT_EQ(chunk.table_header, "");
    holding += some_row;
  }
  EXPECT_EQ(holding, 1);
  ExpectOffsetsHold(document, chunks);
}

// The table's header line and delimiter row.
std::string HeaderOf(const Block& table) {
  return table.text.substr(0, table.text.find('\n', table.text.find('\n') + 1));
}

// The body rows of `text` (a table's Markdown, or a chunk of one), one a line.
std::vector<std::string> BodyRows(const std::string& text) {
  std::vector<std::string> rows;
  size_t begin = 0;
  int line = 0;
  while (begin <= text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    if (line++ >= 2) rows.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return rows;
}

TEST(ChunkerTest, TableLongerThanMaxIsCutBetweenRowsAndEachPieceRepeatsTheHeader) {
  const Block table = TableBlock(60);
  const Document document = Pages({{table}});
  const int max_tokens = 80;
  const std::vector<Chunk> chunks = ChunkDocument(document, {60, max_tokens, 0, 10});
  ASSERT_GT(chunks.size(), 2u);
  const std::string header = HeaderOf(table);
  EXPECT_EQ(header, "| r0 c0 | r0 c1 | r0 c2 |\n| --- | --- | --- |");
  std::vector<std::string> rows;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& chunk = chunks[i];
    EXPECT_TRUE(chunk.has_table);
    // Every piece is a pipe table with the column names: it opens with the header.
    EXPECT_EQ(chunk.text.rfind(header + "\n", 0), 0u) << i << ": " << chunk.text;
    EXPECT_EQ(chunk.text.back(), '|') << chunk.text;
    // The repeated header is counted against the budget.
    EXPECT_LE(chunk.token_count, max_tokens) << i;
    EXPECT_EQ(chunk.table_header, i == 0 ? "" : header) << i;
    for (std::string& row : BodyRows(chunk.text)) rows.push_back(std::move(row));
  }
  // The body rows, each once, in order: no row lost or repeated.
  EXPECT_EQ(rows, BodyRows(table.text));
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, SeveralHeaderRowsAreRepeatedAsTheirOneHeaderLine) {
  const Block table = TableBlock(40, 2);
  const std::string header = HeaderOf(table);
  EXPECT_EQ(header, "| r0 c0 r1 c0 | r0 c1 r1 c1 | r0 c2 r1 c2 |\n| --- | --- | --- |");
  const std::vector<Chunk> chunks = ChunkDocument(Pages({{table}}), {50, 70, 0, 10});
  ASSERT_GT(chunks.size(), 1u);
  for (size_t i = 1; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].text.rfind(header + "\n| r", 0), 0u) << chunks[i].text;
    EXPECT_LE(chunks[i].token_count, 70);
  }
}

TEST(ChunkerTest, HeaderOverHalfTheBudgetIsNotRepeated) {
  // A header of three 12-word cells: more than half of the 80 tokens.
  const Block table = TableBlock(40, 1, "a b c d e f g h i j k l");
  const std::string header = HeaderOf(table);
  ASSERT_GT(2 * CountTokens(header), 80);
  const Document document = Pages({{table}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {60, 80, 0, 10});
  ASSERT_GT(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].text.rfind(header + "\n", 0), 0u);
  for (size_t i = 1; i < chunks.size(); ++i) {
    // Rows alone, so that they get most of the budget.
    EXPECT_EQ(chunks[i].table_header, "");
    EXPECT_EQ(chunks[i].text.rfind("| r", 0), 0u) << chunks[i].text;
    EXPECT_LE(chunks[i].token_count, 80);
    EXPECT_TRUE(chunks[i].has_table);
  }
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, RowTooLongBesideTheRepeatedHeaderIsCutToFitIt) {
  Block table = TableBlock(12);
  const std::string header = HeaderOf(table);
  const int header_tokens = CountTokens(header);
  // One body row of 60 words: more than max - header, less than max.
  std::string long_cell;
  for (int i = 0; i < 60; ++i) long_cell += (long_cell.empty() ? "w" : " w") + std::to_string(i);
  const std::string long_row = "| " + long_cell + " | x | y |";
  table.text += "\n" + long_row;
  const int max_tokens = 80;
  ASSERT_GT(CountTokens(long_row) + header_tokens, max_tokens);
  ASSERT_LT(CountTokens(long_row), max_tokens);
  const Document document = Pages({{table}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {60, max_tokens, 0, 10});
  ASSERT_GT(chunks.size(), 1u);
  for (size_t i = 1; i < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].table_header, header);
    EXPECT_LE(chunks[i].token_count, max_tokens) << chunks[i].text;
  }
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, OverlapRepeatsNoTableRows) {
  const Block table = TableBlock(30);
  const Document document =
      Pages({{Paragraph(Sentences(0, 4, 10)), table, Paragraph(Sentences(4, 8, 10))}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {60, 80, 20, 10});
  ASSERT_GT(chunks.size(), 3u);
  for (const Chunk& chunk : chunks) {
    // A piece that opens with the header takes no overlap: it starts at a row.
    if (!chunk.table_header.empty()) {
      EXPECT_EQ(chunk.text.rfind(chunk.table_header + "\n| r", 0), 0u);
    }
  }
  // Each body row in one chunk, though chunks overlap.
  for (int r = 1; r < 30; ++r) {
    const std::string row = "| r" + std::to_string(r) + " c0 |";
    int holding = 0;
    for (const Chunk& chunk : chunks) holding += chunk.text.find(row) != std::string::npos;
    EXPECT_EQ(holding, 1) << row;
  }
  ExpectOffsetsHold(document, chunks);
}

Block CaptionedTable(int rows, const std::string& caption) {
  Block block = TableBlock(rows);
  Table table = *block.table;
  table.caption = caption;
  block.table = std::make_shared<const Table>(std::move(table));
  return block;
}

TEST(ChunkerTest, ChunksNameTheTablesTheyHoldByPagePlaceAndCaption) {
  const Document document = Pages({
      {Paragraph(Sentences(0, 2, 10)), CaptionedTable(3, "Table 1: Small."), Paragraph(Sentences(2, 1, 10)),
       TableBlock(3)},
      {Paragraph(Sentences(3, 1, 10)), CaptionedTable(40, "Table 2: Long.")},
  });
  const std::vector<Chunk> chunks = ChunkDocument(document, {200, 240, 0, 10});
  ASSERT_GT(chunks.size(), 2u);
  // The first chunk holds page 1 whole: two tables, the first with a caption.
  EXPECT_EQ(chunks[0].tables, (std::vector<ChunkTable>{{1, 1, "Table 1: Small."}, {1, 2, ""}}));
  int pieces = 0;
  for (size_t i = 1; i < chunks.size(); ++i) {
    const std::vector<ChunkTable> expected =
        chunks[i].has_table ? std::vector<ChunkTable>{{2, 1, "Table 2: Long."}} : std::vector<ChunkTable>{};
    EXPECT_EQ(chunks[i].tables, expected) << i;
    pieces += chunks[i].has_table;
  }
  EXPECT_GE(pieces, 2);
  const std::vector<Chunk> prose = ChunkDocument(Pages({{Paragraph(Sentences(0, 2, 10))}}), {});
  ASSERT_EQ(prose.size(), 1u);
  EXPECT_TRUE(prose[0].tables.empty());
}

TEST(ChunkerTest, EmptyDocumentsGiveNoChunks) {
  EXPECT_TRUE(ChunkDocument(Document{}, {}).empty());
  EXPECT_TRUE(ChunkDocument(Pages({{}, {Paragraph("")}, {Paragraph(" \n ")}}), {}).empty());
}

TEST(ChunkerTest, SmallDocumentIsOneChunkWithPathAndPages) {
  const Document document = Pages({
      {Heading("Guide", 1), Paragraph("First part. Still first.", {"Guide"})},
      {},  // a page without blocks contributes nothing
      {Paragraph("Last words here.", {"Guide"})},
  });
  const std::vector<Chunk> chunks = ChunkDocument(document, {});
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].ordinal, 0);
  EXPECT_EQ(chunks[0].text, "Guide\n\nFirst part. Still first.\n\nLast words here.");
  EXPECT_EQ(chunks[0].heading_path, (std::vector<std::string>{"Guide"}));
  EXPECT_EQ(chunks[0].page_start, 1);
  EXPECT_EQ(chunks[0].page_end, 3);
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, BreaksAtSentenceEndsNearTarget) {
  // 20 sentences of 10 tokens in one paragraph; target 50, max 60.
  const Document document = Pages({{Paragraph(Sentences(0, 20, 10))}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {50, 60, 0, 10});
  ASSERT_EQ(chunks.size(), 4u);
  for (size_t k = 0; k < chunks.size(); ++k) {
    EXPECT_EQ(chunks[k].token_count, 50);
    EXPECT_EQ(chunks[k].text.substr(0, chunks[k].text.find(' ')), "S" + std::to_string(k * 5));
    EXPECT_EQ(chunks[k].text.back(), '.');
  }
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, PrefersParagraphBreaksOverSentenceBreaks) {
  // Paragraphs of 30 and 30 tokens: the break between them (60) beats a sentence break at 50.
  const Document document = Pages(
      {{Paragraph(Sentences(0, 3, 10)), Paragraph(Sentences(3, 3, 10)), Paragraph(Sentences(6, 3, 10))}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {50, 80, 0, 10});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].token_count, 60);
  EXPECT_EQ(chunks[1].text, Sentences(6, 3, 10));
}

TEST(ChunkerTest, HeadingsStartChunksAndExtendThePath) {
  const Document document = Pages({{
      Heading("Manual", 1),
      Paragraph(Sentences(0, 3, 10), {"Manual"}),
      Heading("Install", 2, {"Manual"}),
      Paragraph(Sentences(3, 3, 10), {"Manual", "Install"}),
      Paragraph(Sentences(6, 1, 10), {"Manual", "Install"}),
  }});
  const std::vector<Chunk> chunks = ChunkDocument(document, {100, 120, 0, 20});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].heading_path, (std::vector<std::string>{"Manual"}));
  EXPECT_EQ(chunks[0].text, "Manual\n\n" + Sentences(0, 3, 10));
  EXPECT_EQ(chunks[1].heading_path, (std::vector<std::string>{"Manual", "Install"}));
  EXPECT_EQ(chunks[1].text.substr(0, 9), "Install\n\n");
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, ChunkInsideASectionCarriesItsBlockPath) {
  const Document document = Pages({{
      Heading("Part", 1),
      Paragraph(Sentences(0, 10, 10), {"Part"}),
  }});
  const std::vector<Chunk> chunks = ChunkDocument(document, {50, 60, 0, 10});
  ASSERT_GE(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].heading_path, (std::vector<std::string>{"Part"}));
  EXPECT_EQ(chunks[1].heading_path, (std::vector<std::string>{"Part"}));
  EXPECT_EQ(chunks[1].text[0], 'S');
}

TEST(ChunkerTest, NeverCrossesATopLevelSectionUnlessTiny) {
  const Document document = Pages({{
      Heading("Title", 1),  // a tiny section of its own: joins the next one
      Heading("One", 1), Paragraph(Sentences(0, 3, 10), {"One"}), Heading("Two", 1),
      Paragraph(Sentences(3, 3, 10), {"Two"}), Heading("Three", 1),
      Paragraph("Tiny end.", {"Three"}),  // a tiny last section: joins the one before
  }});
  const std::vector<Chunk> chunks = ChunkDocument(document, {300, 400, 0, 20});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].text, "Title\n\nOne\n\n" + Sentences(0, 3, 10));
  EXPECT_EQ(chunks[0].heading_path, (std::vector<std::string>{"Title"}));
  EXPECT_EQ(chunks[1].text, "Two\n\n" + Sentences(3, 3, 10) + "\n\nThree\n\nTiny end.");
  EXPECT_EQ(chunks[1].heading_path, (std::vector<std::string>{"Two"}));
}

TEST(ChunkerTest, TopLevelIsTheHighestHeadingLevelPresent) {
  const Document document = Pages({{
      Heading("A", 2),
      Paragraph(Sentences(0, 3, 10), {"A"}),
      Heading("B", 2),
      Paragraph(Sentences(3, 3, 10), {"B"}),
  }});
  const std::vector<Chunk> chunks = ChunkDocument(document, {300, 400, 0, 20});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].heading_path, (std::vector<std::string>{"B"}));
}

TEST(ChunkerTest, SmallTrailingPieceMergesIntoThePreviousChunk) {
  // A subsection of 5 tokens at the end would be a chunk of its own after the heading break.
  const Document document = Pages({{
      Heading("Doc", 1),
      Paragraph(Sentences(0, 4, 10), {"Doc"}),
      Heading("Notes", 2, {"Doc"}),
      Paragraph("Short note.", {"Doc", "Notes"}),
  }});
  const std::vector<Chunk> merged = ChunkDocument(document, {100, 120, 0, 20});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].text.substr(merged[0].text.size() - 11), "Short note.");
  // Not when the merge would exceed max_tokens.
  const std::vector<Chunk> separate = ChunkDocument(document, {40, 42, 0, 20});
  ASSERT_GE(separate.size(), 2u);
  EXPECT_EQ(separate.back().text, "Notes\n\nShort note.");
  EXPECT_EQ(separate.back().heading_path, (std::vector<std::string>{"Doc", "Notes"}));
}

TEST(ChunkerTest, SentenceLongerThanMaxSplitsAtWords) {
  std::string sentence = "Start";
  for (int i = 0; i < 999; ++i) sentence += " word" + std::to_string(i % 10);
  sentence += ".";
  const Document document = Pages({{Paragraph(sentence)}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {80, 100, 0, 10});
  ASSERT_GE(chunks.size(), 11u);
  std::string joined;
  for (const Chunk& chunk : chunks) {
    EXPECT_LE(chunk.token_count, 100);
    EXPECT_NE(chunk.text.front(), ' ');
    EXPECT_NE(chunk.text.back(), ' ');
    const size_t end = static_cast<size_t>(chunk.char_end);
    EXPECT_TRUE(end == sentence.size() || sentence[end] == ' ') << "cut inside a word at " << end;
    joined += (joined.empty() ? "" : " ") + chunk.text;
  }
  EXPECT_EQ(joined, sentence);
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, WordLongerThanMaxSplitsAtTokenBoundaries) {
  const std::string word(4000, 'x');  // 500 tokens of 8 letters
  const Document document = Pages({{Paragraph("Before. " + word + " after.")}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {50, 64, 0, 0});
  int total = 0;
  for (const Chunk& chunk : chunks) {
    EXPECT_LE(chunk.token_count, 64);
    total += chunk.token_count;
  }
  EXPECT_EQ(total, CountTokens(DocumentText(document)));
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, OverlapRepeatsWholeSentencesFromThePreviousChunk) {
  const Document document = Pages({{Paragraph(Sentences(0, 20, 10))}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {50, 60, 20, 10});
  ASSERT_GE(chunks.size(), 3u);
  for (size_t k = 1; k < chunks.size(); ++k) {
    const Chunk& previous = chunks[k - 1];
    const Chunk& chunk = chunks[k];
    ASSERT_LT(chunk.char_start, previous.char_end);
    const std::string repeated = chunk.text.substr(0, previous.char_end - chunk.char_start);
    EXPECT_EQ(repeated, previous.text.substr(previous.text.size() - repeated.size()));
    EXPECT_EQ(CountTokens(repeated), 20);  // two whole 10-token sentences
    EXPECT_EQ(repeated[0], 'S');
    EXPECT_LE(chunk.token_count, 60);
  }
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, OverlapFallsBackToWordsWhenASentenceIsTooLong) {
  // Sentences of 30 tokens, overlap of 5: the last five words (tokens) of the previous chunk.
  const Document document = Pages({{Paragraph(Sentences(0, 6, 30))}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {60, 70, 5, 10});
  ASSERT_GE(chunks.size(), 2u);
  const Chunk& previous = chunks[0];
  const Chunk& chunk = chunks[1];
  const std::string repeated = chunk.text.substr(0, previous.char_end - chunk.char_start);
  EXPECT_EQ(CountTokens(repeated), 5);
  EXPECT_EQ(repeated, previous.text.substr(previous.text.size() - repeated.size()));
  EXPECT_EQ(repeated.front(), 'w');  // starts at a word
  ExpectOffsetsHold(document, chunks);
}

TEST(ChunkerTest, OverlapStaysInsideTopLevelSections) {
  const Document document = Pages({{
      Heading("A", 1),
      Paragraph(Sentences(0, 6, 10), {"A"}),
      Heading("B", 1),
      Paragraph(Sentences(6, 6, 10), {"B"}),
  }});
  const std::vector<Chunk> chunks = ChunkDocument(document, {200, 300, 20, 10});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].text.substr(0, 3), "B\n\n");
}

TEST(ChunkerTest, NoOverlapBeforeAChunkThatOpensWithAHeading) {
  const Document document = Pages({{
      Heading("A", 1),
      Paragraph(Sentences(0, 6, 10), {"A"}),
      Heading("Sub", 2, {"A"}),
      Paragraph(Sentences(6, 6, 10), {"A", "Sub"}),
  }});
  const std::vector<Chunk> chunks = ChunkDocument(document, {200, 300, 20, 10});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].text.substr(0, 5), "Sub\n\n");
  EXPECT_EQ(chunks[1].char_start, chunks[0].char_end + 2);
}

TEST(ChunkerTest, DegenerateOptionsAreClamped) {
  const Document document = Pages({{Paragraph("Hello, world! Fine.")}});
  const std::vector<Chunk> chunks = ChunkDocument(document, {0, 0, 5, -3});
  ASSERT_EQ(chunks.size(), 6u);  // one token per chunk
  for (const Chunk& chunk : chunks) EXPECT_EQ(chunk.token_count, 1);
  ExpectOffsetsHold(document, chunks);

  constexpr int kHuge = std::numeric_limits<int>::max();
  const std::vector<Chunk> huge = ChunkDocument(document, {kHuge, kHuge, kHuge, kHuge});
  ASSERT_FALSE(huge.empty());
  EXPECT_EQ(huge.back().char_end, static_cast<int64_t>(DocumentText(document).size()));
  ExpectOffsetsHold(document, huge);
}

TEST(ChunkerTest, LargeDocumentChunksCompletely) {
  // 500k tokens over 1,000 pages; a quadratic pass would not finish here.
  Document document;
  for (int p = 1; p <= 1000; ++p) {
    Page page;
    page.number = p;
    for (int b = 0; b < 5; ++b) page.blocks.push_back(Paragraph(Sentences(p * 5 + b, 5, 20)));
    page.blocks.front().page = p;
    document.pages.push_back(std::move(page));
  }
  const std::vector<Chunk> chunks = ChunkDocument(document, {});
  ASSERT_FALSE(chunks.empty());
  int64_t tokens = 0;
  for (const Chunk& chunk : chunks) tokens += chunk.token_count;
  EXPECT_EQ(tokens, 1000 * 5 * 5 * 20);
  EXPECT_EQ(chunks.back().page_end, 1000);
  EXPECT_EQ(chunks.back().char_end, static_cast<int64_t>(DocumentText(document).size()));
}

}  // namespace
}  // namespace docpipe
