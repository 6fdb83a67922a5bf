#include "pdf/page_extractor.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "core/stopwatch.h"
#include "core/unicode.h"
#include "pdf/mupdf_handles.h"
#include "pdf/page_classifier.h"
#include "pdf/scanned_page.h"
#include "pdf/table_builder.h"
#include "pdf/table_detector.h"
#include "pdf/table_frame.h"
#include "pdf/table_rulings.h"
#include "pdf/table_unruled.h"

namespace docpipe::pdf {
namespace {

// A horizontal gap wider than this many font sizes ends a line: it is a
// column gutter or a table cell boundary, never a word space.
constexpr float kLineSplitGap = 1.5f;

// A page with fewer characters than this turned one way has no table printed
// that way (the frame is not searched: a rotated page number or margin note).
constexpr int kMinTurnedTableGlyphs = 20;

struct FzStextPageDeleter {
  fz_context* ctx;
  void operator()(fz_stext_page* page) const { fz_drop_stext_page(ctx, page); }
};
struct FzPageDeleter {
  fz_context* ctx;
  void operator()(fz_page* page) const { fz_drop_page(ctx, page); }
};

bool NameHas(const char* name, const char* part) { return name && std::strstr(name, part); }

// Style of one font, looked up once per font change rather than per char.
struct FontStyle {
  fz_font* font = nullptr;
  bool bold = false, italic = false, mono = false;
};

FontStyle StyleOf(fz_context* ctx, fz_font* font) {
  FontStyle style;
  style.font = font;
  if (!font) return style;
  const char* name = fz_font_name(ctx, font);
  style.bold = fz_font_is_bold(ctx, font) || NameHas(name, "Bold") || NameHas(name, "Black") ||
               NameHas(name, "Heavy") || NameHas(name, "Semibold") || NameHas(name, "Demi");
  style.italic = fz_font_is_italic(ctx, font) || NameHas(name, "Italic") || NameHas(name, "Oblique");
  style.mono = fz_font_is_monospaced(ctx, font) || NameHas(name, "Mono") || NameHas(name, "Courier") ||
               NameHas(name, "CMTT") || NameHas(name, "SFTT") || NameHas(name, "Typewriter");
  return style;
}

// Accumulates the characters of one output line.
class LineBuilder {
 public:
  explicit LineBuilder(std::vector<RawLine>* out) : out_(out) {}

  bool empty() const { return line_.chars == 0; }
  float last_x1() const { return last_x1_; }
  // How far the MuPDF line now being read is turned from upright.
  void set_turns(int turns) { turns_ = turns; }

  void Add(int c, const fz_rect& box, float baseline, float size, const FontStyle& style) {
    if (c == ' ' || c == '\t' || c == 0xA0) {
      if (!line_.text.empty() && line_.text.back() != ' ') line_.text.push_back(' ');
      return;
    }
    if (line_.chars == 0) {
      line_.bbox = BBox{box.x0, box.y0, box.x1, box.y1};
      line_.baseline = baseline;
    } else {
      line_.bbox.x0 = std::min(line_.bbox.x0, box.x0);
      line_.bbox.y0 = std::min(line_.bbox.y0, box.y0);
      line_.bbox.x1 = std::max(line_.bbox.x1, box.x1);
      line_.bbox.y1 = std::max(line_.bbox.y1, box.y1);
    }
    AppendUtf8(line_.text, static_cast<char32_t>(c));
    line_.chars++;
    bold_chars_ += style.bold;
    italic_chars_ += style.italic;
    CountSize(size);
    last_x1_ = box.x1;
  }

  void Flush() {
    if (line_.chars > 0) {
      while (!line_.text.empty() && line_.text.back() == ' ') line_.text.pop_back();
      line_.bold = bold_chars_ * 2 > line_.chars;
      line_.italic = italic_chars_ * 2 > line_.chars;
      line_.size = DominantSize();
      line_.turns = turns_;
      out_->push_back(std::move(line_));
    }
    line_ = RawLine();
    bold_chars_ = italic_chars_ = 0;
    sizes_used_ = 0;
  }

 private:
  void CountSize(float size) {
    for (int i = 0; i < sizes_used_; ++i) {
      if (std::fabs(sizes_[i].first - size) < 0.05f) {
        sizes_[i].second++;
        return;
      }
    }
    if (sizes_used_ < static_cast<int>(sizes_.size())) sizes_[sizes_used_++] = {size, 1};
  }
  float DominantSize() const {
    float best = 0;
    int best_count = -1;
    for (int i = 0; i < sizes_used_; ++i) {
      if (sizes_[i].second > best_count) best = sizes_[i].first, best_count = sizes_[i].second;
    }
    return best;
  }

  std::vector<RawLine>* out_;
  RawLine line_;
  int bold_chars_ = 0, italic_chars_ = 0;
  std::array<std::pair<float, int>, 8> sizes_{};
  int sizes_used_ = 0;
  float last_x1_ = 0;
  int turns_ = 0;
};

bool InsideAny(const fz_rect& box, const std::vector<RawTable>& tables) {
  const BBox b{box.x0, box.y0, box.x1, box.y1};
  return std::any_of(tables.begin(), tables.end(), [&](const RawTable& t) { return CentreInside(b, t.bbox); });
}

// Characters inside a table belong to it, not to the paragraph flow.
void ReadLine(fz_context* ctx, const fz_stext_line* line, const std::vector<RawTable>& tables,
              FontStyle* style, LineBuilder* builder) {
  const bool horizontal = std::fabs(line->dir.y) < 0.1f;
  builder->set_turns(QuarterTurns(line->dir.x, line->dir.y));
  for (const fz_stext_char* ch = line->first_char; ch; ch = ch->next) {
    if (ch->font != style->font) *style = StyleOf(ctx, ch->font);
    const fz_rect box = fz_rect_from_quad(ch->quad);
    if (!tables.empty() && InsideAny(box, tables)) {
      builder->Flush();
      continue;
    }
    const bool space = ch->c == ' ' || ch->c == '\t' || ch->c == 0xA0;
    if (!space && horizontal && !builder->empty() &&
        box.x0 - builder->last_x1() > kLineSplitGap * ch->size) {
      builder->Flush();
    }
    builder->Add(ch->c, box, ch->origin.y, ch->size, *style);
  }
  builder->Flush();
}

bool IsSpace(int c) { return c == ' ' || c == '\t' || c == 0xA0; }

// Whether the page may hold a table when it draws no rulings: some text is
// turned (a sideways table) or enough upright lines are split by a column
// gap (SplitLineCount). Most pages hold none, and their characters are then
// not copied into glyphs at all.
bool MayHoldTableWithoutRulings(const fz_stext_page* text) {
  SplitLineCount split;
  std::array<int, 4> turned_glyphs{};
  for (const fz_stext_block* block = text->first_block; block; block = block->next) {
    if (block->type != FZ_STEXT_BLOCK_TEXT) continue;
    for (const fz_stext_line* line = block->u.t.first_line; line; line = line->next) {
      const int turns = QuarterTurns(line->dir.x, line->dir.y);
      split.NewLine();
      for (const fz_stext_char* ch = line->first_char; ch; ch = ch->next) {
        if (IsSpace(ch->c)) continue;
        if (turns > 0) {
          if (++turned_glyphs[static_cast<size_t>(turns)] >= kMinTurnedTableGlyphs) return true;
        } else if (turns == 0) {
          const fz_rect r = fz_rect_from_quad(ch->quad);
          split.Add(BBox{r.x0, r.y0, r.x1, r.y1}, ch->size);
        }
      }
    }
  }
  return split.MayHoldTable();
}

// Every glyph of the page's text lines, with how far its line is turned.
std::vector<TableGlyph> PageGlyphs(fz_context* ctx, const fz_stext_page* text) {
  size_t count = 0;
  for (const fz_stext_block* block = text->first_block; block; block = block->next) {
    if (block->type != FZ_STEXT_BLOCK_TEXT) continue;
    for (const fz_stext_line* line = block->u.t.first_line; line; line = line->next) {
      for (const fz_stext_char* ch = line->first_char; ch; ch = ch->next) ++count;
    }
  }
  std::vector<TableGlyph> glyphs;
  glyphs.reserve(count);
  FontStyle style;
  int line_number = 0;
  for (const fz_stext_block* block = text->first_block; block; block = block->next) {
    if (block->type != FZ_STEXT_BLOCK_TEXT) continue;
    for (const fz_stext_line* line = block->u.t.first_line; line; line = line->next, ++line_number) {
      const int turns = QuarterTurns(line->dir.x, line->dir.y);
      for (const fz_stext_char* ch = line->first_char; ch; ch = ch->next) {
        const fz_rect r = fz_rect_from_quad(ch->quad);
        if (ch->font != style.font) style = StyleOf(ctx, ch->font);
        glyphs.push_back(TableGlyph{static_cast<char32_t>(ch->c), BBox{r.x0, r.y0, r.x1, r.y1}, ch->size,
                                    style.bold, style.mono, line_number, turns});
      }
    }
  }
  return glyphs;
}

bool Contains(const BBox& outer, const BBox& inner) {
  return inner.x0 >= outer.x0 - 1 && inner.y0 >= outer.y0 - 1 && inner.x1 <= outer.x1 + 1 &&
         inner.y1 <= outer.y1 + 1;
}

bool InsideAny(const BBox& box, const std::vector<BBox>& areas) {
  return std::any_of(areas.begin(), areas.end(), [&](const BBox& area) { return CentreInside(box, area); });
}

// Tables from the rulings and the glyphs inside them. A grid that overlaps a
// table found `earlier` (in another frame) is left alone, so no text is in two
// tables. A table inside another one (a nested table) stays text of the outer
// cell. A grid whose text lines mostly read turned is left to the frame where
// they read upright (table_frame.h).
std::vector<RawTable> FindRuledTables(const std::vector<TableGlyph>& glyphs,
                                      const std::vector<Ruling>& rulings, const std::vector<BBox>& earlier) {
  std::vector<RawTable> tables;
  if (rulings.empty()) return tables;
  std::vector<TableCandidate> candidates = FindTableCandidates(rulings);
  std::stable_sort(candidates.begin(), candidates.end(), [](const TableCandidate& a, const TableCandidate& b) {
    return a.bbox.width() * a.bbox.height() > b.bbox.width() * b.bbox.height();
  });
  std::vector<BBox> found;
  for (const TableCandidate& candidate : candidates) {
    const bool nested = std::any_of(found.begin(), found.end(),
                                    [&](const BBox& table) { return Contains(table, candidate.bbox); });
    const bool taken = std::any_of(earlier.begin(), earlier.end(),
                                   [&](const BBox& table) { return Overlaps(table, candidate.bbox); });
    if (nested || taken) continue;
    BBox area = candidate.bbox;
    if (candidate.kind == TableCandidate::Kind::kRules) area.y0 -= kHeaderAboveReach;
    // Counted in text lines, not characters: a few long turned column heads
    // over short upright numbers still make an upright table.
    std::vector<TableGlyph> inside;
    int upright = 0, turned = 0, line = -1;
    for (const TableGlyph& glyph : glyphs) {
      if (!CentreInside(glyph.box, area)) continue;
      inside.push_back(glyph);
      if (glyph.line != line) (glyph.turns == 0 ? upright : turned) += 1;
      line = glyph.line;
    }
    if (turned > upright) continue;
    for (RawTable& table : BuildTables(candidate, inside)) {
      found.push_back(table.bbox);
      tables.push_back(std::move(table));
    }
  }
  return tables;
}

// Ruled tables first, then unruled ones in the upright text outside them and outside `known`.
std::vector<RawTable> FindUprightTables(const std::vector<TableGlyph>& glyphs,
                                        const std::vector<Ruling>& rulings, std::vector<BBox> known) {
  std::vector<RawTable> tables = FindRuledTables(glyphs, rulings, known);
  for (const RawTable& table : tables) known.push_back(table.bbox);
  // Most pages have no table and no turned text: their glyphs are searched as they are, not copied.
  const bool all_free = known.empty() && std::all_of(glyphs.begin(), glyphs.end(),
                                                     [](const TableGlyph& g) { return g.turns == 0; });
  std::vector<TableGlyph> free;
  if (!all_free) {
    for (const TableGlyph& glyph : glyphs) {
      if (glyph.turns == 0 && !InsideAny(glyph.box, known)) free.push_back(glyph);
    }
  }
  for (RawTable& table : FindUnruledTables(all_free ? glyphs : free)) tables.push_back(std::move(table));
  return tables;
}

// Tables printed sideways: the page's glyphs and rulings seen from the frame
// where text turned by `frame.turns()` reads upright, the tables found there
// mapped back to the page.
std::vector<RawTable> FindTurnedTables(const TableFrame& frame, const std::vector<TableGlyph>& glyphs,
                                       const std::vector<Ruling>& rulings,
                                       const std::vector<RawTable>& known) {
  std::vector<TableGlyph> turned = glyphs;
  for (TableGlyph& glyph : turned) {
    glyph.box = frame.ToFrame(glyph.box);
    if (glyph.turns >= 0) glyph.turns = (glyph.turns - frame.turns() + 4) % 4;
  }
  std::vector<Ruling> turned_rulings;
  for (const Ruling& ruling : rulings) turned_rulings.push_back(frame.ToFrame(ruling));
  std::vector<BBox> known_boxes;
  for (const RawTable& table : known) known_boxes.push_back(frame.ToFrame(table.bbox));
  std::vector<RawTable> tables;
  for (const RawTable& table : FindUprightTables(turned, turned_rulings, known_boxes)) {
    tables.push_back(frame.ToPage(table));
  }
  return tables;
}

// Upright tables, then those printed sideways or upside down; top to bottom.
std::vector<RawTable> FindTables(fz_context* ctx, const fz_stext_page* text, const RulingSink& sink) {
  static const std::vector<Ruling> kNoRulings;
  const std::vector<Ruling>& rulings = sink.overflow ? kNoRulings : sink.rulings;
  if (rulings.empty() && !MayHoldTableWithoutRulings(text)) return {};
  const std::vector<TableGlyph> glyphs = PageGlyphs(ctx, text);
  std::vector<RawTable> tables = FindUprightTables(glyphs, rulings, {});
  std::array<int, 4> turned_glyphs{};
  for (const TableGlyph& glyph : glyphs) {
    if (glyph.turns > 0 && glyph.c != ' ') ++turned_glyphs[static_cast<size_t>(glyph.turns)];
  }
  for (int turns : {1, 3, 2}) {
    if (turned_glyphs[static_cast<size_t>(turns)] < kMinTurnedTableGlyphs) continue;
    const TableFrame frame(turns, text->mediabox.x1, text->mediabox.y1);
    for (RawTable& table : FindTurnedTables(frame, glyphs, rulings, tables))
      tables.push_back(std::move(table));
  }
  std::sort(tables.begin(), tables.end(), [](const RawTable& a, const RawTable& b) { return a.bbox.y0 < b.bbox.y0; });
  return tables;
}

int TableChars(const std::vector<RawTable>& tables) {
  int chars = 0;
  for (const RawTable& t : tables) {
    for (const TableCell& cell : t.table->cells) {
      chars += static_cast<int>(std::count_if(cell.text.begin(), cell.text.end(), [](char c) {
        return c != ' ' && (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }));
    }
  }
  return chars;
}

// Pixels per inch of `image` as painted by `transform` (the unit square onto
// the page): the coarser of its two axes.
float PaintedDpi(const fz_image* image, const fz_matrix& transform) {
  if (!image || image->w <= 0 || image->h <= 0) return 0;
  const float across = std::hypot(transform.a, transform.b), down = std::hypot(transform.c, transform.d);
  if (across <= 0 || down <= 0) return 0;
  return 72 * std::min(image->w / across, image->h / down);
}

// An image block's box, clipped to the page, and its resolution into page->images.
void AddImage(const fz_stext_block& block, RawPage* page) {
  const fz_rect& box = block.bbox;
  const BBox clipped{std::max(box.x0, 0.0f), std::max(box.y0, 0.0f), std::min(box.x1, page->width),
                     std::min(box.y1, page->height)};
  if (clipped.width() <= 0 || clipped.height() <= 0) return;
  page->has_images = true;
  page->images.push_back(PageImage{clipped, PaintedDpi(block.u.i.image, block.u.i.transform)});
}

// Share of the page under images, counted on a coarse grid so that
// overlapping images are not counted twice.
float ImageCoverage(const RawPage& page) {
  constexpr int kGrid = 64;
  if (page.images.empty() || page.width <= 0 || page.height <= 0) return 0;
  int covered = 0;
  for (int gy = 0; gy < kGrid; ++gy) {
    const float y = (gy + 0.5f) * page.height / kGrid;
    for (int gx = 0; gx < kGrid; ++gx) {
      const float x = (gx + 0.5f) * page.width / kGrid;
      for (const PageImage& image : page.images) {
        const BBox& box = image.box;
        if (x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1) {
          ++covered;
          break;
        }
      }
    }
  }
  return static_cast<float>(covered) / (kGrid * kGrid);
}

void ReadTextPage(fz_context* ctx, const fz_stext_page* text, const RulingSink* rulings, RawPage* page) {
  if (rulings) page->tables = FindTables(ctx, text, *rulings);
  LineBuilder builder(&page->lines);
  FontStyle style;
  for (const fz_stext_block* block = text->first_block; block; block = block->next) {
    if (block->type == FZ_STEXT_BLOCK_IMAGE) AddImage(*block, page);
    if (block->type != FZ_STEXT_BLOCK_TEXT) continue;
    for (const fz_stext_line* line = block->u.t.first_line; line; line = line->next) {
      ReadLine(ctx, line, page->tables, &style, &builder);
    }
  }
  for (const RawLine& line : page->lines) page->chars += line.chars;
  page->chars += TableChars(page->tables);
  page->image_coverage = ImageCoverage(*page);
}

}  // namespace

Result<std::unique_ptr<PageWatchdog>> PageWatchdog::Make() {
  auto watchdog = std::make_unique<PageWatchdog>();
  try {
    watchdog->thread_ = std::thread([w = watchdog.get()] { w->Loop(); });
  } catch (const std::system_error& e) {
    return Status::ResourceExhausted(std::string("cannot start page watchdog: ") + e.what());
  }
  return watchdog;
}

PageWatchdog::~PageWatchdog() {
  {
    MutexLock lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PageWatchdog::Arm(fz_cookie* cookie, double seconds) {
  if (seconds <= 0) return;
  {
    MutexLock lock(mutex_);
    cookie_ = cookie;
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(seconds));
  }
  wake_.notify_all();
}

void PageWatchdog::Disarm() {
  MutexLock lock(mutex_);
  cookie_ = nullptr;
}

void PageWatchdog::Loop() {
  MutexLock lock(mutex_);
  while (!stop_) {
    if (!cookie_) {
      lock.Wait(wake_);
    } else if (std::chrono::steady_clock::now() >= deadline_) {
      cookie_->abort = 1;
      cookie_ = nullptr;
    } else {
      lock.WaitUntil(wake_, deadline_);
    }
  }
}

RawPage ExtractPage(fz_context* ctx, fz_document* doc, int index, double timeout_seconds,
                    PageWatchdog* watchdog, WarningLog* warnings, const PageOcr& ocr,
                    bool detect_tables) {
  Stopwatch watch;
  RawPage page;
  page.number = index + 1;
  fz_stext_options options{};
  // Image blocks keep a reference to the image only (nothing is decoded):
  // their boxes tell scanned and mixed pages from digital ones.
  options.flags = FZ_STEXT_MEDIABOX_CLIP | FZ_STEXT_PRESERVE_IMAGES;
  fz_cookie cookie{};
  PageRun run;
  RulingSink rulings;
  if (detect_tables) run.rulings = &rulings;
  warnings->last[0] = '\0';
  watchdog->Arm(&cookie, timeout_seconds);
  Status status = RunPage(ctx, doc, index, options, &cookie, &run);
  watchdog->Disarm();
  std::unique_ptr<fz_page, FzPageDeleter> owned_page(run.page, FzPageDeleter{ctx});
  std::unique_ptr<fz_stext_page, FzStextPageDeleter> owned_text(run.text, FzStextPageDeleter{ctx});
  page.width = run.bounds.x1 - run.bounds.x0;
  page.height = run.bounds.y1 - run.bounds.y0;
  if (cookie.abort) {
    page.error = "timeout: page " + std::to_string(page.number) + " took longer than " +
                 std::to_string(timeout_seconds) + " s";
    return page;
  }
  if (status.code() == StatusCode::kResourceExhausted) {
    page.error = "out of memory: page " + std::to_string(page.number) +
                 " needs more than a worker's PDF memory budget (--pdf-memory-mb): " + status.message();
    return page;
  }
  if (!status.ok()) {
    page.error = "damaged page: " + status.message();
    return page;
  }
  if (cookie.errors > 0) {
    page.error = "damaged page content: " + std::to_string(cookie.errors) + " error(s), last: " +
                 warnings->last;
  }
  ReadTextPage(ctx, owned_text.get(), run.rulings, &page);
  owned_text.reset();
  ClassifyPage(&page);
  const OcrAction action = ChooseOcrAction(page, ocr.mode);
  if (action != OcrAction::kNone) {
    double left = 0;
    if (timeout_seconds > 0) left = std::max(1e-3, timeout_seconds - watch.Seconds());
    RecognizePage(ctx, owned_page.get(), action, ocr, left, watchdog, warnings, &page);
  }
  return page;
}

}  // namespace docpipe::pdf
