#include "pdf/mupdf_handles.h"

#include <cstring>

#include <mupdf/pdf.h>

// MuPDF's reader tables, not declared in its public headers.
extern "C" {
extern fz_document_handler pdf_document_handler;
extern fz_document_handler img_document_handler;
}

#include "pdf/table_rulings.h"

namespace docpipe::pdf {

void Catch(fz_context* ctx, CaughtError* error) {
  error->code = fz_caught(ctx);
  const char* message = fz_caught_message(ctx);
  std::strncpy(error->message, message ? message : "unknown MuPDF error", sizeof(error->message) - 1);
}

namespace {

void RecordWarning(void* user, const char* message) {
  WarningLog* log = static_cast<WarningLog*>(user);
  std::strncpy(log->last, message ? message : "", sizeof(log->last) - 1);
}

// Only the PDF and image readers. MuPDF's others (HTML with its CSS engine,
// EPUB, FB2, MOBI, XHTML, XPS, SVG, CBZ) are never reachable from an input:
// docpipe reads those formats itself, and MuPDF picks a reader by the file's
// name, so an HTML file that holds "%PDF-" reached MuPDF's HTML parser (two
// memory errors in it, found by fuzz_convert_file).
void TryRegisterHandlers(fz_context* ctx, CaughtError* error) {
  fz_try(ctx) {
    fz_register_document_handler(ctx, &pdf_document_handler);
    fz_register_document_handler(ctx, &img_document_handler);
  }
  fz_catch(ctx) { Catch(ctx, error); }
}

void TryOpen(fz_context* ctx, const char* path, const char* reader, fz_document** doc, CaughtError* error) {
  fz_stream* stream = nullptr;
  fz_var(stream);
  fz_try(ctx) {
    stream = fz_open_file(ctx, path);
    *doc = fz_open_document_with_stream(ctx, reader, stream);
  }
  fz_always(ctx) { fz_drop_stream(ctx, stream); }
  fz_catch(ctx) { Catch(ctx, error); }
}

void TryOpenMemory(fz_context* ctx, const char* magic, const std::string* bytes, fz_document** doc,
                   CaughtError* error) {
  fz_buffer* buffer = nullptr;
  fz_stream* stream = nullptr;
  fz_var(buffer);
  fz_var(stream);
  fz_try(ctx) {
    buffer = fz_new_buffer_from_copied_data(ctx, reinterpret_cast<const unsigned char*>(bytes->data()),
                                            bytes->size());
    stream = fz_open_buffer(ctx, buffer);
    *doc = fz_open_document_with_stream(ctx, magic, stream);
  }
  fz_always(ctx) {
    fz_drop_stream(ctx, stream);
    fz_drop_buffer(ctx, buffer);
  }
  fz_catch(ctx) { Catch(ctx, error); }
}

// 0 = no password needed, 1 = needed; authenticated reports the result.
void TryAuthenticate(fz_context* ctx, fz_document* doc, const char* password, int* needs,
                     int* authenticated, CaughtError* error) {
  fz_try(ctx) {
    *needs = fz_needs_password(ctx, doc);
    if (*needs && password[0] != '\0') *authenticated = fz_authenticate_password(ctx, doc, password);
  }
  fz_catch(ctx) { Catch(ctx, error); }
}

void TryCountPages(fz_context* ctx, fz_document* doc, int* count, CaughtError* error) {
  fz_try(ctx) { *count = fz_count_pages(ctx, doc); }
  fz_catch(ctx) { Catch(ctx, error); }
}

void TryLookup(fz_context* ctx, fz_document* doc, const char* key, char* buffer, int size,
               int* length) {
  fz_try(ctx) { *length = fz_lookup_metadata(ctx, doc, key, buffer, size); }
  fz_catch(ctx) { *length = -1; }
}

void TryRunPage(fz_context* ctx, fz_document* doc, int index, const fz_stext_options* options,
                fz_cookie* cookie, PageRun* run, CaughtError* error) {
  fz_device* device = nullptr;
  fz_device* tap = nullptr;
  fz_var(device);
  fz_var(tap);
  fz_try(ctx) {
    run->page = fz_load_page(ctx, doc, index);
    run->bounds = fz_bound_page(ctx, run->page);
    run->text = fz_new_stext_page(ctx, run->bounds);
    device = fz_new_stext_device(ctx, run->text, options);
    if (run->rulings) tap = NewRulingDevice(ctx, device, run->rulings);
    fz_run_page(ctx, run->page, tap ? tap : device, fz_identity, cookie);
    if (tap) fz_close_device(ctx, tap);
    fz_close_device(ctx, device);
  }
  fz_always(ctx) {
    fz_drop_device(ctx, tap);
    fz_drop_device(ctx, device);
  }
  fz_catch(ctx) { Catch(ctx, error); }
}

void TryRenderGray(fz_context* ctx, fz_page* page, float scale, const fz_rect& clip, fz_cookie* cookie,
                   GrayPixmap* out, CaughtError* error) {
  fz_device* device = nullptr;
  fz_var(device);
  fz_try(ctx) {
    const fz_matrix ctm = fz_scale(scale, scale);
    const fz_rect area = fz_intersect_rect(fz_bound_page(ctx, page), clip);
    const fz_irect box = fz_round_rect(fz_transform_rect(area, ctm));
    out->pixmap = fz_new_pixmap_with_bbox(ctx, fz_device_gray(ctx), box, nullptr, 0);
    fz_clear_pixmap_with_value(ctx, out->pixmap, 255);
    device = fz_new_draw_device(ctx, fz_identity, out->pixmap);
    fz_run_page(ctx, page, device, ctm, cookie);
    fz_close_device(ctx, device);
    out->x = out->pixmap->x;
    out->y = out->pixmap->y;
    out->width = fz_pixmap_width(ctx, out->pixmap);
    out->height = fz_pixmap_height(ctx, out->pixmap);
    out->stride = static_cast<int>(fz_pixmap_stride(ctx, out->pixmap));
    out->samples = fz_pixmap_samples(ctx, out->pixmap);
  }
  fz_always(ctx) { fz_drop_device(ctx, device); }
  fz_catch(ctx) { Catch(ctx, error); }
}

}  // namespace

void DocumentDeleter::operator()(fz_document* doc) const {
  fz_drop_document(ctx, doc);
}

Result<ContextPtr> NewWorkerContext(WarningLog* log, MemoryBudget* memory) {
  ContextPtr ctx(fz_new_context(memory->allocator(), nullptr, FZ_STORE_DEFAULT));
  if (!ctx) return Status::ResourceExhausted("cannot create MuPDF context");
  CaughtError error;
  TryRegisterHandlers(ctx.get(), &error);
  if (error.code != 0) return Status::Internal(std::string("MuPDF handlers: ") + error.message);
  fz_set_error_callback(ctx.get(), RecordWarning, log);
  fz_set_warning_callback(ctx.get(), RecordWarning, log);
  return ctx;
}

Result<DocumentPtr> OpenDocument(fz_context* ctx, const std::string& path, MupdfReader reader,
                                 const std::string& password) {
  CaughtError error;
  fz_document* raw = nullptr;
  // A MIME type rather than the path: MuPDF would pick the reader by the name.
  TryOpen(ctx, path.c_str(), reader == MupdfReader::kImage ? "image/png" : "application/pdf", &raw, &error);
  DocumentPtr doc(raw, DocumentDeleter{ctx});
  if (error.code != 0 || !doc) {
    return Status::Corrupt(std::string("cannot open PDF: ") + error.message);
  }
  int needs = 0, authenticated = 0;
  TryAuthenticate(ctx, doc.get(), password.c_str(), &needs, &authenticated, &error);
  if (error.code != 0) return Status::Corrupt(std::string("cannot decrypt PDF: ") + error.message);
  if (needs && password.empty()) {
    return Status::PermissionDenied("PDF is encrypted and no password was given");
  }
  if (needs && !authenticated) return Status::PermissionDenied("wrong password for encrypted PDF");
  return doc;
}

Result<DocumentPtr> OpenDocumentFromMemory(fz_context* ctx, const char* magic, const std::string& bytes) {
  CaughtError error;
  fz_document* raw = nullptr;
  TryOpenMemory(ctx, magic, &bytes, &raw, &error);
  DocumentPtr doc(raw, DocumentDeleter{ctx});
  if (error.code != 0 || !doc) return Status::Corrupt(std::string("cannot open image: ") + error.message);
  return doc;
}

Result<int> CountPages(fz_context* ctx, fz_document* doc) {
  CaughtError error;
  int count = 0;
  TryCountPages(ctx, doc, &count, &error);
  if (error.code != 0) return Status::Corrupt(std::string("cannot count pages: ") + error.message);
  return count;
}

std::string LookupMetadata(fz_context* ctx, fz_document* doc, const char* key) {
  char buffer[1024];
  int length = -1;
  TryLookup(ctx, doc, key, buffer, sizeof(buffer), &length);
  if (length <= 0) return {};
  buffer[sizeof(buffer) - 1] = '\0';
  return std::string(buffer);
}

Status RunPage(fz_context* ctx, fz_document* doc, int index, const fz_stext_options& options,
               fz_cookie* cookie, PageRun* run) {
  CaughtError error;
  TryRunPage(ctx, doc, index, &options, cookie, run, &error);
  if (error.code == FZ_ERROR_MEMORY) return Status::ResourceExhausted(error.message);
  if (error.code != 0) return Status::Corrupt(error.message);
  return Status::Ok();
}

Status RenderGray(fz_context* ctx, fz_page* page, float scale, const fz_rect& clip, fz_cookie* cookie,
                  GrayPixmap* out) {
  CaughtError error;
  TryRenderGray(ctx, page, scale, clip, cookie, out, &error);
  if (error.code == FZ_ERROR_MEMORY) return Status::ResourceExhausted(error.message);
  if (error.code != 0) return Status::Corrupt(error.message);
  return Status::Ok();
}

}  // namespace docpipe::pdf
