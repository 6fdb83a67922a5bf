// ConvertPdfParallel gives the same Document as one worker, whatever the
// number of threads; workers are reused across documents.
#include <thread>

#include <gtest/gtest.h>

#include "docpipe/pdf.h"
#include "pdf_test_support.h"

namespace docpipe {
namespace {

TEST(PdfParallelTest, SameResultAsSingleThreadConvert) {
  auto engine = PdfEngine::Make();
  ASSERT_TRUE(engine.ok());
  auto worker = PdfWorker::Make(*engine);
  ASSERT_TRUE(worker.ok());
  for (const char* name : {"headings", "two_column", "mixed_ocr", "blank_page", "hyphenation"}) {
    SCOPED_TRACE(name);
    auto single = (*worker)->Convert(pdf_test::CorpusPdf(name), PdfOptions());
    ASSERT_TRUE(single.ok());
    for (int workers : {1, 2, 3, 8}) {
      auto parallel = ConvertPdfParallel(*engine, pdf_test::CorpusPdf(name), PdfOptions(), workers);
      ASSERT_TRUE(parallel.ok()) << parallel.status().ToString();
      pdf_test::ExpectSameBlocks(*single, *parallel);
      EXPECT_EQ(parallel->metadata.author, single->metadata.author);
      EXPECT_EQ(parallel->metadata.page_count, single->metadata.page_count);
    }
  }
}

TEST(PdfParallelTest, ErrorsComeBackFromParallelToo) {
  auto engine = PdfEngine::Make();
  ASSERT_TRUE(engine.ok());
  auto encrypted = ConvertPdfParallel(*engine, pdf_test::CorpusPdf("encrypted"), PdfOptions(), 4);
  EXPECT_EQ(encrypted.status().code(), StatusCode::kPermissionDenied);
  auto corrupt = ConvertPdfParallel(*engine, pdf_test::CorpusPdf("corrupt"), PdfOptions(), 4);
  EXPECT_EQ(corrupt.status().code(), StatusCode::kCorrupt);
  PdfOptions options;
  options.password = "secret";
  auto opened = ConvertPdfParallel(*engine, pdf_test::CorpusPdf("encrypted"), options, 0);
  EXPECT_TRUE(opened.ok());
}

TEST(PdfParallelTest, WorkersOnManyThreadsShareOneEngine) {
  auto engine = PdfEngine::Make();
  ASSERT_TRUE(engine.ok());
  std::vector<std::string> texts(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto worker = PdfWorker::Make(*engine);
      if (!worker.ok()) return;
      for (int round = 0; round < 3; ++round) {
        auto document = (*worker)->Convert(pdf_test::CorpusPdf("two_column"), PdfOptions());
        if (document.ok()) texts[t] = DocumentText(*document);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_FALSE(texts[0].empty());
  for (const std::string& text : texts) EXPECT_EQ(text, texts[0]);
}

}  // namespace
}  // namespace docpipe
