#include "format_test_util.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>

#include "core/unicode.h"

namespace docpipe::formats_test {

std::string Fixture(const std::string& name) { return std::string(DOCPIPE_FORMATS_CORPUS_DIR) + "/" + name; }

nlohmann::json Truth(const std::string& name) {
  std::ifstream in(Fixture(name + ".truth.json"));
  return nlohmann::json::parse(in);
}

Result<Document> Convert(const std::string& path, const ConvertFileOptions& options) {
  std::unique_ptr<PdfWorker> worker;
  return ConvertFile(path, options, [&]() -> Result<PdfWorker*> {
    if (!worker) {
      DOCPIPE_ASSIGN_OR_RETURN(std::shared_ptr<const PdfEngine> engine, PdfEngine::Make());
      DOCPIPE_ASSIGN_OR_RETURN(worker, PdfWorker::Make(engine));
    }
    return worker.get();
  });
}

Result<Document> ConvertWithOcr(const std::string& path) {
  std::unique_ptr<PdfWorker> worker;
  return ConvertFile(path, {}, [&]() -> Result<PdfWorker*> {
    if (!worker) {
      DOCPIPE_ASSIGN_OR_RETURN(std::shared_ptr<const PdfEngine> engine, PdfEngine::Make(OcrOptions{}));
      DOCPIPE_ASSIGN_OR_RETURN(worker, PdfWorker::Make(engine));
    }
    return worker.get();
  });
}

namespace {
bool IsPunct(char32_t c) {
  return (c < 0x80 && std::ispunct(static_cast<int>(c))) || c == U'—' || c == U'–' || c == U'“' || c == U'”' ||
         c == U'’' || c == U'¶' || c == U'€';
}

std::string Strip(const std::string& token) {
  std::vector<char32_t> points;
  for (size_t pos = 0; pos < token.size();) points.push_back(NextCodepoint(token, pos));
  size_t start = 0, end = points.size();
  while (start < end && IsPunct(points[start])) ++start;
  while (end > start && IsPunct(points[end - 1])) --end;
  std::string out;
  for (size_t i = start; i < end; ++i) AppendUtf8(out, points[i]);
  return out;
}
}  // namespace

std::string TextOf(const std::string& name) {
  Result<Document> converted = Convert(Fixture(name));
  EXPECT_TRUE(converted.ok()) << name << ": " << converted.status().ToString();
  return converted.ok() ? DocumentText(*converted) : "";
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string current;
  auto push = [&] {
    if (!current.empty()) {
      std::string word = Strip(current);
      if (!word.empty()) words.push_back(word);
    }
    current.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '|') {
      push();
    } else {
      current += c;
    }
  }
  push();
  return words;
}

double WordRecall(const std::string& truth, const std::string& text) {
  std::map<std::string, int> found;
  for (const std::string& word : Words(NormalizeText(text))) ++found[word];
  int total = 0, hit = 0;
  for (const std::string& word : Words(NormalizeText(truth))) {
    ++total;
    if (found[word]-- > 0) ++hit;
  }
  return total == 0 ? 1.0 : static_cast<double>(hit) / total;
}

std::string TruthText(const nlohmann::json& truth) {
  std::string text;
  for (const auto& block : truth["blocks"]) {
    if (block["type"] == "table") {
      for (const auto& row : block["rows"]) {
        for (const auto& cell : row) text += cell.get<std::string>() + "\n";
      }
    } else {
      text += block["text"].get<std::string>() + "\n";
    }
  }
  return text;
}

std::vector<const Block*> BlocksOf(const Document& document, BlockType type) {
  std::vector<const Block*> blocks;
  for (const Page& page : document.pages) {
    for (const Block& block : page.blocks) {
      if (block.type == type) blocks.push_back(&block);
    }
  }
  return blocks;
}

}  // namespace docpipe::formats_test
