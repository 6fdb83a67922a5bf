// Bad inputs fail alone with the right StatusCode; a bad page fails alone.
#include <string>

#include <gtest/gtest.h>

#include "docpipe/pdf.h"
#include "pdf_test_support.h"

namespace docpipe {
namespace {

using pdf_test::CorpusPdf;

class PdfFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = PdfEngine::Make();
    ASSERT_TRUE(engine.ok());
    engine_ = *engine;
    auto worker = PdfWorker::Make(engine_);
    ASSERT_TRUE(worker.ok());
    worker_ = std::move(worker).value();
  }

  Result<Document> Convert(const std::string& path, const PdfOptions& options = {}) {
    return worker_->Convert(path, options);
  }

  std::shared_ptr<const PdfEngine> engine_;
  std::unique_ptr<PdfWorker> worker_;
};

TEST_F(PdfFailureTest, BadFilesAreCorruptWithReason) {
  for (const char* name : {"zero_byte", "truncated", "corrupt"}) {
    const std::string expected = pdf_test::Truth(name)["expected_error"].get<std::string>();
    auto document = Convert(CorpusPdf(name));
    ASSERT_FALSE(document.ok()) << name;
    EXPECT_EQ(StatusCodeName(document.status().code()), expected) << name;
    EXPECT_FALSE(document.status().message().empty());
  }
  // The same worker still converts good files after the failures.
  EXPECT_TRUE(Convert(CorpusPdf("headings")).ok());
}

TEST_F(PdfFailureTest, MissingFileIsNotFound) {
  auto document = Convert(CorpusPdf("no_such_fixture"));
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().code(), StatusCode::kNotFound);
}

TEST_F(PdfFailureTest, EncryptedNeedsTheRightPassword) {
  const nlohmann::json truth = pdf_test::Truth("encrypted");
  auto without = Convert(CorpusPdf("encrypted"));
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(StatusCodeName(without.status().code()), truth["expected_error"].get<std::string>());
  EXPECT_NE(without.status().message().find("password"), std::string::npos);

  PdfOptions wrong;
  wrong.password = "not-the-password";
  auto rejected = Convert(CorpusPdf("encrypted"), wrong);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(rejected.status().message().find("wrong password"), std::string::npos);

  PdfOptions right;
  right.password = truth["password"].get<std::string>();
  auto document = Convert(CorpusPdf("encrypted"), right);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  EXPECT_EQ(document->metadata.title, truth["title"].get<std::string>());
  EXPECT_NE(DocumentText(*document).find(truth["blocks"][1]["text"].get<std::string>()),
            std::string::npos);

  auto metadata = worker_->ReadMetadata(CorpusPdf("encrypted"), PdfOptions());
  EXPECT_EQ(metadata.status().code(), StatusCode::kPermissionDenied);
}

std::string TextPage(const std::string& text) {
  return "BT /F1 12 Tf 72 700 Td (" + text + ") Tj ET";
}

// Form XObjects that each paint the next one ten times: a tiny page whose
// interpretation would take practically forever.
std::vector<std::string> ExplodingForms(int depth) {
  std::vector<std::string> forms;
  for (int level = 0; level < depth; ++level) {
    std::string content;
    for (int i = 0; i < 10; ++i) {
      content += level + 1 < depth ? "/X" + std::to_string(level + 1) + " Do\n"
                                   : "BT /F1 1 Tf 10 10 Td (slow text) Tj ET\n";
    }
    forms.push_back(content);
  }
  return forms;
}

TEST_F(PdfFailureTest, PageOverItsTimeBudgetFailsAloneAndDocumentGoesOn) {
  const std::string dir = pdf_test::ScratchDir("timeout");
  const std::string path = pdf_test::WritePdf(
      dir + "/slow.pdf",
      {TextPage("First page text that is long enough to count as a text layer."), "/X0 Do",
       TextPage("Third page text that is long enough to count as a text layer.")},
      ExplodingForms(9));
  PdfOptions options;
  options.page_timeout_seconds = 0.3;
  auto document = Convert(path, options);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->pages.size(), 3u);
  EXPECT_EQ(document->pages[1].error.rfind("timeout:", 0), 0u) << document->pages[1].error;
  EXPECT_TRUE(document->pages[1].blocks.empty());
  EXPECT_NE(document->pages[1].kind, PageKind::kEmpty);
  EXPECT_TRUE(document->pages[0].error.empty());
  EXPECT_TRUE(document->pages[2].error.empty());
  ASSERT_EQ(document->pages[2].blocks.size(), 1u);
  EXPECT_EQ(document->pages[2].blocks[0].text,
            "Third page text that is long enough to count as a text layer.");
}

TEST_F(PdfFailureTest, DamagedPageFailsAloneAndDocumentGoesOn) {
  const std::string dir = pdf_test::ScratchDir("damaged");
  // Page 2 paints an XObject its resources do not have: MuPDF counts a
  // content error there and goes on.
  const std::string path = pdf_test::WritePdf(
      dir + "/damaged.pdf",
      {TextPage("A good first page with enough characters in its text layer."),
       TextPage("Text before the damage on the second page.") + " /Missing Do",
       TextPage("A good third page with enough characters in its text layer.")});
  auto document = Convert(path);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->pages.size(), 3u);
  EXPECT_TRUE(document->pages[0].error.empty());
  EXPECT_TRUE(document->pages[2].error.empty());
  EXPECT_FALSE(document->pages[0].blocks.empty());
  EXPECT_FALSE(document->pages[2].blocks.empty());
  EXPECT_EQ(document->pages[1].error.rfind("damaged page content:", 0), 0u) << document->pages[1].error;
  EXPECT_NE(document->pages[1].error.find("Missing"), std::string::npos) << document->pages[1].error;
}

}  // namespace
}  // namespace docpipe
