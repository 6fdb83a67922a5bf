// DetectFileFormat: magic bytes, ZIP entries, markup; the extension only
// among text kinds.
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/ascii_lower.h"
#include "docpipe/formats.h"
#include "docpipe/text_document.h"
#include "formats/zip_archive.h"
#include "pdf/image_signature.h"
#include "text/charset.h"

namespace docpipe {
namespace {

namespace fs = std::filesystem;

std::string LowerExtension(const std::string& path) {
  std::string extension = fs::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension;
}

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

struct Magic {
  std::string_view bytes;
  FileFormat format;
  const char* description;
};

// Formats other than images told by their first bytes (images: the PDF
// engine's list, pdf/image_signature.h, since that engine reads them).
constexpr Magic kMagics[] = {
    {"\x1f\x8b", FileFormat::kUnknown, "gzip data"},
    {"BZh", FileFormat::kUnknown, "bzip2 data"},
    {"\xFD" "7zXZ", FileFormat::kUnknown, "xz data"},
    {"7z\xBC\xAF", FileFormat::kUnknown, "7-Zip archive"},
    {"\x7F" "ELF", FileFormat::kUnknown, "ELF executable"},
    {"\xD0\xCF\x11\xE0", FileFormat::kUnknown, "OLE2 compound file (legacy Office .doc/.xls/.ppt)"},
    {"{\\rtf", FileFormat::kUnknown, "RTF document"},
    {std::string_view("SQLite format 3\0", 16), FileFormat::kUnknown, "SQLite database"},
    {"OggS", FileFormat::kUnknown, "Ogg media"},
    {"ID3", FileFormat::kUnknown, "MP3 audio"},
    {"%!PS", FileFormat::kUnknown, "PostScript document"},
};

DetectedFormat DetectZip(const std::string& path) {
  const std::string extension = LowerExtension(path);
  FormatLimits limits;
  Result<std::unique_ptr<formats::ZipArchive>> zip = formats::ZipArchive::Open(path, limits);
  if (!zip.ok()) {
    // A damaged DOCX or EPUB is reported as one that failed, not as unsupported.
    if (extension == ".docx") return {FileFormat::kDocx, "damaged DOCX (ZIP)"};
    if (extension == ".epub") return {FileFormat::kEpub, "damaged EPUB (ZIP)"};
    return {FileFormat::kUnknown, "damaged ZIP archive"};
  }
  formats::ZipArchive& archive = **zip;
  if (archive.Has("word/document.xml")) return {FileFormat::kDocx, "DOCX document"};
  std::string mimetype;
  if (archive.Has("mimetype")) {
    Result<std::string> prefix = archive.ReadPrefix("mimetype", 128);
    if (prefix.ok()) mimetype = *prefix;
  }
  if (StartsWith(mimetype, "application/epub+zip") || archive.Has("META-INF/container.xml")) {
    return {FileFormat::kEpub, "EPUB book"};
  }
  if (archive.Has("xl/workbook.xml")) return {FileFormat::kUnknown, "XLSX spreadsheet"};
  if (archive.Has("ppt/presentation.xml")) return {FileFormat::kUnknown, "PPTX presentation"};
  if (StartsWith(mimetype, "application/vnd.oasis.opendocument")) return {FileFormat::kUnknown, "OpenDocument file"};
  return {FileFormat::kUnknown, "ZIP archive"};
}

bool LooksLikeHtml(std::string_view decoded) {
  const std::string head = AsciiLower(decoded.substr(0, 4096));
  size_t start = head.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return false;
  const std::string_view body = std::string_view(head).substr(start);
  if (StartsWith(body, "<!doctype html") || StartsWith(body, "<html")) return true;
  return (StartsWith(body, "<") || StartsWith(body, "<?xml")) &&
         (head.find("<html") != std::string::npos || head.find("<body") != std::string::npos);
}

// Files whose content names no format go by their extension, so that an
// empty or truncated PDF, DOCX or image fails with the reader's reason
// instead of being skipped as unsupported.
DetectedFormat ByExtension(const std::string& extension, DetectedFormat fallback) {
  if (extension == ".pdf") return {FileFormat::kPdf, "PDF document (by its extension)"};
  if (extension == ".docx") return {FileFormat::kDocx, "DOCX document (by its extension)"};
  if (extension == ".epub") return {FileFormat::kEpub, "EPUB book (by its extension)"};
  for (const char* image : {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp"}) {
    if (extension == image) return {FileFormat::kImage, "image (by its extension)"};
  }
  return fallback;
}

DetectedFormat DetectText(const std::string& path, std::string_view head) {
  const std::string extension = LowerExtension(path);
  const text::DecodedText decoded = text::DecodeToUtf8(head);
  const bool binary = decoded.utf8.find('\0') != std::string::npos;
  const bool html_extension = extension == ".html" || extension == ".htm" || extension == ".xhtml";
  if (!binary && (LooksLikeHtml(decoded.utf8) || html_extension)) return {FileFormat::kHtml, "HTML document"};
  if (IsTextFilePath(path)) {
    const bool markdown = extension == ".md" || extension == ".markdown";
    return {markdown ? FileFormat::kMarkdown : FileFormat::kText, markdown ? "Markdown text" : "plain text"};
  }
  if (binary) return ByExtension(extension, {FileFormat::kUnknown, "binary data"});
  return ByExtension(extension, {FileFormat::kUnknown, "text (" + (extension.empty() ? std::string("no extension") : extension) +
                                                        " files are not read as documents)"});
}

// After a UTF-8 byte order mark and white space, a '<'.
bool OpensAsMarkup(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  const size_t first = head.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && head[first] == '<';
}

}  // namespace

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kUnknown: return "unknown";
    case FileFormat::kPdf: return "pdf";
    case FileFormat::kText: return "text";
    case FileFormat::kMarkdown: return "markdown";
    case FileFormat::kHtml: return "html";
    case FileFormat::kEpub: return "epub";
    case FileFormat::kDocx: return "docx";
    case FileFormat::kImage: return "image";
  }
  return "unknown";
}

DetectedFormat DetectFileFormat(const std::string& path) {
  std::error_code error;
  if (fs::is_directory(path, error)) return {FileFormat::kUnknown, "directory"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return ByExtension(LowerExtension(path), {FileFormat::kUnknown, "unreadable file"});
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.empty()) {
    if (IsTextFilePath(path)) return {FileFormat::kText, "empty text"};
    return ByExtension(LowerExtension(path), {FileFormat::kUnknown, "empty file"});
  }
  if (StartsWith(head, "%PDF-")) return {FileFormat::kPdf, "PDF document"};
  if (const std::string_view image = pdf::ImageSignature(head); !image.empty()) {
    return {FileFormat::kImage, std::string(image)};
  }
  for (const Magic& magic : kMagics) {
    if (StartsWith(head, magic.bytes)) return {magic.format, magic.description};
  }
  if (StartsWith(head, "PK\x03\x04") || StartsWith(head, "PK\x05\x06")) return DetectZip(path);
  // PDF readers accept the header anywhere in the first kilobyte (behind a
  // MacBinary or mail header, say); a file that opens as markup is HTML or XML
  // that mentions one.
  if (head.substr(0, 1024).find("%PDF-") != std::string::npos && !OpensAsMarkup(head)) {
    return {FileFormat::kPdf, "PDF document"};
  }
  return DetectText(path, head);
}

}  // namespace docpipe
