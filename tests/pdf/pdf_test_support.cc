#include "pdf_test_support.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace docpipe::pdf_test {

std::string CorpusPdf(const std::string& name) {
  return std::string(DOCPIPE_PDF_CORPUS_DIR) + "/" + name + ".pdf";
}

nlohmann::json Truth(const std::string& name) {
  std::ifstream in(std::string(DOCPIPE_PDF_CORPUS_DIR) + "/" + name + ".truth.json");
  return nlohmann::json::parse(in);
}

std::string ScratchDir(const std::string& name) {
  // CTest runs every test in its own process, in parallel: the directory is
  // keyed by the running test too, so two tests never clear each other's files.
  std::filesystem::path dir = DOCPIPE_TEST_TMP_DIR;
  if (const auto* test = ::testing::UnitTest::GetInstance()->current_test_info()) {
    dir /= std::string(test->test_suite_name()) + "." + test->name();
  }
  dir /= name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::vector<const Block*> AllBlocks(const Document& document) {
  std::vector<const Block*> blocks;
  for (const Page& page : document.pages) {
    for (const Block& block : page.blocks) blocks.push_back(&block);
  }
  return blocks;
}

nlohmann::json WordMetrics(const std::string& name, const Document& document) {
  nlohmann::json extraction;
  extraction["pages"] = nlohmann::json::array();
  for (const Page& page : document.pages) {
    nlohmann::json blocks = nlohmann::json::array();
    for (const Block& block : page.blocks) blocks.push_back({{"text", block.text}});
    extraction["pages"].push_back({{"blocks", blocks}});
  }
  const std::string dir = ScratchDir("metrics_" + name);
  const std::string out_path = dir + "/extraction.json";
  std::ofstream(out_path) << extraction.dump();
  const std::string command = std::string(DOCPIPE_PYTHON) + " " + DOCPIPE_SOURCE_DIR +
                              "/tests/fixtures/word_metrics.py " + DOCPIPE_PDF_CORPUS_DIR + "/" +
                              name + ".truth.json " + out_path;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {};
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  if (pclose(pipe) != 0) return {};
  return nlohmann::json::parse(output, nullptr, false);
}

std::string WritePdf(const std::string& path, const std::vector<std::string>& page_contents,
                     const std::vector<std::string>& forms, int rotate) {
  // Objects: 1 catalog, 2 page tree, 3 font, then forms, then page + content pairs.
  std::vector<std::string> objects;
  std::string resources =
      "<< /Font << /F1 3 0 R /F2 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >> "
      "/F3 << /Type /Font /Subtype /Type1 /BaseFont /Courier >> >> /XObject << ";
  for (size_t f = 0; f < forms.size(); ++f) {
    resources += "/X" + std::to_string(f) + " " + std::to_string(4 + f) + " 0 R ";
  }
  resources += ">> >>";
  const int first_page = 4 + static_cast<int>(forms.size());
  std::string kids;
  for (size_t p = 0; p < page_contents.size(); ++p) kids += std::to_string(first_page + 2 * p) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " +
                    std::to_string(page_contents.size()) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  auto stream = [](const std::string& dict, const std::string& data) {
    return "<< " + dict + " /Length " + std::to_string(data.size()) + " >>\nstream\n" + data +
           "\nendstream";
  };
  for (const std::string& form : forms) {
    objects.push_back(stream("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources " + resources, form));
  }
  for (size_t p = 0; p < page_contents.size(); ++p) {
    const std::string rotation = rotate != 0 ? " /Rotate " + std::to_string(rotate) : "";
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]" + rotation + " /Resources " +
                      resources + " /Contents " + std::to_string(first_page + 2 * p + 1) + " 0 R >>");
    objects.push_back(stream("", page_contents[p]));
  }
  std::ostringstream pdf;
  pdf << "%PDF-1.7\n";
  std::vector<std::streamoff> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.tellp());
    pdf << i + 1 << " 0 obj\n" << objects[i] << "\nendobj\n";
  }
  const std::streamoff xref = pdf.tellp();
  pdf << "xref\n0 " << objects.size() + 1 << "\n0000000000 65535 f \n";
  for (std::streamoff offset : offsets) {
    char line[32];
    std::snprintf(line, sizeof(line), "%010lld 00000 n \n", static_cast<long long>(offset));
    pdf << line;
  }
  pdf << "trailer\n<< /Size " << objects.size() + 1 << " /Root 1 0 R >>\nstartxref\n" << xref
      << "\n%%EOF\n";
  std::ofstream(path, std::ios::binary) << pdf.str();
  return path;
}

void ExpectSameBlocks(const Document& a, const Document& b) {
  const std::vector<const Block*> left = AllBlocks(a), right = AllBlocks(b);
  ASSERT_EQ(left.size(), right.size());
  for (size_t i = 0; i < left.size(); ++i) {
    EXPECT_EQ(left[i]->type, right[i]->type) << i;
    EXPECT_EQ(left[i]->text, right[i]->text) << i;
    EXPECT_EQ(left[i]->level, right[i]->level) << i;
    EXPECT_EQ(left[i]->ordered, right[i]->ordered) << i;
    EXPECT_EQ(left[i]->page, right[i]->page) << i;
    EXPECT_EQ(left[i]->heading_path, right[i]->heading_path) << i;
  }
  ASSERT_EQ(a.pages.size(), b.pages.size());
  for (size_t p = 0; p < a.pages.size(); ++p) {
    EXPECT_EQ(a.pages[p].kind, b.pages[p].kind);
    EXPECT_EQ(a.pages[p].needs_ocr, b.pages[p].needs_ocr);
    EXPECT_EQ(a.pages[p].error, b.pages[p].error);
  }
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.metadata.title, b.metadata.title);
}

}  // namespace docpipe::pdf_test
