// Owning wrappers for MuPDF handles and the calls that may throw a MuPDF
// error. Every fz_try lives in mupdf_handles.cc inside small functions whose
// locals are trivially destructible, so a longjmp never crosses a C++ frame
// with destructors; errors come back as Status.
//
// Thread-safety: a context (and everything opened with it) belongs to one
// thread at a time; each worker thread has a context of its own.
#pragma once

#include <memory>
#include <string>

#include <mupdf/fitz.h>

#include "docpipe/status.h"
#include "pdf/memory_budget.h"

namespace docpipe::pdf {

// A MuPDF error copied out of the fz_catch block: trivially destructible so it
// may live in the frames fz_try jumps across.
struct CaughtError {
  int code = 0;
  char message[256] = {0};
};

// Fills `error` with the error being caught; call only inside fz_catch.
void Catch(fz_context* ctx, CaughtError* error);

struct ContextDeleter {
  void operator()(fz_context* ctx) const { fz_drop_context(ctx); }
};
using ContextPtr = std::unique_ptr<fz_context, ContextDeleter>;

struct DocumentDeleter {
  fz_context* ctx = nullptr;
  void operator()(fz_document* doc) const;
};
using DocumentPtr = std::unique_ptr<fz_document, DocumentDeleter>;

// The last error or warning MuPDF reported on one context: the reason given
// when a page's content fails to parse (MuPDF counts those errors and goes on).
struct WarningLog {
  char last[256] = {0};
};

// A context of its own for one worker thread, with the document handlers
// registered: no locks, its own resource store. Not a clone of a shared base
// context: clones share the base's FZ_LOCK_ALLOC, which MuPDF takes on every
// allocation, so cloned workers serialise on it (measured 1.15x from one to
// two workers); independent contexts scale. MuPDF's errors and warnings go to
// `log` (which must outlive the context) instead of stderr.
// Its allocations go through `memory` (which must outlive the context too);
// MuPDF empties its resource store before it lets an allocation fail.
Result<ContextPtr> NewWorkerContext(WarningLog* log, MemoryBudget* memory);

// Which of MuPDF's two registered readers opens a file: PDF (which repairs a
// damaged or missing header) or image (which decodes PNG, JPEG, GIF, TIFF and
// BMP by their content). The caller chooses by content (image_signature.h).
enum class MupdfReader { kPdf, kImage };

// Opens and authenticates. kCorrupt with MuPDF's reason when the file cannot
// be parsed; kPermissionDenied when a password is missing or wrong.
Result<DocumentPtr> OpenDocument(fz_context* ctx, const std::string& path, MupdfReader reader,
                                 const std::string& password);

// Opens a document held in memory, of the type `magic` names (an extension
// such as "pgm"); MuPDF keeps its own copy of `bytes`. kCorrupt with MuPDF's
// reason when it cannot be parsed.
Result<DocumentPtr> OpenDocumentFromMemory(fz_context* ctx, const char* magic, const std::string& bytes);

Result<int> CountPages(fz_context* ctx, fz_document* doc);

// An Info dictionary entry such as FZ_META_INFO_TITLE; empty when absent.
std::string LookupMetadata(fz_context* ctx, fz_document* doc, const char* key);

// What running one page through the structured-text device produced.
// `text` and `page` are owned by the caller (fz_drop_* them) even on error.
struct RulingSink;
struct PageRun {
  RulingSink* rulings = nullptr;  // when set, the page's vector rulings are collected here
  fz_page* page = nullptr;
  fz_stext_page* text = nullptr;
  fz_rect bounds = {0, 0, 0, 0};
};

// Loads page `index` and fills a structured-text page, honouring `cookie`
// (its abort flag stops a page that runs out of time). On a MuPDF error
// returns a non-OK Status (kResourceExhausted when memory ran out, else
// kCorrupt) and leaves whatever was built in `run`.
Status RunPage(fz_context* ctx, fz_document* doc, int index, const fz_stext_options& options,
               fz_cookie* cookie, PageRun* run);

// An 8-bit gray pixmap of a page or part of one; `pixmap` is owned by the
// caller (PixmapPtr). Its top-left pixel is (x, y) of the scaled page.
struct GrayPixmap {
  fz_pixmap* pixmap = nullptr;
  int x = 0, y = 0;
  int width = 0, height = 0, stride = 0;
  const unsigned char* samples = nullptr;
};

struct PixmapDeleter {
  fz_context* ctx = nullptr;
  void operator()(fz_pixmap* pixmap) const { fz_drop_pixmap(ctx, pixmap); }
};
using PixmapPtr = std::unique_ptr<fz_pixmap, PixmapDeleter>;

// Draws the part of `page` within `clip` (points; fz_infinite_rect for the
// whole page) scaled by `scale` (pixels per point) onto white, in gray,
// honouring `cookie`'s abort flag. On a MuPDF error returns a non-OK Status
// and leaves any pixmap made in `out` for the caller to drop.
Status RenderGray(fz_context* ctx, fz_page* page, float scale, const fz_rect& clip, fz_cookie* cookie,
                  GrayPixmap* out);

}  // namespace docpipe::pdf
