// PDFs through the real executable: convert formats, passwords, pages that
// need OCR, and memory on a 1,000-page document.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace docpipe::testing {
namespace {

// AddressSanitizer's shadow memory and quarantine multiply a process's resident size.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kMemoryScale = 4;
#else
constexpr long kMemoryScale = 1;
#endif

namespace fs = std::filesystem;

class PdfCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    corpus_ = new ScratchDir();
    MakeCorpus(corpus_->path());
  }
  static void TearDownTestSuite() {
    delete corpus_;
    corpus_ = nullptr;
  }
  static std::string Fixture(const std::string& name) { return *corpus_ / name; }
  static nlohmann::json Truth(const std::string& name) {
    return nlohmann::json::parse(ReadFile(Fixture(name + ".truth.json")));
  }

  static ScratchDir* corpus_;
};

ScratchDir* PdfCliTest::corpus_ = nullptr;

TEST_F(PdfCliTest, ConvertsToMarkdownJsonAndText) {
  nlohmann::json truth = Truth("headings");
  CliResult md = RunDocpipe({"convert", Fixture("headings.pdf"), "--to", "md"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  std::string first_heading;
  for (const auto& block : truth["blocks"]) {
    if (block["type"] == "heading" && block["level"] == 1) {
      first_heading = block["text"];
      break;
    }
  }
  ASSERT_FALSE(first_heading.empty());
  EXPECT_NE(md.out.find("# " + first_heading + "\n"), std::string::npos) << md.out.substr(0, 400);
  EXPECT_NE(md.out.find("\n## "), std::string::npos);
  for (const auto& removed : truth["removed"]) {
    EXPECT_EQ(md.out.find(removed.get<std::string>()), std::string::npos) << "running text left in: " << removed;
  }

  CliResult json = RunDocpipe({"convert", Fixture("headings.pdf"), "--to", "json", "--workers", "2"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json document = nlohmann::json::parse(json.out);
  EXPECT_EQ(document["pages"].size(), truth["pages"].get<size_t>());
  EXPECT_EQ(document["metadata"]["title"], truth["title"]);
  EXPECT_EQ(document["metadata"]["author"], truth["author"]);

  CliResult text = RunDocpipe({"convert", Fixture("headings.pdf"), "--to", "text", "-o", *corpus_ / "out.txt"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::string written = ReadFile(*corpus_ / "out.txt");
  EXPECT_NE(written.find(first_heading), std::string::npos);
  EXPECT_EQ(written.find('#'), std::string::npos);
}

TEST_F(PdfCliTest, EncryptedNeedsItsPassword) {
  CliResult locked = RunDocpipe({"convert", Fixture("encrypted.pdf")});
  EXPECT_EQ(locked.exit_code, 1);
  EXPECT_NE(locked.err.find("permission_denied"), std::string::npos) << locked.err;
  CliResult wrong = RunDocpipe({"convert", Fixture("encrypted.pdf"), "--password", "guess"});
  EXPECT_EQ(wrong.exit_code, 1);
  CliResult unlocked = RunDocpipe({"convert", Fixture("encrypted.pdf"), "--password", "secret", "--to", "text"});
  ASSERT_EQ(unlocked.exit_code, 0) << unlocked.err;
  nlohmann::json truth = Truth("encrypted");
  ASSERT_FALSE(truth["blocks"].empty());
  EXPECT_NE(unlocked.out.find(truth["blocks"][0]["text"].get<std::string>()), std::string::npos) << unlocked.out;
}

TEST_F(PdfCliTest, IngestRecordsPagesNeedingOcrAndBadPdfsFailAlone) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  for (const char* name : {"mixed_ocr.pdf", "blank_page.pdf", "lists.pdf", "truncated.pdf", "corrupt.pdf",
                           "zero_byte.pdf", "encrypted.pdf"}) {
    fs::copy_file(Fixture(name), dir / (std::string("in/") + name));
  }
  fs::copy_file(Fixture("unicode.pdf"), dir / "in/caf\xE9.pdf");  // a name that is not UTF-8
  CliResult run = RunDocpipe({"ingest", dir / "in", "--db", dir / "kb.sqlite", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["documents"]["ok"], 4);
  EXPECT_EQ(report["documents"]["failed"], 4);
  EXPECT_EQ(report["pages_needing_ocr"], 1);
  std::string reasons = report["failures"].dump();
  EXPECT_NE(reasons.find("permission_denied"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("corrupt"), std::string::npos) << reasons;

  CliResult with_password =
      RunDocpipe({"ingest", dir / "in", "--db", dir / "kb.sqlite", "--password", "secret", "--json"});
  nlohmann::json second = nlohmann::json::parse(with_password.out);
  EXPECT_EQ(second["documents"]["ok"], 1);  // only the encrypted one is new
  EXPECT_EQ(second["documents"]["skipped"], 4);
  EXPECT_EQ(second["documents"]["failed"], 3);
}

TEST_F(PdfCliTest, ThousandPageDocumentKeepsMemoryBounded) {
  ScratchDir dir;
  MakeCorpus(dir.path(), {"long"});
  CliResult run = RunDocpipe({"ingest", dir / "long.pdf", "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["pages"], 1000);
  EXPECT_GT(report["chunks"].get<int>(), 10);
  // The text of 1,000 pages is about 1 MB; the whole process must stay far below what
  // holding rendered pages or per-page contexts would take.
  EXPECT_LT(run.max_rss_kb, kMemoryScale * 400 * 1024) << "peak RSS " << run.max_rss_kb << " KiB";
  CliResult search = RunDocpipe({"search", "\"sheet 417 of 1000\"", "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  nlohmann::json hits = nlohmann::json::parse(search.out);
  ASSERT_FALSE(hits.empty());
  EXPECT_LE(hits[0]["page_start"].get<int>(), 417);
  EXPECT_GE(hits[0]["page_end"].get<int>(), 417);
}

}  // namespace
}  // namespace docpipe::testing
