#include "pdf/table_builder.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/unicode.h"
#include "pdf/text_rules.h"

namespace docpipe::pdf {
namespace {

// Columns of a rules table are separated by gaps at least this many font
// sizes wide that no body row crosses (LaTeX's default is 1.2).
constexpr float kMinColumnGap = 0.7f;
// Inside a frame, text cannot run on from a page column beside it, and the
// cells' padding is often all that separates them (4 points a side): gaps
// of this many font sizes (more than a proportional font's word space) that
// no body row crosses separate columns, when each column repeats down the
// body (EveryColumnRepeats).
constexpr float kMinFramedColumnGap = 0.4f;
// Prose between two rules has long lines; table cells are short.
constexpr int kMaxMedianCellWords = 6;
// Longer stacks of rules are searched for tables only up to this many rules.
constexpr size_t kMaxStackRules = 16;
// At least this share of a grid's cells holds text (forms and charts do not).
constexpr float kMinFilledShare = 0.3f;
// A title row's centre is within this share of the table's width of the
// table's centre.
constexpr float kTitleCentreShare = 0.1f;

int Locate(const std::vector<float>& edges, float v) {
  const auto it = std::upper_bound(edges.begin(), edges.end(), v);
  const int i = static_cast<int>(it - edges.begin()) - 1;
  return std::clamp(i, 0, static_cast<int>(edges.size()) - 2);
}

// Leading rows whose filled cells are all bold, when the rows after them are not.
int BoldHeaderRows(const Table& table, const std::vector<bool>& bold) {
  std::vector<int> filled(table.rows, 0), bold_filled(table.rows, 0);
  for (size_t i = 0; i < table.cells.size(); ++i) {
    const TableCell& cell = table.cells[i];
    if (cell.text.empty()) continue;
    filled[cell.row]++;
    bold_filled[cell.row] += bold[i];
  }
  int header = 0;
  while (header < table.rows && filled[header] > 0 && bold_filled[header] == filled[header]) ++header;
  return header == table.rows ? 0 : header;
}

}  // namespace

std::optional<RawTable> FinishTable(Table table, const BBox& bbox) {
  int filled = 0;
  bool multi_column_row = false;
  std::vector<int> per_row(table.rows, 0);
  for (TableCell& cell : table.cells) {
    cell.text = NormalizeText(cell.text);
    filled += !cell.text.empty();
    multi_column_row |= ++per_row[cell.row] >= 2;
  }
  if (!multi_column_row || filled < 2 || filled < kMinFilledShare * table.cells.size()) return std::nullopt;
  RawTable out;
  out.bbox = bbox;
  out.table = std::make_shared<const Table>(std::move(table));
  return out;
}

namespace {

std::optional<RawTable> BuildGridTable(const TableCandidate& grid, const std::vector<TableGlyph>& glyphs) {
  std::vector<TextRun> runs(grid.cells.size());
  for (const TableGlyph& g : glyphs) {
    if (!CentreInside(g.box, grid.bbox)) continue;
    const float cx = 0.5f * (g.box.x0 + g.box.x1), cy = 0.5f * (g.box.y0 + g.box.y1);
    const int owner = grid.owner[Locate(grid.ys, cy) * grid.cols() + Locate(grid.xs, cx)];
    runs[owner].Add(g);
  }
  Table table;
  table.rows = grid.rows();
  table.cols = grid.cols();
  std::vector<bool> bold;
  for (size_t i = 0; i < grid.cells.size(); ++i) {
    const GridCell& c = grid.cells[i];
    TableCell cell;
    cell.row = c.row0, cell.col = c.col0;
    cell.row_span = c.row1 - c.row0, cell.col_span = c.col1 - c.col0;
    cell.text = std::move(runs[i].text);
    cell.bbox = BBox{grid.xs[c.col0], grid.ys[c.row0], grid.xs[c.col1], grid.ys[c.row1]};
    table.cells.push_back(std::move(cell));
    bold.push_back(runs[i].IsBold());
  }
  table.header_rows = BoldHeaderRows(table, bold);
  for (TableCell& cell : table.cells) cell.header = cell.row < table.header_rows;
  return FinishTable(std::move(table), grid.bbox);
}

// Whether every column of `table` holds text in at least two body rows.
bool EveryColumnRepeats(const Table& table) {
  std::vector<int> filled(table.cols, 0);
  for (const TableCell& cell : table.cells) {
    if (cell.row >= table.header_rows && cell.col_span == 1 && !cell.text.empty()) filled[cell.col]++;
  }
  return std::all_of(filled.begin(), filled.end(), [](int n) { return n >= 2; });
}

// The band between two rules a row's centre falls in.
int Band(const std::vector<float>& rules, const std::vector<TextRun>& row) {
  const float centre = 0.5f * (row.front().box.y0 + row.front().box.y1);
  return static_cast<int>(std::upper_bound(rules.begin(), rules.end(), centre) - rules.begin()) - 1;
}

// Whether the rules stand between the rows, not only around the head and
// body, so that a band of several lines is one row whose cells wrap (LaTeX's
// p{} columns): the body has two bands at least, and the stack is a frame (a
// box with rules between its rows), or more than half of the body's bands
// hold a single line, or in every band of several lines only the first
// starts in the first column (the others continue a wrapped cell). A
// booktabs body (one band, or groups of rows between mid-rules, each row
// with its first cell) keeps a row per line. `lines`: a row per text line.
bool RulesSeparateRows(const Table& lines, const std::vector<int>& line_bands, bool framed) {
  std::vector<bool> first_column(lines.rows, false);
  for (const TableCell& cell : lines.cells) {
    if (cell.col == 0 && !cell.text.empty()) first_column[cell.row] = true;
  }
  int bands = 0, single = 0;
  bool continued = true;  // every later line of a band leaves the first column empty
  for (int i = lines.header_rows; i < lines.rows;) {
    int end = i + 1;
    for (; end < lines.rows && line_bands[end] == line_bands[i]; ++end) {
      if (first_column[end]) continued = false;
    }
    ++bands;
    single += end - i == 1;
    if (end - i > 1) continued = continued && first_column[i];
    i = end;
  }
  return bands >= 2 && (framed || single * 2 > bands || continued);
}

// `lines` (a row per text line) with the lines of each band made one row:
// the cells of a band's lines that start in the same cell of its first line
// are one cell, their text joined with spaces in line order.
Table JoinBandLines(const Table& lines, const std::vector<int>& line_bands) {
  std::vector<int> row_of(lines.rows, 0);
  for (int r = 1; r < lines.rows; ++r) row_of[r] = row_of[r - 1] + (line_bands[r] != line_bands[r - 1]);
  Table rows;
  rows.rows = lines.rows > 0 ? row_of.back() + 1 : 0;
  rows.cols = lines.cols;
  rows.header_rows = lines.header_rows > 0 ? row_of[lines.header_rows - 1] + 1 : 0;
  size_t row_begin = 0;  // the first cell of the row being filled
  for (const TableCell& cell : lines.cells) {
    const int row = row_of[cell.row];
    if (rows.cells.empty() || rows.cells.back().row != row) row_begin = rows.cells.size();
    auto into =
        std::find_if(rows.cells.begin() + static_cast<long>(row_begin), rows.cells.end(),
                     [&](const TableCell& c) { return c.col <= cell.col && cell.col < c.col + c.col_span; });
    if (into == rows.cells.end()) {
      rows.cells.push_back(cell);
      rows.cells.back().row = row;
      continue;
    }
    if (into->text.empty()) {
      into->text = cell.text;
    } else if (!cell.text.empty()) {
      into->text += ' ' + cell.text;
    }
    into->bbox = BBox{std::min(into->bbox.x0, cell.bbox.x0), std::min(into->bbox.y0, cell.bbox.y0),
                      std::max(into->bbox.x1, cell.bbox.x1), std::max(into->bbox.y1, cell.bbox.y1)};
  }
  std::stable_sort(rows.cells.begin(), rows.cells.end(), [](const TableCell& a, const TableCell& b) {
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  return rows;
}

// `row` with the words a word space apart (less than the narrowest column
// gap) joined into phrases: a header that crosses a column gap ("Math library
// functions" centred over a table) is one run, and so one spanning cell,
// rather than its words cut over the columns.
std::vector<TextRun> Phrases(const std::vector<TextRun>& row, float size) {
  std::vector<TextRun> phrases;
  for (const TextRun& word : row) {
    if (phrases.empty() || word.box.x0 - phrases.back().box.x1 >= kMinFramedColumnGap * size) {
      phrases.push_back(word);
      continue;
    }
    TextRun& phrase = phrases.back();
    phrase.text += ' ' + word.text;
    phrase.box = BBox{std::min(phrase.box.x0, word.box.x0), std::min(phrase.box.y0, word.box.y0),
                      std::max(phrase.box.x1, word.box.x1), std::max(phrase.box.y1, word.box.y1)};
    phrase.chars += word.chars, phrase.bold += word.bold, phrase.mono += word.mono;
    phrase.size = std::max(phrase.size, word.size);
    phrase.point = word.point;
  }
  return phrases;
}

// A title row over the table (LaTeX's \multicolumn across a ruled table, as
// gnuplot's manual sets "Math library functions"): the first header row is
// one cell centred on the table. It becomes one cell across every column,
// and a lone line in the band under it (the column names) a header row too.
void TakeTitleRow(const std::vector<int>& line_bands, float x0, float x1, Table* table) {
  if (table->header_rows != 1 || table->cols < 2 || table->rows < 2) return;
  TableCell* title = nullptr;
  for (TableCell& cell : table->cells) {
    if (cell.row != 0) continue;
    if (title != nullptr) return;
    title = &cell;
  }
  if (title == nullptr) return;
  const float centre = 0.5f * (title->bbox.x0 + title->bbox.x1);
  if (std::abs(centre - 0.5f * (x0 + x1)) > kTitleCentreShare * (x1 - x0)) return;
  title->col = 0, title->col_span = table->cols;
  const bool names_alone =
      line_bands[1] != line_bands[0] && (table->rows == 2 || line_bands[1] != line_bands[2]);
  if (!names_alone) return;
  table->header_rows = 2;
  for (TableCell& cell : table->cells) cell.header = cell.row < 2;
}

// `reach_above` > 0: a header row may sit right above the first rule (a
// rule under the header and one under the table), within that distance.
std::optional<RawTable> BuildRulesTable(const TableCandidate& stack, const std::vector<TableGlyph>& glyphs,
                                        float reach_above) {
  BBox area = stack.bbox;
  area.y0 -= reach_above;
  std::vector<TextRun> words = Words(glyphs, area);
  if (words.size() < 4) return std::nullopt;
  const float size = MedianSize(words);
  std::vector<std::vector<TextRun>> rows = Rows(std::move(words));
  if (rows.size() < 2) return std::nullopt;
  // Rows above the second rule are headers when a rule separates them from a body.
  const bool has_head = stack.rules.size() >= 3;
  int header_rows = 0, above = 0;
  std::vector<const std::vector<TextRun>*> body;
  std::vector<int> line_bands;
  for (const auto& row : rows) {
    const int band = Band(stack.rules, row);
    line_bands.push_back(band);
    above += band < 0;
    if (band < 0 || (has_head && band <= 0)) {
      ++header_rows;
    } else {
      body.push_back(&row);
    }
  }
  if (body.empty() || header_rows == static_cast<int>(rows.size())) return std::nullopt;
  // A body mostly in a fixed-pitch font is a code listing in a box.
  int chars = 0, mono = 0;
  for (const auto* row : body) {
    for (const TextRun& w : *row) chars += w.chars, mono += w.mono;
  }
  if (mono * 2 > chars) return std::nullopt;
  for (int r = 0; r < header_rows; ++r) rows[r] = Phrases(rows[r], size);
  std::vector<float> bounds = ColumnBoundaries(body, (stack.framed ? kMinFramedColumnGap : kMinColumnGap) * size);
  CutRows cut = CutIntoCells(rows, body, bounds, header_rows);
  // A narrow gap in a frame is a column edge only when every column it makes
  // repeats down the body; a word space in a boxed listing ("name: off")
  // does not. Otherwise the frame is cut as rules without one are.
  if (stack.framed && body.size() >= 2 && !EveryColumnRepeats(cut.table)) {
    bounds = ColumnBoundaries(body, kMinColumnGap * size);
    cut = CutIntoCells(rows, body, bounds, header_rows);
  }
  if (bounds.empty()) return std::nullopt;
  Table& table = cut.table;
  std::vector<int>& cell_words = cut.words;
  if (reach_above > 0) {
    // One header row above the rule, a word per column, and not a caption.
    int above_cells = 0;
    std::string text;
    for (const TableCell& cell : table.cells) {
      if (cell.row >= above) continue;
      if (cell.col_span != 1) return std::nullopt;
      ++above_cells;
      text += cell.text + " ";
    }
    if (above != 1 || above_cells < 2 || IsTableCaption(text)) return std::nullopt;
  }
  // A row that is one long run of words is prose between tables, not a row.
  std::vector<int> row_cells(table.rows, 0);
  for (const TableCell& cell : table.cells) row_cells[cell.row]++;
  for (size_t i = 0; i < table.cells.size(); ++i) {
    if (row_cells[table.cells[i].row] == 1 && cell_words[i] > kMaxMedianCellWords) return std::nullopt;
  }
  std::nth_element(cell_words.begin(), cell_words.begin() + cell_words.size() / 2, cell_words.end());
  if (cell_words[cell_words.size() / 2] > kMaxMedianCellWords) return std::nullopt;
  // Every column holds text in at least one body row.
  std::vector<bool> used(table.cols, false);
  for (const TableCell& cell : table.cells) {
    if (cell.row >= header_rows && cell.col_span == 1) used[cell.col] = true;
  }
  if (std::count(used.begin(), used.end(), false) > 0) return std::nullopt;
  // Whether it is a table was decided line by line, as for any stack; its
  // rows are then the bands between rules when the rules separate rows.
  if (stack.rules.size() >= 3) TakeTitleRow(line_bands, area.x0, area.x1, &table);
  if (RulesSeparateRows(table, line_bands, stack.framed)) table = JoinBandLines(table, line_bands);
  return FinishTable(std::move(table), area);
}

}  // namespace

std::vector<RawTable> BuildTables(const TableCandidate& candidate, const std::vector<TableGlyph>& glyphs) {
  std::vector<RawTable> tables;
  if (candidate.kind == TableCandidate::Kind::kLattice) {
    if (auto table = BuildGridTable(candidate, glyphs)) tables.push_back(std::move(*table));
    return tables;
  }
  // Tables of the same width on one page give one stack of rules with prose
  // between them: from each rule, the longest run of rules that makes a
  // table is one, and the next table starts after it.
  const std::vector<float>& rules = candidate.rules;
  const size_t n = std::min(rules.size(), kMaxStackRules);
  size_t i = 0;
  while (i + 1 < n) {
    size_t next = i + 1;
    for (size_t end = n - 1; end > i; --end) {
      TableCandidate part = candidate;
      part.rules.assign(rules.begin() + static_cast<long>(i), rules.begin() + static_cast<long>(end) + 1);
      part.bbox.y0 = part.rules.front(), part.bbox.y1 = part.rules.back();
      // A two-rule table may have its header above the first rule.
      std::optional<RawTable> table;
      if (part.rules.size() == 2) table = BuildRulesTable(part, glyphs, kHeaderAboveReach);
      if (!table) table = BuildRulesTable(part, glyphs, 0);
      if (table) {
        tables.push_back(std::move(*table));
        next = end + 1;
        break;
      }
    }
    i = next;
  }
  return tables;
}

}  // namespace docpipe::pdf
