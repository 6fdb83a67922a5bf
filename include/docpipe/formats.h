// Every input format docpipe reads, told apart by content, and converted into
// the one document model: HTML/XHTML, EPUB and DOCX by their semantic
// structure (headings with levels, paragraphs, nested lists, tables, code,
// captions), plain text in any common encoding, and images (one page each,
// recognised by OCR as scanned PDF pages are).
//
// Pure functions of the file (images use the caller's PdfWorker); thread-safe.
// Every reader is bounded: ZIP entries, decompressed bytes, XML entities
// (never expanded beyond the predefined ones, never loaded from outside),
// HTML nesting depth and image size all have limits, and going past one is an
// error Status naming the limit, never a crash or an unbounded allocation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "docpipe/document.h"
#include "docpipe/pdf.h"
#include "docpipe/status.h"

namespace docpipe {

enum class FileFormat { kUnknown, kPdf, kText, kMarkdown, kHtml, kEpub, kDocx, kImage };

// "unknown", "pdf", "text", "markdown", "html", "epub", "docx", "image".
std::string_view FileFormatName(FileFormat format);

struct DetectedFormat {
  FileFormat format = FileFormat::kUnknown;
  // What the content is, for reports: "PDF", "PNG image", "ZIP archive",
  // "gzip data", "ELF executable", "empty file", "binary data", ...
  std::string description;
};

// The format from the file's content: magic bytes, the entries of a ZIP
// (word/document.xml: DOCX; a "mimetype" of application/epub+zip: EPUB), the
// first markup of a text file; the extension only decides between text kinds
// (".md" is Markdown, ".html" text without markup is still HTML). A file that
// cannot be read is kUnknown with the reason as its description.
DetectedFormat DetectFileFormat(const std::string& path);

struct FormatLimits {
  int64_t max_file_bytes = int64_t{1} << 30;       // any input read whole into memory
  int64_t max_unzipped_bytes = int64_t{1} << 30;   // all entries read from one ZIP together
  int64_t max_entry_bytes = int64_t{256} << 20;    // one ZIP entry
  int64_t max_zip_entries = 20000;
  int64_t max_image_pixels = int64_t{128} << 20;   // width x height of an image input (each page)
};

struct ConvertFileOptions {
  FormatLimits limits;
  PdfOptions pdf;  // for PDFs and images
};

// Converts the file at `path` into a Document. HTML, EPUB, DOCX, text and
// Markdown are read here; PDFs and images are handed to the worker that
// `pdf_worker` returns (asked for only then, so it may make one lazily).
// Sets Document::seconds.extract (and what the PDF worker sets).
// Errors: kUnsupported naming the detected type for anything else,
// kCorrupt for a damaged or truncated file, kResourceExhausted for a file
// past a FormatLimits bound, kIoError when it cannot be read.
Result<Document> ConvertFile(const std::string& path, const ConvertFileOptions& options,
                             const PdfWorkerForThread& pdf_worker);

}  // namespace docpipe
