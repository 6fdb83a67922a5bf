#include "hostile_pdfs.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace docpipe::hostile {
namespace {

constexpr const char* kFont = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
constexpr const char* kText = "BT /F1 12 Tf 72 700 Td (Hostile fixture page text, long enough to be a text layer.) Tj ET";

// Numbered objects and a cross-reference table: the smallest valid PDF file.
class PdfWriter {
 public:
  // Adds an object; returns its number (from 1).
  int Add(const std::string& body) {
    objects_.push_back(body);
    return static_cast<int>(objects_.size());
  }
  // Reserves a number for an object written later with Set().
  int Reserve() { return Add(""); }
  void Set(int number, const std::string& body) { objects_[number - 1] = body; }

  static std::string Stream(const std::string& dict, const std::string& data) {
    return "<< " + dict + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data + "\nendstream";
  }
  static std::string Ref(int number) { return std::to_string(number) + " 0 R"; }

  std::string Finish(int catalog) const {
    std::string pdf = "%PDF-1.7\n";
    std::vector<size_t> offsets;
    for (size_t i = 0; i < objects_.size(); ++i) {
      offsets.push_back(pdf.size());
      pdf += std::to_string(i + 1) + " 0 obj\n" + objects_[i] + "\nendobj\n";
    }
    const size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects_.size() + 1) + "\n0000000000 65535 f \n";
    for (size_t offset : offsets) {
      char line[32];
      std::snprintf(line, sizeof(line), "%010zu 00000 n \n", offset);
      pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects_.size() + 1) + " /Root " + Ref(catalog) +
           " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
  }

 private:
  std::vector<std::string> objects_;
};

std::string Page(int parent, int font, int contents, const std::string& extra = "") {
  return "<< /Type /Page /Parent " + PdfWriter::Ref(parent) + " /MediaBox [0 0 612 792] /Resources << /Font << /F1 " +
         PdfWriter::Ref(font) + " >> " + extra + ">> /Contents " + PdfWriter::Ref(contents) + " >>";
}

std::string Pages(const std::string& kids, long long count, int parent = 0) {
  return "<< /Type /Pages " + (parent > 0 ? "/Parent " + PdfWriter::Ref(parent) + " " : std::string()) + "/Kids [" +
         kids + "] /Count " + std::to_string(count) + " >>";
}

// `bytes` of `unit` repeated, deflated as they are made (never all in memory).
std::string Deflate(const std::string& unit, size_t bytes) {
  z_stream z{};
  if (deflateInit(&z, Z_BEST_COMPRESSION) != Z_OK) throw std::runtime_error("deflateInit failed");
  std::string block;
  while (block.size() < (1u << 20)) block += unit;
  std::string out;
  std::vector<unsigned char> buffer(1 << 16);
  size_t left = bytes;
  int flush = Z_NO_FLUSH;
  while (flush != Z_FINISH) {
    const size_t take = std::min(left, block.size());
    left -= take;
    flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    z.next_in = reinterpret_cast<unsigned char*>(block.data());
    z.avail_in = static_cast<unsigned>(take);
    do {
      z.next_out = buffer.data();
      z.avail_out = static_cast<unsigned>(buffer.size());
      deflate(&z, flush);
      out.append(reinterpret_cast<char*>(buffer.data()), buffer.size() - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

}  // namespace

std::string RepeatedPagePdf(int repeats) {
  PdfWriter pdf;
  const int catalog = pdf.Reserve(), pages = pdf.Reserve();
  const int font = pdf.Add(kFont);
  const int contents = pdf.Add(PdfWriter::Stream("", kText));
  const int page = pdf.Add(Page(pages, font, contents));
  std::string kids;
  kids.reserve(static_cast<size_t>(repeats) * 8);
  for (int i = 0; i < repeats; ++i) kids += PdfWriter::Ref(page) + " ";
  pdf.Set(pages, Pages(kids, repeats));
  pdf.Set(catalog, "<< /Type /Catalog /Pages " + PdfWriter::Ref(pages) + " >>");
  return pdf.Finish(catalog);
}

std::string LyingCountPdf(int claimed) {
  PdfWriter pdf;
  const int catalog = pdf.Reserve(), pages = pdf.Reserve();
  const int font = pdf.Add(kFont);
  const int contents = pdf.Add(PdfWriter::Stream("", kText));
  const int page = pdf.Add(Page(pages, font, contents));
  pdf.Set(pages, Pages(PdfWriter::Ref(page), claimed));
  pdf.Set(catalog, "<< /Type /Catalog /Pages " + PdfWriter::Ref(pages) + " >>");
  return pdf.Finish(catalog);
}

std::string FlateBombPdf(size_t uncompressed_bytes) {
  PdfWriter pdf;
  const int catalog = pdf.Reserve(), pages = pdf.Reserve();
  const int font = pdf.Add(kFont);
  // The contents are the two streams joined: the first opens the text
  // object, the second shows the same line at the same place, over and over
  // (0 0 Td goes back to the line's start), all of it inside the page.
  const int start = pdf.Add(PdfWriter::Stream("", "BT /F1 12 Tf 72 700 Td\n"));
  const std::string unit = "(Hostile text that repeats for ever and ever.) Tj 0 0 Td\n";
  const int bomb = pdf.Add(PdfWriter::Stream("/Filter /FlateDecode", Deflate(unit, uncompressed_bytes)));
  const int page = pdf.Add("<< /Type /Page /Parent " + PdfWriter::Ref(pages) +
                           " /MediaBox [0 0 612 792] /Resources << /Font << /F1 " + PdfWriter::Ref(font) +
                           " >> >> /Contents [" + PdfWriter::Ref(start) + " " + PdfWriter::Ref(bomb) + "] >>");
  pdf.Set(pages, Pages(PdfWriter::Ref(page), 1));
  pdf.Set(catalog, "<< /Type /Catalog /Pages " + PdfWriter::Ref(pages) + " >>");
  return pdf.Finish(catalog);
}

std::string DeepTreePdf(int depth) {
  PdfWriter pdf;
  const int catalog = pdf.Reserve();
  const int font = pdf.Add(kFont);
  const int contents = pdf.Add(PdfWriter::Stream("", kText));
  std::vector<int> nodes;
  for (int i = 0; i < depth; ++i) nodes.push_back(pdf.Reserve());
  const int page = pdf.Add(Page(nodes.back(), font, contents));
  for (int i = 0; i < depth; ++i) {
    const int kid = i + 1 < depth ? nodes[i + 1] : page;
    pdf.Set(nodes[i], Pages(PdfWriter::Ref(kid), 1, i > 0 ? nodes[i - 1] : 0));
  }
  pdf.Set(catalog, "<< /Type /Catalog /Pages " + PdfWriter::Ref(nodes.front()) + " >>");
  return pdf.Finish(catalog);
}

std::string CyclicTreePdf() {
  PdfWriter pdf;
  const int catalog = pdf.Reserve(), pages = pdf.Reserve();
  const int font = pdf.Add(kFont);
  const int contents = pdf.Add(PdfWriter::Stream("", kText));
  const int page = pdf.Add(Page(pages, font, contents));
  pdf.Set(pages, Pages(PdfWriter::Ref(page) + " " + PdfWriter::Ref(pages), 2));
  pdf.Set(catalog, "<< /Type /Catalog /Pages " + PdfWriter::Ref(pages) + " >>");
  return pdf.Finish(catalog);
}

std::string SlowPagesPdf(int page_count) {
  constexpr int kDepth = 9;
  PdfWriter pdf;
  const int catalog = pdf.Reserve(), pages = pdf.Reserve();
  const int font = pdf.Add(kFont);
  std::vector<int> forms;
  for (int level = 0; level < kDepth; ++level) forms.push_back(pdf.Reserve());
  std::string xobjects = "/XObject << ";
  for (int level = 0; level < kDepth; ++level) {
    xobjects += "/X" + std::to_string(level) + " " + PdfWriter::Ref(forms[level]) + " ";
  }
  xobjects += ">> ";
  const std::string resources = "<< /Font << /F1 " + PdfWriter::Ref(font) + " >> " + xobjects + ">>";
  for (int level = 0; level < kDepth; ++level) {
    std::string content;
    for (int i = 0; i < 10; ++i) {
      content += level + 1 < kDepth ? "/X" + std::to_string(level + 1) + " Do\n"
                                    : "BT /F1 1 Tf 10 10 Td (slow text) Tj ET\n";
    }
    pdf.Set(forms[level], PdfWriter::Stream("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources " +
                                                resources, content));
  }
  std::string kids;
  for (int p = 0; p < page_count; ++p) {
    const int contents = pdf.Add(PdfWriter::Stream("", "/X0 Do"));
    kids += PdfWriter::Ref(pdf.Add(Page(pages, font, contents, xobjects))) + " ";
  }
  pdf.Set(pages, Pages(kids, page_count));
  pdf.Set(catalog, "<< /Type /Catalog /Pages " + PdfWriter::Ref(pages) + " >>");
  return pdf.Finish(catalog);
}

std::string WriteFixture(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace docpipe::hostile
