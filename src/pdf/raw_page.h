// The per-page layout the extractor produces before any document-level pass:
// text lines with their box, dominant font size and style. Plain values.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "docpipe/document.h"

namespace docpipe::pdf {

// Pages with fewer non-space characters than this have no usable text layer.
inline constexpr int kMinTextChars = 16;

// One run of text on a common baseline with no large horizontal gap inside
// (MuPDF lines are split at gaps wider than a gutter so columns stay apart).
struct RawLine {
  std::string text;  // UTF-8 as MuPDF reports it, spaces included
  BBox bbox;
  float baseline = 0;
  float size = 0;      // dominant font size, by character count
  bool bold = false;   // most characters are in a bold face
  bool italic = false;
  int chars = 0;       // non-space characters
  TextSource source = TextSource::kDigital;
  float confidence = 1.0f;  // OCR: mean word confidence in [0, 1]
  // OCR: the recogniser's block and text line (OcrLine::block, ::line);
  // -1 for text-layer lines.
  int layout_block = -1;
  int layout_line = -1;
  int table = -1;  // >= 0: stands for RawPage::tables[table] while lines are ordered
  // Quarter turns of its text from upright (QuarterTurns, table_frame.h); -1 at another angle.
  int turns = 0;
};

// A table found on the page; its text is not among the page's lines.
struct RawTable {
  BBox bbox;
  std::shared_ptr<const Table> table;
};

// An image painted on the page: where, and how fine its pixels are there.
struct PageImage {
  BBox box;       // clipped to the page
  float dpi = 0;  // its pixels per inch as painted (the coarser axis); 0 when unknown
};

struct RawPage {
  int number = 0;  // 1-based
  float width = 0, height = 0;
  std::string error;    // the page failed alone: "timeout: ...", "damaged page: ..."
  bool has_images = false;   // paints at least one image
  float image_coverage = 0;  // share of the page's area under images, [0, 1]
  std::vector<PageImage> images;
  int chars = 0;             // non-space characters over all lines
  PageKind kind = PageKind::kDigital;  // from the text layer against the images
  bool needs_ocr = false;    // no usable text layer of its own
  float ocr_confidence = -1;  // mean OCR word confidence; -1 when not recognised
  int ocr_rotation = 0;       // degrees the page image was turned clockwise before OCR
  OcrCounts ocr_counts;       // pictures read and skipped, words dropped
  std::string ocr_unread_script;  // the page's script, which the loaded languages do not read
  std::vector<OcrWord> low_confidence_words;  // recognised below the floor, in points; not in `lines`
  double render_seconds = 0, ocr_seconds = 0;
  std::vector<RawLine> lines;
  std::vector<RawTable> tables;  // top to bottom
};

}  // namespace docpipe::pdf
