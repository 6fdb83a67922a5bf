#include "scan_test_support.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <vector>

namespace docpipe::scan_test {

std::string ScanPdf(const std::string& name) { return std::string(DOCPIPE_SCAN_CORPUS_DIR "/") + name + ".pdf"; }

nlohmann::json ScanTruth(const std::string& name) {
  std::ifstream in(std::string(DOCPIPE_SCAN_CORPUS_DIR "/") + name + ".truth.json");
  return nlohmann::json::parse(in);
}

std::string Words(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string PageText(const Page& page) {
  std::string text;
  for (const Block& block : page.blocks) text += block.text + "\n";
  return Words(text);
}

double CharacterErrorRate(const std::string& truth, const std::string& read) {
  std::vector<int> row(read.size() + 1);
  for (size_t j = 0; j <= read.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= truth.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= read.size(); ++j) {
      const int substitute = diagonal + (truth[i - 1] != read[j - 1]);
      diagonal = row[j];
      row[j] = std::min({substitute, row[j] + 1, row[j - 1] + 1});
    }
  }
  return truth.empty() ? (read.empty() ? 0 : 1) : static_cast<double>(row[read.size()]) / truth.size();
}

namespace {

std::vector<std::string> NormalizedWords(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text + " ") {
    if (c == ' ' || c == '\n') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else if (std::isalnum(static_cast<unsigned char>(c))) {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return words;
}

}  // namespace

double WordOrderSimilarity(const std::string& truth, const std::string& read) {
  const std::vector<std::string> a = NormalizedWords(truth), b = NormalizedWords(read);
  std::map<std::string, int> count;
  for (const std::string& w : a) count[w]++;
  int shared = 0;
  for (const std::string& w : b) {
    if (count[w] > 0) --count[w], ++shared;
  }
  if (shared == 0) return a.empty() && b.empty() ? 1 : 0;
  std::vector<int> row(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = 0;
    for (size_t j = 1; j <= b.size(); ++j) {
      const int up = row[j];
      row[j] = a[i - 1] == b[j - 1] ? diagonal + 1 : std::max(row[j], row[j - 1]);
      diagonal = up;
    }
  }
  return static_cast<double>(row[b.size()]) / shared;
}

}  // namespace docpipe::scan_test
