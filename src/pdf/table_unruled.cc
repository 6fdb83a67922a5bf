#include "pdf/table_unruled.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>

#include "pdf/reading_order.h"
#include "pdf/table_builder.h"

namespace docpipe::pdf {
namespace {

// Consecutive rows of one table are at most this many font sizes apart
// (centre to centre); a wider gap ends the table.
constexpr float kMaxRowPitch = 2.2f;
// Cells are short: the median cell of a table, and of each of its columns,
// has at most this many words (prose columns have many more).
constexpr int kMaxMedianCellWords = 3;
constexpr int kMaxColumnMedianWords = 5;
// At least this share of a column's cells share an edge, centre or point.
constexpr float kMinAlignedShare = 0.6f;
// Edges within this many font sizes of each other are aligned.
constexpr float kAlignTolerance = 0.3f;
// Words this many font sizes apart are in different page columns (as the
// page's lines are split, page_extractor.cc), when gutters are looked for.
constexpr float kFragmentGap = 1.5f;
// Lines this many font sizes above or below a table found in one column
// tell whether that column is one of the page's (InOneColumn).
constexpr float kColumnCheckReach = 3.0f;
// Prose beside a table runs to at least this many words a line (median).
constexpr int kMinProseWords = 5;
// A page with more gutters than this is a form or a chart, not columns of text.
constexpr size_t kMaxGutters = 4;
// A block of at least this many rows whose cells run in alphabetical order,
// row by row or column by column, at least this often is one list set in
// columns (IsListInColumns).
constexpr int kMinListRows = 5;
constexpr float kMinListOrder = 0.8f;

struct Row {
  const std::vector<TextRun>* words = nullptr;
  float size = 0, centre = 0;
  bool candidate = false;  // split by a column gap, no leaders, not code
};

bool IsDots(std::string_view text) {
  return !text.empty() && text.find_first_not_of(".\xC2\xB7") == std::string_view::npos;
}

// Dot leaders: ". . . ." as separate words, or a run of dots inside one.
bool HasLeaders(const std::vector<TextRun>& words) {
  int dot_words = 0;
  for (const TextRun& w : words) {
    dot_words += IsDots(w.text);
    if (w.text.find("....") != std::string::npos ||
        w.text.find("\xE2\x80\xA6\xE2\x80\xA6") != std::string::npos) {
      return true;
    }
  }
  return dot_words >= 3;
}

Row Describe(const std::vector<TextRun>& words) {
  Row row;
  row.words = &words;
  std::vector<float> sizes;
  int chars = 0, mono = 0;
  for (const TextRun& w : words) sizes.push_back(w.size), chars += w.chars, mono += w.mono;
  std::nth_element(sizes.begin(), sizes.begin() + sizes.size() / 2, sizes.end());
  row.size = std::max(sizes[sizes.size() / 2], 1.0f);
  row.centre = 0.5f * (words.front().box.y0 + words.front().box.y1);
  bool split = false;
  for (size_t i = 1; i < words.size(); ++i) {
    split |= words[i].box.x0 - words[i - 1].box.x1 >= kUnruledColumnGap * row.size;
  }
  row.candidate = split && mono * 2 <= chars && !HasLeaders(words);
  return row;
}

// How many of the columns cut at `bounds` hold words of `row`.
int ColumnsUsed(const std::vector<TextRun>& row, const std::vector<float>& bounds) {
  std::vector<bool> used(bounds.size() + 1, false);
  for (const TextRun& w : row) {
    const float centre = 0.5f * (w.box.x0 + w.box.x1);
    used[std::upper_bound(bounds.begin(), bounds.end(), centre) - bounds.begin()] = true;
  }
  return static_cast<int>(std::count(used.begin(), used.end(), true));
}

std::vector<float> Bounds(const std::vector<Row>& rows, size_t first, size_t last, float size) {
  std::vector<const std::vector<TextRun>*> block;
  for (size_t i = first; i <= last; ++i) block.push_back(rows[i].words);
  return ColumnBoundaries(block, kUnruledColumnGap * size);
}

// The largest share of `values` within `tolerance` of one of them.
float AlignedShare(const std::vector<float>& values, float tolerance) {
  size_t best = 0;
  for (float v : values) {
    best = std::max<size_t>(best, std::count_if(values.begin(), values.end(),
                                                [&](float u) { return std::fabs(u - v) <= tolerance; }));
  }
  return values.empty() ? 0 : static_cast<float>(best) / static_cast<float>(values.size());
}

// "•", "-", "1.", "2)", "(a)", "iv.": the markers of a list item.
bool IsListMarker(std::string_view text) {
  if (text == "\xE2\x80\xA2" || text == "-" || text == "*" || text == "\xE2\x80\x93" ||
      text == "\xE2\x97\xA6") {
    return true;
  }
  if (text.size() < 2 || text.size() > 5) return false;
  const char last = text.back();
  if (last != '.' && last != ')') return false;
  std::string_view body = text.substr(0, text.size() - 1);
  if (!body.empty() && body.front() == '(' && last == ')') body.remove_prefix(1);
  return !body.empty() && std::all_of(body.begin(), body.end(),
                                      [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

// "(3)", "(2.14)", "(4a)": an equation number.
bool IsEquationNumber(std::string_view text) {
  return text.size() >= 3 && text.front() == '(' && text.back() == ')' &&
         std::isdigit(static_cast<unsigned char>(text[1]));
}

// "abs, 37", "cbrange, 50, 181, 189" or a wrapped "202, 203": an index
// entry's page numbers after its last comma.
bool IsIndexEntry(std::string_view text) {
  const size_t comma = text.rfind(", ");
  if (comma == std::string_view::npos) return false;
  const std::string_view pages = text.substr(comma + 2);
  return !pages.empty() && std::all_of(pages.begin(), pages.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

// The word a list of names is sorted by: the cell's last word in lower case
// ("John W. Eaton" -> "eaton"); empty when it does not start with a letter.
std::string SortKey(std::string_view text) {
  const size_t space = text.rfind(' ');
  std::string key(space == std::string_view::npos ? text : text.substr(space + 1));
  if (key.empty() || !std::isalpha(static_cast<unsigned char>(key.front()))) return {};
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

// The share of steps from one key to the next that ascend strictly.
float AscendingShare(const std::vector<std::string>& keys) {
  int ascending = 0;
  for (size_t i = 1; i < keys.size(); ++i) ascending += keys[i - 1] < keys[i];
  return keys.size() < 2 ? 0.0f : static_cast<float>(ascending) / static_cast<float>(keys.size() - 1);
}

// Whether the block is one alphabetical list set in columns (a manual's
// contributors, names in three columns), not a table: five rows at least, no
// header, every cell words, and read row by row or column by column the
// cells mostly in strictly ascending order of their last words. A table's
// columns of values, numbers or descriptions do not run so.
bool IsListInColumns(const Table& table) {
  if (table.header_rows > 0 || table.rows < kMinListRows) return false;
  std::vector<std::string> by_rows;  // cells are row-major
  std::vector<std::vector<std::string>> columns(table.cols);
  for (const TableCell& cell : table.cells) {
    if (cell.col_span != 1) continue;
    std::string key = SortKey(cell.text);
    if (key.empty()) return false;
    by_rows.push_back(key);
    columns[cell.col].push_back(std::move(key));
  }
  std::vector<std::string> by_columns;
  for (const auto& column : columns) by_columns.insert(by_columns.end(), column.begin(), column.end());
  return std::max(AscendingShare(by_rows), AscendingShare(by_columns)) >= kMinListOrder;
}

int Median(std::vector<int> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

// Whether the cells cut from a block read as a table: every column used,
// aligned and short; not a list nor numbered equations.
bool LooksLikeTable(const CutRows& cut, float size) {
  const Table& table = cut.table;
  if (table.cols < 2) return false;
  std::vector<std::vector<float>> lefts(table.cols), rights(table.cols), centres(table.cols),
      points(table.cols);
  std::vector<std::vector<int>> words(table.cols);
  std::vector<bool> markers(table.cols, true), equations(table.cols, true);
  std::vector<int> index_entries(table.cols, 0);
  for (size_t i = 0; i < table.cells.size(); ++i) {
    const TableCell& cell = table.cells[i];
    if (cell.col_span != 1 || cell.row < table.header_rows) continue;
    const int c = cell.col;
    lefts[c].push_back(cell.bbox.x0), rights[c].push_back(cell.bbox.x1);
    centres[c].push_back(0.5f * (cell.bbox.x0 + cell.bbox.x1));
    points[c].push_back(cut.points[i] >= 0 ? cut.points[i] : cell.bbox.x1);
    words[c].push_back(cut.words[i]);
    markers[c] = markers[c] && IsListMarker(cell.text);
    equations[c] = equations[c] && IsEquationNumber(cell.text);
    index_entries[c] += IsIndexEntry(cell.text);
  }
  const float tolerance = std::max(1.0f, kAlignTolerance * size);
  for (int c = 0; c < table.cols; ++c) {
    if (words[c].size() < 2) return false;
    if (Median(words[c]) > kMaxColumnMedianWords) return false;
    // A two-column index: entries with their page numbers side by side.
    if (index_entries[c] * 2 >= static_cast<int>(words[c].size())) return false;
    const float aligned = std::max({AlignedShare(lefts[c], tolerance), AlignedShare(rights[c], tolerance),
                                    AlignedShare(centres[c], tolerance), AlignedShare(points[c], tolerance)});
    if (aligned < kMinAlignedShare) return false;
  }
  if (markers.front() || equations.back() || IsListInColumns(table)) return false;
  return Median(cut.words) <= kMaxMedianCellWords;
}

// The first row is a header when all its words are bold and the next row's are not.
int HeaderRows(const std::vector<std::vector<TextRun>>& rows) {
  auto bold = [](const std::vector<TextRun>& row) {
    return std::all_of(row.begin(), row.end(), [](const TextRun& w) { return w.IsBold(); });
  };
  return rows.size() >= 2 && bold(rows[0]) && !bold(rows[1]) ? 1 : 0;
}

std::optional<RawTable> BuildBlock(const std::vector<Row>& rows, size_t first, size_t last) {
  if (last + 1 - first < static_cast<size_t>(kUnruledMinRows)) return std::nullopt;
  std::vector<std::vector<TextRun>> block;
  std::vector<float> sizes;
  for (size_t i = first; i <= last; ++i) block.push_back(*rows[i].words), sizes.push_back(rows[i].size);
  std::nth_element(sizes.begin(), sizes.begin() + sizes.size() / 2, sizes.end());
  const float size = sizes[sizes.size() / 2];
  const std::vector<float> bounds = Bounds(rows, first, last, size);
  if (bounds.empty()) return std::nullopt;
  std::vector<const std::vector<TextRun>*> body;
  for (const auto& row : block) body.push_back(&row);
  CutRows cut = CutIntoCells(block, body, bounds, HeaderRows(block));
  if (!LooksLikeTable(cut, size)) return std::nullopt;
  BBox bbox = block.front().front().box;
  for (const auto& row : block) {
    for (const TextRun& w : row) {
      bbox = BBox{std::min(bbox.x0, w.box.x0), std::min(bbox.y0, w.box.y0), std::max(bbox.x1, w.box.x1),
                  std::max(bbox.y1, w.box.y1)};
    }
  }
  return FinishTable(std::move(cut.table), bbox);
}

// Whether row `next` continues the block ending at row `last`: close below
// it, of a like size, and its gaps line up with the block's.
bool Continues(const std::vector<Row>& rows, size_t first, size_t last, size_t next) {
  const Row& a = rows[last];
  const Row& b = rows[next];
  if (!b.candidate || b.centre - a.centre > kMaxRowPitch * std::max(a.size, b.size)) return false;
  if (std::fabs(a.size - b.size) > 0.2f * std::max(a.size, b.size)) return false;
  const float size = std::min(a.size, b.size);
  const std::vector<float> before = Bounds(rows, first, last, size);
  const std::vector<float> after = Bounds(rows, first, next, size);
  // A row that closes most of the block's gaps belongs to something else.
  if (after.empty() || after.size() * 2 < before.size()) return false;
  return ColumnsUsed(*b.words, after) >= 2;
}

// The tables among `text_rows` (visual rows, top to bottom).
std::vector<RawTable> FindInRows(const std::vector<std::vector<TextRun>>& text_rows) {
  std::vector<RawTable> tables;
  std::vector<Row> rows;
  for (const auto& words : text_rows) {
    if (!words.empty()) rows.push_back(Describe(words));
  }
  size_t i = 0;
  while (i < rows.size()) {
    if (!rows[i].candidate) {
      ++i;
      continue;
    }
    size_t last = i;
    while (last + 1 < rows.size() && Continues(rows, i, last, last + 1)) ++last;
    if (auto table = BuildBlock(rows, i, last)) tables.push_back(std::move(*table));
    i = last + 1;
  }
  return tables;
}

// The rows cut where words are a column gutter apart, as lines for FindGutters.
std::vector<RawLine> Fragments(const std::vector<std::vector<TextRun>>& rows) {
  std::vector<RawLine> lines;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      const TextRun& word = row[i];
      if (i == 0 || word.box.x0 - row[i - 1].box.x1 >= kFragmentGap * std::max(word.size, 1.0f)) {
        lines.emplace_back();
        lines.back().bbox = word.box;
        lines.back().size = word.size;
      }
      BBox& box = lines.back().bbox;
      box = BBox{std::min(box.x0, word.box.x0), std::min(box.y0, word.box.y0), std::max(box.x1, word.box.x1),
                 std::max(box.y1, word.box.y1)};
      lines.back().chars += word.chars;
    }
  }
  return lines;
}

// Whether the span (x0, x1) that `table` was found in is a column of the
// page around it: no line just above or below the table crosses the span's
// edges. A gap inside a wider table, with the paragraph above it running
// across, is not a column edge, and cutting there would split that table.
bool InOneColumn(const BBox& table, float x0, float x1, const std::vector<RawLine>& fragments) {
  return std::none_of(fragments.begin(), fragments.end(), [&](const RawLine& line) {
    const float reach = kColumnCheckReach * std::max(line.size, 1.0f);
    const bool near = line.bbox.y1 > table.y0 - reach && line.bbox.y0 < table.y1 + reach;
    auto crosses = [&](float edge) { return line.bbox.x0 < edge && line.bbox.x1 > edge; };
    return near && (crosses(x0) || crosses(x1));
  });
}

// Whether the text beside `table`, outside the span (x0, x1) on the table's
// lines, is prose: words run on (kMinProseWords a line, by the median). A
// column of names or numbers beside it is more of the same table (a wide
// table's first column), not another column of the page.
bool BesideProse(const BBox& table, float x0, float x1, const std::vector<std::vector<TextRun>>& text_rows) {
  std::vector<int> words_beside;
  for (const auto& row : text_rows) {
    if (row.empty()) continue;
    const float centre = 0.5f * (row.front().box.y0 + row.front().box.y1);
    if (centre < table.y0 || centre > table.y1) continue;
    int left = 0, right = 0;
    for (const TextRun& word : row) {
      const float middle = 0.5f * (word.box.x0 + word.box.x1);
      left += middle <= x0, right += middle >= x1;
    }
    if (left > 0) words_beside.push_back(left);
    if (right > 0) words_beside.push_back(right);
  }
  return static_cast<int>(words_beside.size()) >= kUnruledMinRows && Median(words_beside) >= kMinProseWords;
}

// Tables in one column of a page whose other columns have prose on the same
// lines: the rows are cut to the span between two of the page's gutters (or
// its edges), widest spans first, and each span is searched like a page. A
// table found in a wider span (the whole page first) keeps its place; one
// found in a span is kept only when the span is a column around it
// (InOneColumn) and prose is beside it (BesideProse).
void FindBesideText(const std::vector<std::vector<TextRun>>& text_rows, std::vector<RawTable>* tables) {
  const std::vector<RawLine> fragments = Fragments(text_rows);
  const std::vector<Gutter> gutters = FindGutters(fragments);
  if (gutters.empty() || gutters.size() > kMaxGutters) return;
  std::vector<float> cuts = {-1e9f};
  for (const Gutter& gutter : gutters) cuts.push_back(0.5f * (gutter.x0 + gutter.x1));
  cuts.push_back(1e9f);
  const size_t n = cuts.size();
  for (size_t width = n - 2; width >= 1; --width) {
    for (size_t first = 0; first + width < n; ++first) {
      const float x0 = cuts[first], x1 = cuts[first + width];
      std::vector<std::vector<TextRun>> span;
      for (const auto& row : text_rows) {
        span.emplace_back();
        for (const TextRun& word : row) {
          const float centre = 0.5f * (word.box.x0 + word.box.x1);
          if (centre > x0 && centre < x1) span.back().push_back(word);
        }
      }
      for (RawTable& table : FindInRows(span)) {
        const bool taken = std::any_of(tables->begin(), tables->end(), [&](const RawTable& known) {
          return Overlaps(known.bbox, table.bbox);
        });
        if (!taken && InOneColumn(table.bbox, x0, x1, fragments) &&
            BesideProse(table.bbox, x0, x1, text_rows)) {
          tables->push_back(std::move(table));
        }
      }
    }
  }
}

}  // namespace

void SplitLineCount::Add(const BBox& box, float size) {
  if (new_line_) {
    lines_.push_back({0.5f * (box.y0 + box.y1), box.x0, box.x1, size});
    new_line_ = false;
  } else if (box.x0 - last_x1_ >= kUnruledColumnGap * size) {
    ++split_;
  }
  lines_.back().x1 = std::max(lines_.back().x1, box.x1);
  last_x1_ = box.x1;
}

bool SplitLineCount::MayHoldTable() {
  if (split_ >= kUnruledMinRows) return true;
  // MuPDF splits a line at a wide gap: pieces side by side on one row count too.
  std::sort(lines_.begin(), lines_.end(), [](const Extent& a, const Extent& b) { return a.centre < b.centre; });
  int split = split_;
  for (size_t i = 1; i < lines_.size() && split < kUnruledMinRows; ++i) {
    const Extent& a = lines_[i - 1];
    const Extent& b = lines_[i];
    const bool same_row = b.centre - a.centre < 0.3f * std::max(a.size, b.size);
    const float gap = std::max(b.x0 - a.x1, a.x0 - b.x1);
    split += same_row && gap >= kUnruledColumnGap * std::min(a.size, b.size);
  }
  return split >= kUnruledMinRows;
}

std::vector<RawTable> FindUnruledTables(const std::vector<TableGlyph>& glyphs) {
  std::vector<RawTable> tables;
  if (glyphs.empty()) return tables;
  SplitLineCount split;
  int line = -1;
  for (const TableGlyph& g : glyphs) {
    if (g.c == ' ' || g.c == '\t' || g.c == 0xA0) continue;
    if (g.line != line) split.NewLine(), line = g.line;
    split.Add(g.box, g.size);
  }
  if (!split.MayHoldTable()) return tables;
  const BBox everywhere{-1e9f, -1e9f, 1e9f, 1e9f};
  const std::vector<std::vector<TextRun>> text_rows = Rows(Words(glyphs, everywhere));
  tables = FindInRows(text_rows);
  FindBesideText(text_rows, &tables);
  std::sort(tables.begin(), tables.end(),
            [](const RawTable& a, const RawTable& b) { return a.bbox.y0 < b.bbox.y0; });
  return tables;
}

}  // namespace docpipe::pdf
