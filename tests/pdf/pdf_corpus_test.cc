// The extractor against the generated fixture corpus and its exact truth.
#include <string>

#include <gtest/gtest.h>

#include "docpipe/pdf.h"
#include "pdf_test_support.h"

namespace docpipe {
namespace {

using pdf_test::AllBlocks;
using pdf_test::CorpusPdf;
using pdf_test::Truth;

class PdfCorpusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto engine = PdfEngine::Make();
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = *engine;
  }
  static void TearDownTestSuite() { engine_.reset(); }

  Document Convert(const std::string& name, const std::string& password = "") {
    auto worker = PdfWorker::Make(engine_);
    EXPECT_TRUE(worker.ok());
    PdfOptions options;
    options.password = password;
    auto document = (*worker)->Convert(CorpusPdf(name), options);
    EXPECT_TRUE(document.ok()) << name << ": " << document.status().ToString();
    return document.ok() ? std::move(document).value() : Document();
  }

  static std::shared_ptr<const PdfEngine> engine_;
};

std::shared_ptr<const PdfEngine> PdfCorpusTest::engine_;

std::string_view TruthType(BlockType type) {
  switch (type) {
    case BlockType::kListItem: return "list_item";
    default: return BlockTypeName(type);
  }
}

// Every digital block of the truth, in order, with type, level, list flag,
// page, exact text and heading path.
void ExpectGolden(const std::string& name, const Document& document) {
  const nlohmann::json truth = Truth(name);
  std::vector<nlohmann::json> expected;
  for (const auto& block : truth["blocks"]) {
    if (block.value("source", "digital") == "digital") expected.push_back(block);
  }
  const std::vector<const Block*> blocks = AllBlocks(document);
  ASSERT_EQ(blocks.size(), expected.size()) << name;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const nlohmann::json& want = expected[i];
    const Block& got = *blocks[i];
    SCOPED_TRACE(name + " block " + std::to_string(i) + ": " + want["text"].get<std::string>());
    EXPECT_EQ(TruthType(got.type), want["type"].get<std::string>());
    EXPECT_EQ(got.text, want["text"].get<std::string>());
    EXPECT_EQ(got.level, want["level"].get<int>());
    EXPECT_EQ(got.ordered, want.value("ordered", false));
    EXPECT_EQ(got.page, want["page"].get<int>());
    EXPECT_EQ(got.heading_path, want["heading_path"].get<std::vector<std::string>>());
  }
}

TEST_F(PdfCorpusTest, HeadingsMatchTruth) { ExpectGolden("headings", Convert("headings")); }
TEST_F(PdfCorpusTest, TwoColumnReadingOrderMatchesTruth) { ExpectGolden("two_column", Convert("two_column")); }
TEST_F(PdfCorpusTest, HyphenationMatchesTruth) { ExpectGolden("hyphenation", Convert("hyphenation")); }
TEST_F(PdfCorpusTest, ListsMatchTruth) { ExpectGolden("lists", Convert("lists")); }
TEST_F(PdfCorpusTest, UnicodeMatchesTruth) { ExpectGolden("unicode", Convert("unicode")); }
TEST_F(PdfCorpusTest, BlankPageMatchesTruth) { ExpectGolden("blank_page", Convert("blank_page")); }
TEST_F(PdfCorpusTest, MixedOcrDigitalPagesMatchTruth) { ExpectGolden("mixed_ocr", Convert("mixed_ocr")); }

// 1,000 pages whose "Part N" headings sit where running heads do: masking
// their numbers must not turn them into page furniture.
TEST_F(PdfCorpusTest, LongDocumentMatchesTruth) {
  const Document document = Convert("long");
  ExpectGolden("long", document);
  const nlohmann::json metrics = pdf_test::WordMetrics("long", document);
  ASSERT_TRUE(metrics.is_object());
  EXPECT_EQ(metrics["recall"].get<double>(), 1.0);
  EXPECT_EQ(metrics["precision"].get<double>(), 1.0);
}

TEST_F(PdfCorpusTest, WordRecallAndPrecisionOverCorpus) {
  long truth_words = 0;
  double recall_words = 0, precision_words = 0;
  long extracted_words = 0;
  for (const char* name : {"headings", "two_column", "hyphenation", "lists", "mixed_ocr", "blank_page",
                           "unicode", "encrypted"}) {
    const Document document = Convert(name, name == std::string("encrypted") ? "secret" : "");
    const nlohmann::json metrics = pdf_test::WordMetrics(name, document);
    ASSERT_TRUE(metrics.is_object()) << "word_metrics.py failed on " << name;
    EXPECT_EQ(metrics["order"].get<double>(), 1.0) << name;
    EXPECT_TRUE(metrics["removed"].empty()) << name << ": " << metrics["removed"].dump();
    truth_words += metrics["truth_words"].get<long>();
    extracted_words += metrics["extracted_words"].get<long>();
    recall_words += metrics["recall"].get<double>() * metrics["truth_words"].get<long>();
    precision_words += metrics["precision"].get<double>() * metrics["extracted_words"].get<long>();
  }
  EXPECT_GE(recall_words / truth_words, 0.99);
  EXPECT_GE(precision_words / extracted_words, 0.99);
}

TEST_F(PdfCorpusTest, RunningHeadersFootersAndPageNumbersAreGone) {
  for (const char* name : {"headings", "two_column", "hyphenation", "lists", "unicode"}) {
    const Document document = Convert(name);
    const nlohmann::json truth = Truth(name);
    ASSERT_FALSE(truth["removed"].empty()) << name;
    for (const auto& removed : truth["removed"]) {
      const std::string line = removed.get<std::string>();
      // A bare page number may occur inside text ("2 Related Work"); a
      // header with words must not occur anywhere.
      const bool has_letters = line.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos;
      for (const Block* block : AllBlocks(document)) {
        EXPECT_NE(block->text, line) << name;
        if (has_letters) {
          EXPECT_EQ(block->text.find(line), std::string::npos) << name << ": " << block->text;
        }
      }
    }
  }
}

TEST_F(PdfCorpusTest, HyphenatedBreaksJoinedAndCompoundsKept) {
  std::string text = DocumentText(Convert("hyphenation"));
  for (const char* joined : {"information", "unless", "document", "opportunity"}) {
    EXPECT_NE(text.find(joined), std::string::npos) << joined;
  }
  for (const char* compound : {"state-of-the-art", "well-known", "long-term", "self-contained"}) {
    EXPECT_NE(text.find(compound), std::string::npos) << compound;
  }
  for (const char* broken : {"infor-", "infor ", "wellknown", "longterm", "\xEF\xAC\x81"}) {
    EXPECT_EQ(text.find(broken), std::string::npos) << broken;
  }
  EXPECT_NE(text.find("first"), std::string::npos);  // drawn with the U+FB01 ligature glyph
}

TEST_F(PdfCorpusTest, ListItemsDetectedWithMarkersStripped) {
  const Document document = Convert("lists");
  int bulleted = 0, numbered = 0, nested = 0;
  for (const Block* block : AllBlocks(document)) {
    if (block->type != BlockType::kListItem) continue;
    (block->ordered ? numbered : bulleted)++;
    nested += block->level > 0;
    EXPECT_NE(block->text.substr(0, 3), "\xE2\x80\xA2 ");
    EXPECT_FALSE(block->text.empty());
  }
  EXPECT_GT(bulleted, 0);
  EXPECT_GT(numbered, 0);
  EXPECT_GT(nested, 0);
}

TEST_F(PdfCorpusTest, MetadataFromInfoDictionary) {
  const Document document = Convert("headings");
  const nlohmann::json truth = Truth("headings");
  EXPECT_EQ(document.metadata.title, truth["title"].get<std::string>());
  EXPECT_EQ(document.metadata.author, truth["author"].get<std::string>());
  EXPECT_EQ(document.metadata.page_count, truth["pages"].get<int>());
  EXPECT_EQ(static_cast<int>(document.pages.size()), truth["pages"].get<int>());
  EXPECT_FALSE(document.metadata.producer.empty());
  // The fixtures' CreationDate and ModDate (tests/fixtures/layout.py), as ISO 8601.
  EXPECT_EQ(document.metadata.created, "2024-01-01T00:00:00");
  EXPECT_EQ(document.metadata.modified, "2024-01-01T00:00:00");
  const Document unicode = Convert("unicode");
  EXPECT_EQ(unicode.metadata.title, Truth("unicode")["title"].get<std::string>());
  EXPECT_EQ(unicode.metadata.author, Truth("unicode")["author"].get<std::string>());
}

TEST_F(PdfCorpusTest, ReadMetadataWithoutConverting) {
  auto worker = PdfWorker::Make(engine_);
  ASSERT_TRUE(worker.ok());
  auto metadata = (*worker)->ReadMetadata(CorpusPdf("two_column"), PdfOptions());
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  const nlohmann::json truth = Truth("two_column");
  EXPECT_EQ(metadata->page_count, truth["pages"].get<int>());
  EXPECT_EQ(metadata->title, truth["title"].get<std::string>());
  EXPECT_EQ((*worker)->ReadMetadata(CorpusPdf("zero_byte"), PdfOptions()).status().code(),
            StatusCode::kCorrupt);
}

TEST_F(PdfCorpusTest, PageWithoutTextLayerNeedsOcrAndOthersStillExtracted) {
  const Document document = Convert("mixed_ocr");
  const nlohmann::json truth = Truth("mixed_ocr");
  ASSERT_EQ(document.pages.size(), 3u);
  for (int number : truth["needs_ocr_pages"].get<std::vector<int>>()) {
    const Page& page = document.pages[number - 1];
    EXPECT_TRUE(page.needs_ocr);
    EXPECT_EQ(page.kind, PageKind::kScanned);
    EXPECT_TRUE(page.blocks.empty());
    EXPECT_TRUE(page.error.empty());
  }
  EXPECT_FALSE(document.pages[0].blocks.empty());
  EXPECT_FALSE(document.pages[2].blocks.empty());
  EXPECT_EQ(document.pages[0].kind, PageKind::kDigital);
  EXPECT_EQ(document.kind, DocumentKind::kMixed);
}

TEST_F(PdfCorpusTest, FullyScannedDocument) {
  const Document document = Convert("scanned");
  const nlohmann::json truth = Truth("scanned");
  ASSERT_EQ(static_cast<int>(document.pages.size()), truth["pages"].get<int>());
  for (int number : truth["needs_ocr_pages"].get<std::vector<int>>()) {
    EXPECT_TRUE(document.pages[number - 1].needs_ocr);
    EXPECT_EQ(document.pages[number - 1].kind, PageKind::kScanned);
  }
  EXPECT_EQ(document.kind, DocumentKind::kScanned);
  EXPECT_EQ(document.metadata.title, truth["title"].get<std::string>());
}

TEST_F(PdfCorpusTest, BlankPageIsEmptyNotAnError) {
  const Document document = Convert("blank_page");
  for (int number : Truth("blank_page")["empty_pages"].get<std::vector<int>>()) {
    const Page& page = document.pages[number - 1];
    EXPECT_EQ(page.kind, PageKind::kEmpty);
    EXPECT_FALSE(page.needs_ocr);
    EXPECT_TRUE(page.error.empty());
  }
  EXPECT_EQ(document.kind, DocumentKind::kDigital);
}

TEST_F(PdfCorpusTest, StageSecondsAndSetupRecorded) {
  const Document document = Convert("headings");
  EXPECT_GT(document.seconds.open, 0);
  EXPECT_GT(document.seconds.extract, 0);
  EXPECT_GT(document.seconds.structure, 0);
  EXPECT_GT(engine_->setup_seconds(), 0);
  EXPECT_EQ(document.path, CorpusPdf("headings"));
}

}  // namespace
}  // namespace docpipe
