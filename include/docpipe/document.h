// The document model that flows through every stage:
// Document -> Pages -> Blocks, and the Chunks cut from them.
//
// Plain value types: build on one thread, then share read-only or move.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace docpipe {

// A box in PDF points, origin top-left (MuPDF's convention), x0 < x1, y0 < y1.
struct BBox {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  float width() const { return x1 - x0; }
  float height() const { return y1 - y0; }
};

// kCode: preformatted text (HTML <pre>, a DOCX code style, a Markdown fence)
// whose line breaks and leading indentation are part of its meaning.
enum class BlockType { kHeading, kParagraph, kListItem, kTable, kCaption, kCode };

// One cell of a table. A spanning cell sits at its top-left position and
// covers row_span x col_span grid positions; covered positions have no cell.
struct TableCell {
  int row = 0, col = 0;  // 0-based grid position of the top-left corner
  int row_span = 1, col_span = 1;
  std::string text;      // NFC, lines joined with spaces
  BBox bbox;             // zero for formats without geometry (HTML, DOCX)
  bool header = false;   // in a header row, or a <th>
};

// A table's structure. The Block that holds it has type kTable and, as its
// text, the table's GitHub-flavoured Markdown rendering (RenderTableMarkdown),
// so chunks, search and DocumentText() see the table as Markdown rows.
struct Table {
  int rows = 0, cols = 0;
  int header_rows = 0;           // leading rows that are headers
  std::vector<TableCell> cells;  // row-major by top-left position
  std::string caption;           // "Table 3: ..." when one was found; also a kCaption block
  bool continued = false;        // continues the previous table (cut by a page break)
  // Degrees the table is printed turned counter-clockwise on its page: 0, or
  // 90 (its text reads upwards, as LaTeX's sidewaystable), 180, 270.
  int rotation = 0;
};

// Where a block's text came from.
enum class TextSource { kDigital, kOcr };

struct Block {
  BlockType type = BlockType::kParagraph;
  std::string text;  // NFC, ligatures expanded, hyphenated line breaks joined
  int level = 0;     // heading: 1 (top) .. 6; list item: nesting depth from 0
  bool ordered = false;  // list item: numbered ("1.", "a)") rather than bulleted
  int page = 0;          // 1-based page number
  BBox bbox;
  std::vector<std::string> heading_path;  // enclosing headings, outermost first
  TextSource source = TextSource::kDigital;
  float confidence = 1.0f;  // 1 for digital text; OCR mean word confidence in [0, 1]
  std::shared_ptr<const Table> table;  // set for kTable blocks that have a structure; immutable once built
};

enum class PageKind { kDigital, kScanned, kMixed, kEmpty };

// One recognised word, with where it is and how sure the recogniser was.
struct OcrWord {
  std::string text;  // UTF-8
  BBox bbox;
  float confidence = 0;  // [0, 1]
};

// What OCR left out of a page, and why; summed into the run report.
struct OcrCounts {
  int pictures_read = 0;          // pictures of a digital page recognised (--ocr auto)
  int pictures_small = 0;         // too small to hold text worth indexing (icons, bullets)
  int pictures_not_text = 0;      // failed the text-likeness test (photos, diagrams)
  int pictures_other_script = 0;  // text in a script the loaded languages do not read
  int words_dropped = 0;          // words on pictures below OcrOptions::min_word_confidence
};

struct Page {
  int number = 0;  // 1-based
  float width = 0, height = 0;
  PageKind kind = PageKind::kDigital;
  bool needs_ocr = false;  // no usable text layer; recognised by the OCR stage when enabled
  std::string error;       // non-empty when this page failed alone (e.g. "timeout: ...")
  float ocr_confidence = -1.0f;  // mean OCR confidence in [0, 1]; -1 when not OCR'd
  OcrCounts ocr_counts;
  // Non-empty: the page's text is in this script (Tesseract's OSD name, e.g.
  // "Han"), which the loaded languages do not read; it was not recognised.
  std::string ocr_unread_script;
  // Words OCR read on pictures below OcrOptions::min_word_confidence, in PDF points and
  // reading order: kept for whoever wants them (JSON), out of the blocks and
  // so out of the text, chunks and index.
  std::vector<OcrWord> low_confidence_words;
  std::vector<Block> blocks;     // in reading order
};

struct DocumentMetadata {
  std::string title;  // from the PDF's metadata, else the first heading
  std::string author;
  std::string producer;
  std::string creator;
  // When the document was made and last changed, as the file states them
  // (PDF info dictionary, DOCX core properties, EPUB package, HTML <meta>),
  // in ISO 8601: "2024-03-05" or "2024-03-05T10:20:30Z" (or with an offset).
  // Empty when the file does not say or says something unreadable.
  std::string created;
  std::string modified;
  int page_count = 0;
};

enum class DocumentKind { kDigital, kScanned, kMixed, kText };

// Seconds spent per stage on one document; summed into the run report.
struct StageSeconds {
  double open = 0, extract = 0, structure = 0, chunk = 0, embed = 0, store = 0;
  double render = 0, ocr = 0;  // scanned pages: drawing them for OCR, and recognising them
};

struct Document {
  std::string path;
  DocumentMetadata metadata;
  DocumentKind kind = DocumentKind::kDigital;
  std::vector<Page> pages;
  StageSeconds seconds;
};

// A table a chunk holds rows of: where it is, so that a search hit can say
// which table it came from.
struct ChunkTable {
  int page = 0;          // 1-based page the table is on
  int index = 0;         // 1-based place among the tables of that page, in reading order
  std::string caption;   // Table::caption; empty when the table has none
  bool operator==(const ChunkTable&) const = default;
};

// A piece of a document sized for retrieval and embedding.
struct Chunk {
  int ordinal = 0;  // 0-based position within its document
  std::string text;
  std::vector<std::string> heading_path;
  int page_start = 0, page_end = 0;  // 1-based, inclusive
  int token_count = 0;
  // Byte offsets into DocumentText(document) of what the chunk holds of it:
  // text == DocumentText(document).substr(char_start, char_end - char_start),
  // with the table header repeated before it when table_header is not empty:
  // text == table_header + "\n" + DocumentText(document).substr(...).
  int64_t char_start = 0, char_end = 0;
  // Holds rows of a table block (all of it, or the rows of one piece of a
  // table cut between rows).
  bool has_table = false;
  // A piece of a table cut between rows that does not start with the table:
  // the Markdown of the table's header rows (header line and delimiter row),
  // which `text` repeats at its start so that the piece is a pipe table with
  // its column names (docs/tables.md). Empty otherwise, and for a table whose
  // header takes more than half of max_tokens (not repeated).
  std::string table_header;
  // The tables it holds rows of, in reading order (empty when !has_table).
  std::vector<ChunkTable> tables;
};

std::string_view BlockTypeName(BlockType type);      // "heading", "paragraph", ..., "code"
std::string_view PageKindName(PageKind kind);        // "digital", "scanned", "mixed", "empty"
std::string_view DocumentKindName(DocumentKind kind);

// The document's plain text: block texts in reading order joined by "\n\n".
// Chunk offsets refer to this string; `docpipe convert --to text` prints it.
std::string DocumentText(const Document& document);

}  // namespace docpipe
