// Hostile PDFs through the engine (PdfWorker, ConvertPdfParallel): a page tree
// that lies or loops, a document past its page or time budget, a page past
// its memory budget. Each fails (or is read) with the exact reason, and never
// runs past the budget it was given.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli_runner.h"
#include "docpipe/document_problems.h"
#include "docpipe/pdf.h"
#include "hostile_pdfs.h"

namespace docpipe {
namespace {

constexpr const char* kPageText = "Hostile fixture page text, long enough to be a text layer.";

class HostilePdfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = PdfEngine::Make();
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = *engine;
    auto worker = PdfWorker::Make(engine_);
    ASSERT_TRUE(worker.ok()) << worker.status().ToString();
    worker_ = std::move(worker).value();
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    return hostile::WriteFixture(dir_ / name, bytes);
  }

  testing::ScratchDir dir_;
  std::shared_ptr<const PdfEngine> engine_;
  std::unique_ptr<PdfWorker> worker_;
};

// 100,000 repeats of one page object: more than the default page limit, so
// the document fails at open, before any page is loaded.
TEST_F(HostilePdfTest, RepeatedPageObjectPastThePageLimitFailsAtOpen) {
  const std::string path = Write("repeated.pdf", hostile::RepeatedPagePdf(100'000));
  auto document = worker_->Convert(path, PdfOptions());
  ASSERT_FALSE(document.ok());
  EXPECT_EQ(document.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(document.status().message(),
            "the PDF has more than 10000 pages, the most a document may have (--max-pages)");
  auto metadata = worker_->ReadMetadata(path, PdfOptions());
  EXPECT_EQ(metadata.status().code(), StatusCode::kResourceExhausted);
}

// Within the limit every listed page is read, each found in constant time.
// When each lookup walked the tree, 30,000 pages took 14.8 s (quadratic:
// about 40 s for 50,000); read linearly they take about 1.5 s of CPU, so a
// 30 s budget fails the quadratic reading and leaves a loaded machine room.
TEST_F(HostilePdfTest, RepeatedPageObjectWithinTheLimitIsReadInLinearTime) {
  const std::string path = Write("repeated.pdf", hostile::RepeatedPagePdf(50'000));
  PdfOptions options;
  options.max_pages = 0;
  options.document_timeout_seconds = 30;
  auto document = worker_->Convert(path, options);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->pages.size(), 50'000u);
  EXPECT_TRUE(DocumentProblems(*document).empty());
  EXPECT_EQ(document->pages.back().number, 50'000);
}

// A 638-byte file claiming a million pages once gave 999,999 page problems.
TEST_F(HostilePdfTest, LyingPageCountIsReadAsThePagesThereAndToldOnce) {
  const std::string path = Write("lying.pdf", hostile::LyingCountPdf(1'000'000));
  auto document = worker_->Convert(path, PdfOptions());
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->pages.size(), 1u);
  EXPECT_EQ(document->metadata.page_count, 1);
  EXPECT_EQ(DocumentProblems(*document),
            std::vector<std::string>{
                "page 1: broken page tree (/Count says 1000000 pages, the tree holds 1): read as 1 pages"});
  EXPECT_NE(DocumentText(*document).find(kPageText), std::string::npos);
}

TEST_F(HostilePdfTest, PageTreeThatIsItsOwnKidIsReadOnce) {
  const std::string path = Write("cyclic.pdf", hostile::CyclicTreePdf());
  auto document = worker_->Convert(path, PdfOptions());
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->pages.size(), 1u);
  EXPECT_EQ(document->pages[0].error, "broken page tree (/Count says 2 pages, the tree holds 1): read as 1 pages");
}

// MuPDF builds its page map recursively: a tree 10,000 levels deep is read
// with an explicit stack and flattened first. (MuPDF itself then refuses to
// look up the page's inherited attributes through 10,000 parents: the page
// fails alone, with its reason.)
TEST_F(HostilePdfTest, DeepPageTreeIsFlattened) {
  const std::string path = Write("deep.pdf", hostile::DeepTreePdf(10'000));
  auto document = worker_->Convert(path, PdfOptions());
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->pages.size(), 1u);
  EXPECT_EQ(document->pages[0].error,
            "broken page tree (nested deeper than 64 levels): read as 1 pages; "
            "damaged page: too much recursion in tree (parents)");

  const std::string shallower = Write("deep100.pdf", hostile::DeepTreePdf(100));
  auto readable = worker_->Convert(shallower, PdfOptions());
  ASSERT_TRUE(readable.ok()) << readable.status().ToString();
  EXPECT_EQ(readable->pages[0].error, "broken page tree (nested deeper than 64 levels): read as 1 pages");
  EXPECT_NE(DocumentText(*readable).find(kPageText), std::string::npos);
}

// Deflated text operators: the page's structured text grew to gigabytes.
TEST_F(HostilePdfTest, DecompressionBombPageFailsAloneAtItsMemoryBudget) {
  const std::string path = Write("bomb.pdf", hostile::FlateBombPdf(size_t{64} << 20));
  PdfOptions options;
  options.worker_memory_bytes = size_t{32} << 20;
  auto document = worker_->Convert(path, options);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  ASSERT_EQ(document->pages.size(), 1u);
  const std::string& error = document->pages[0].error;
  EXPECT_EQ(error.rfind("out of memory: page 1 needs more than a worker's PDF memory budget (--pdf-memory-mb): ", 0),
            0u)
      << error;
  EXPECT_TRUE(document->pages[0].blocks.empty());
  // The worker's context is whole afterwards: the next document converts.
  const std::string good = Write("good.pdf", hostile::LyingCountPdf(1));
  auto next = worker_->Convert(good, options);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_TRUE(next->pages[0].error.empty()) << next->pages[0].error;
}

// Every page runs to its own timeout; the document stops at its budget.
TEST_F(HostilePdfTest, DocumentPastItsTimeBudgetFailsWithTheReason) {
  const std::string path = Write("slow.pdf", hostile::SlowPagesPdf(50));
  PdfOptions options;
  options.page_timeout_seconds = 0.5;
  options.document_timeout_seconds = 1.5;
  for (int workers : {1, 2}) {
    auto document = ConvertPdfParallel(engine_, path, options, workers);
    ASSERT_FALSE(document.ok()) << workers;
    EXPECT_EQ(document.status().code(), StatusCode::kTimeout);
    EXPECT_EQ(document.status().message(),
              "the document took longer than 1.5 s, its time budget (--document-timeout)");
  }
}

TEST(DocumentProblemsTest, ListIsCappedWithACount) {
  Document document;
  for (int number = 1; number <= 1000; ++number) {
    Page page;
    page.number = number;
    if (number % 2 == 0) page.error = "damaged page: x";
    document.pages.push_back(page);
  }
  const std::vector<std::string> lines = DocumentProblems(document);
  ASSERT_EQ(lines.size(), kMaxDocumentProblems);
  EXPECT_EQ(lines.front(), "page 2: damaged page: x");
  EXPECT_EQ(lines[98], "page 198: damaged page: x");
  EXPECT_EQ(lines.back(), "... and 401 more pages with problems in this document");
  EXPECT_EQ(DocumentProblems(document, 1000).size(), 500u);
}

}  // namespace
}  // namespace docpipe
