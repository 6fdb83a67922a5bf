// libFuzzer target: untrusted bytes through ConvertFile, the reader of every
// format but PDF (HTML, EPUB, DOCX, text in any encoding, images), with small
// limits. The first byte picks how the rest reaches it:
//   0: as a file of its own (type detection picks the reader; a damaged ZIP
//      goes to the archive reader);
//   1: as word/document.xml of a DOCX (a valid, stored ZIP around it), so that
//      mutations reach the DOCX reader instead of the ZIP checks;
//   2: as the one chapter of an EPUB (container, package and spine valid);
//   3: as an .html file; 4: as a .md file;
//   5: as the parts of a DOCX, split at "\n--8<--\n": word/document.xml,
//      styles.xml, numbering.xml, footnotes.xml, docProps/core.xml;
//   6: as the package document (content.opf) of an EPUB with one chapter.
// Checks: no crash or sanitizer report; a failure has a message; pages are
// numbered in order; every block's text is valid UTF-8.
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/unicode.h"
#include "docpipe/formats.h"
#include "docpipe/pdf.h"
#include "fuzz_pdf_worker.h"

namespace {

// One scratch directory; the reader types text files by extension, so each
// mode writes a file name of its own.
std::string ScratchDir() {
  static const std::string dir = [] {
    char name[] = "/tmp/fuzz_convert_file-XXXXXX";
    if (mkdtemp(name) == nullptr) std::abort();
    return std::string(name);
  }();
  return dir;
}

uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

void Put16(std::string& out, uint32_t value) {
  out.push_back(static_cast<char>(value & 0xFF));
  out.push_back(static_cast<char>((value >> 8) & 0xFF));
}

void Put32(std::string& out, uint32_t value) {
  Put16(out, value & 0xFFFF);
  Put16(out, value >> 16);
}

// A ZIP of stored (uncompressed) entries, in order.
std::string StoredZip(const std::vector<std::pair<std::string, std::string_view>>& entries) {
  std::string zip, directory;
  for (const auto& entry : entries) {
    const std::string& name = entry.first;  // not a structured binding: clang 14's lambdas cannot capture one
    const std::string_view data = entry.second;
    const uint32_t offset = static_cast<uint32_t>(zip.size()), crc = Crc32(data);
    const auto size = static_cast<uint32_t>(data.size());
    auto header = [&](std::string& out, bool central) {
      Put32(out, central ? 0x02014b50 : 0x04034b50);
      if (central) Put16(out, 20);  // made by
      Put16(out, 20);               // needed to extract
      Put16(out, 0);                // flags
      Put16(out, 0);                // stored
      Put32(out, 0);                // time and date
      Put32(out, crc);
      Put32(out, size);
      Put32(out, size);
      Put16(out, static_cast<uint32_t>(name.size()));
      Put16(out, 0);  // extra
      if (central) {
        Put16(out, 0);  // comment
        Put16(out, 0);  // disk
        Put16(out, 0);  // internal attributes
        Put32(out, 0);  // external attributes
        Put32(out, offset);
      }
      out += name;
    };
    header(zip, false);
    zip.append(data);
    header(directory, true);
  }
  const auto directory_offset = static_cast<uint32_t>(zip.size());
  zip += directory;
  Put32(zip, 0x06054b50);
  Put16(zip, 0);
  Put16(zip, 0);
  Put16(zip, static_cast<uint32_t>(entries.size()));
  Put16(zip, static_cast<uint32_t>(entries.size()));
  Put32(zip, static_cast<uint32_t>(directory.size()));
  Put32(zip, directory_offset);
  Put16(zip, 0);
  return zip;
}

constexpr std::string_view kContainer =
    "<?xml version=\"1.0\"?><container version=\"1.0\" "
    "xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles><rootfile "
    "full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\"/></rootfiles></container>";
constexpr std::string_view kPackage =
    "<?xml version=\"1.0\"?><package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\"><metadata "
    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>Fuzz</dc:title></metadata><manifest><item id=\"c1\" "
    "href=\"c1.xhtml\" media-type=\"application/xhtml+xml\"/></manifest><spine><itemref idref=\"c1\"/></spine>"
    "</package>";
constexpr std::string_view kChapter =
    "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>One</title></head>"
    "<body><h1>One</h1><p>A chapter.</p></body></html>";

// An EPUB of one chapter, valid around whichever part is the input.
std::string Epub(std::string_view package, std::string_view chapter) {
  return StoredZip({{"mimetype", "application/epub+zip"},
                    {"META-INF/container.xml", kContainer},
                    {"OEBPS/content.opf", package},
                    {"OEBPS/c1.xhtml", chapter}});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string name, bytes;
  switch (data[0] % 7) {
    case 0: name = "input"; bytes = input; break;
    case 1: name = "input.docx"; bytes = StoredZip({{"word/document.xml", input}}); break;
    case 2: name = "input.epub"; bytes = Epub(kPackage, input); break;
    case 3: name = "input.html"; bytes = input; break;
    case 4: name = "input.md"; bytes = input; break;
    case 5: {
      name = "parts.docx";
      static const std::string kPartNames[] = {"word/document.xml", "word/styles.xml", "word/numbering.xml",
                                               "word/footnotes.xml", "docProps/core.xml"};
      std::vector<std::pair<std::string, std::string_view>> parts;
      std::string_view rest = input;
      for (const std::string& part : kPartNames) {
        const size_t cut = rest.find("\n--8<--\n");
        parts.emplace_back(part, rest.substr(0, cut));
        if (cut == std::string_view::npos) break;
        rest.remove_prefix(cut + 8);
      }
      bytes = StoredZip(parts);
      break;
    }
    default: name = "package.epub"; bytes = Epub(input, kChapter); break;
  }
  const std::string path = ScratchDir() + "/" + name;
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) std::abort();
  std::fclose(file);

  docpipe::ConvertFileOptions options;
  options.limits.max_file_bytes = 4 << 20;
  options.limits.max_unzipped_bytes = 16 << 20;
  options.limits.max_entry_bytes = 8 << 20;
  options.limits.max_zip_entries = 64;
  options.limits.max_image_pixels = 4 << 20;
  options.pdf.page_timeout_seconds = 1;
  options.pdf.document_timeout_seconds = 5;
  options.pdf.max_pages = 20;
  options.pdf.worker_memory_bytes = size_t{256} << 20;
  docpipe::Result<docpipe::Document> document =
      docpipe::ConvertFile(path, options, []() -> docpipe::Result<docpipe::PdfWorker*> {
        return &docpipe::fuzz::SharedPdfWorker();
      });
  std::remove(path.c_str());
  if (!document.ok()) {
    if (document.status().message().empty()) std::abort();
    return 0;
  }
  for (size_t i = 0; i < document->pages.size(); ++i) {
    const docpipe::Page& page = document->pages[i];
    if (page.number != static_cast<int>(i) + 1) std::abort();
    for (const docpipe::Block& block : page.blocks) {
      if (!docpipe::IsValidUtf8(block.text)) std::abort();
    }
  }
  return 0;
}
