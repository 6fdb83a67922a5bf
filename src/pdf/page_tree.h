// A PDF's page tree, read once before any page is loaded. Without MuPDF's
// page map, loading page N walks the tree from its root, so a document costs
// time quadratic in its pages (a small file whose tree lists one page object
// 100,000 times never finishes); the page map makes the lookup O(1), but it
// trusts /Count, which a hostile file may inflate to a million. The walk here
// is linear and iterative, counts the pages that are really there, repairs a
// tree that lies about them, and refuses a document with too many pages.
//
// Thread-safety: uses the caller's context and document (one thread).
#pragma once

#include <string>

#include <mupdf/fitz.h>

#include "docpipe/status.h"
#include "pdf/mupdf_handles.h"

namespace docpipe::pdf {

// Deeper trees are flattened: MuPDF builds its page map recursively.
constexpr int kMaxPageTreeDepth = 64;
// The most pages a walk counts when no page limit is set (a tree that reuses
// its nodes can claim more leaves than the file has bytes).
constexpr int kMaxPageTreePages = 10'000'000;

struct PageTree {
  int pages = 0;        // the document's page count from now on
  std::string problem;  // what was wrong with a tree that was repaired; empty when it was sound
};

// For a PDF: walks the tree (MuPDF's reading of it: a kid is a page unless it
// is /Type /Pages, or untyped with /Kids and no /MediaBox), and when a /Count
// disagrees with the pages under it, a node is its own ancestor, a kid is not
// a dictionary or the tree is nested deeper than kMaxPageTreeDepth, replaces
// it in memory with one flat list of its pages. Then loads MuPDF's page map
// (dropped with `doc`). Other formats: MuPDF's page count. Errors:
// kResourceExhausted for more than `max_pages` pages (<= 0: no limit but
// kMaxPageTreePages), kCorrupt for no pages or a tree that cannot be read.
Result<PageTree> PreparePageTree(fz_context* ctx, DocumentPtr& doc, int max_pages);

}  // namespace docpipe::pdf
