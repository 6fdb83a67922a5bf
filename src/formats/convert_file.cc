// ConvertFile: the one entry that turns any supported file into a Document.
#include <filesystem>

#include "core/read_file.h"
#include "core/stopwatch.h"
#include "docpipe/formats.h"
#include "docpipe/text_document.h"
#include "formats/docx_document.h"
#include "formats/epub_document.h"
#include "formats/html_document.h"
#include "formats/image_size.h"

namespace docpipe {
namespace {

Result<Document> ConvertHtml(const std::string& path, const FormatLimits& limits) {
  DOCPIPE_ASSIGN_OR_RETURN(std::string bytes, ReadFileBytes(path, limits.max_file_bytes));
  formats::DocumentBuilder builder;
  DOCPIPE_ASSIGN_OR_RETURN(formats::HtmlHead head, formats::AddHtmlBlocks(bytes, &builder));
  DocumentMetadata metadata;
  metadata.title = std::move(head.title);
  metadata.created = std::move(head.created);
  metadata.modified = std::move(head.modified);
  return builder.Finish(path, std::move(metadata));
}

// Images become scanned pages of the PDF engine (MuPDF opens them as
// one-page documents, TIFF one page per image), recognised with the same
// OCR, layout and orientation handling as scanned PDFs; only their size is
// checked here, from the header, before anything is decoded.
Result<Document> ConvertImage(const std::string& path, const ConvertFileOptions& options,
                              const PdfWorkerForThread& pdf_worker) {
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<formats::ImageSize> sizes, formats::ReadImageSizes(path));
  for (size_t page = 0; page < sizes.size(); ++page) {
    const formats::ImageSize& size = sizes[page];
    if (size.width <= 0 || size.height <= 0) return Status::Corrupt("image has no pixels");
    // Divided, not multiplied: a header may claim 2^32 - 1 pixels each way.
    if (size.width > options.limits.max_image_pixels / size.height) {
      return Status::ResourceExhausted(
          "image" + (sizes.size() > 1 ? " page " + std::to_string(page + 1) : std::string()) + " of " +
          std::to_string(size.width) + " x " + std::to_string(size.height) + " pixels is larger than the limit of " +
          std::to_string(options.limits.max_image_pixels) + " pixels");
    }
  }
  DOCPIPE_ASSIGN_OR_RETURN(PdfWorker * worker, pdf_worker());
  return worker->Convert(path, options.pdf);
}

Result<Document> ConvertDetected(const std::string& path, const ConvertFileOptions& options,
                                 const PdfWorkerForThread& pdf_worker) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return Status::NotFound("no such file: " + path);
  const DetectedFormat detected = DetectFileFormat(path);
  Stopwatch watch;
  Result<Document> document = Status::Internal("unreachable");
  switch (detected.format) {
    case FileFormat::kPdf: {
      Result<PdfWorker*> worker = pdf_worker();
      if (!worker.ok()) return worker.status();
      return (*worker)->Convert(path, options.pdf);
    }
    case FileFormat::kImage: return ConvertImage(path, options, pdf_worker);
    case FileFormat::kText:
    case FileFormat::kMarkdown: document = ParseTextFile(path); break;
    case FileFormat::kHtml: document = ConvertHtml(path, options.limits); break;
    case FileFormat::kEpub: document = formats::ConvertEpub(path, options.limits); break;
    case FileFormat::kDocx: document = formats::ConvertDocx(path, options.limits); break;
    case FileFormat::kUnknown: return Status::Unsupported("unsupported file type: " + detected.description);
  }
  if (!document.ok()) return document.status().WithContext(detected.description);
  document->seconds.extract = watch.Seconds();
  return document;
}

}  // namespace

Result<Document> ConvertFile(const std::string& path, const ConvertFileOptions& options,
                             const PdfWorkerForThread& pdf_worker) {
  // A reader's exception (a library's, or a bound docpipe missed) fails this
  // file alone instead of the whole run.
  try {
    return ConvertDetected(path, options, pdf_worker);
  } catch (const std::bad_alloc&) {
    return Status::ResourceExhausted(path + ": out of memory while reading it");
  } catch (const std::exception& e) {
    return Status::Corrupt(path + ": cannot be read: " + e.what());
  }
}

}  // namespace docpipe
