// `docpipe convert` and `docpipe ingest` on scanned PDFs: OCR on by default,
// --ocr never, and an OCR language that is not installed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "docpipe/store.h"

namespace docpipe::testing {
namespace {

namespace fs = std::filesystem;

class OcrCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scans_ = new ScratchDir();
    const std::string command = "/usr/bin/python3 " DOCPIPE_SOURCE_DIR "/tests/fixtures/make_scans.py --out '" +
                                scans_->path() + "' --only scan_clean scan_blank scan_figures scan_cjk";
    ASSERT_EQ(std::system(command.c_str()), 0);
  }
  static void TearDownTestSuite() {
    delete scans_;
    scans_ = nullptr;
  }
  static std::string Scan(const std::string& name) { return *scans_ / name; }
  static nlohmann::json Truth(const std::string& name) {
    return nlohmann::json::parse(ReadFile(*scans_ / (name + ".truth.json")));
  }

  static ScratchDir* scans_;
};

ScratchDir* OcrCliTest::scans_ = nullptr;

TEST_F(OcrCliTest, ConvertRecognisesAScannedPdfByDefault) {
  CliResult run = RunDocpipe({"convert", Scan("scan_clean.pdf"), "--to", "md", "-j", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string text = Truth("scan_clean")["pages"][1]["text"];
  const std::string heading = text.substr(0, text.find('\n'));
  EXPECT_NE(run.out.find("# " + heading), std::string::npos) << run.out;
}

TEST_F(OcrCliTest, UnknownLanguageIsOneUsageErrorBeforeAnyPage) {
  CliResult run = RunDocpipe({"convert", Scan("scan_clean.pdf"), "--ocr-lang", "eng+qqq"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("qqq.traineddata"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("page"), std::string::npos) << "no per-page failures: " << run.err;

  ScratchDir dir;
  CliResult ingest = RunDocpipe({"ingest", Scan("scan_clean.pdf"), "--db", dir / "kb.sqlite", "--ocr-lang", "qqq"});
  EXPECT_EQ(ingest.exit_code, 2) << ingest.err;
  EXPECT_NE(ingest.err.find("qqq"), std::string::npos) << ingest.err;
}

TEST_F(OcrCliTest, IngestReportsRecognisedPagesAndTheirTimings) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  for (const char* name : {"scan_clean.pdf", "scan_blank.pdf"}) fs::copy_file(Scan(name), dir / (std::string("in/") + name));
  CliResult run = RunDocpipe({"ingest", dir / "in", "--db", dir / "kb.sqlite", "--json", "--ocr", "auto", "--dpi", "300"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["documents"]["ok"], 2);
  EXPECT_EQ(report["pages_ocr"], 2);  // the two text scans; the white scan has no words to be confident about
  EXPECT_GT(report["busy_seconds"]["ocr"].get<double>(), 0);
  EXPECT_GT(report["busy_seconds"]["render"].get<double>(), 0);
  EXPECT_GE(report["ocr_sessions"].get<int>(), 1);
  EXPECT_GT(report["chunks"].get<int>(), 0);

  ScratchDir never;
  CliResult off = RunDocpipe({"ingest", dir / "in", "--db", never / "kb.sqlite", "--json", "--ocr", "never"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  nlohmann::json off_report = nlohmann::json::parse(off.out);
  EXPECT_EQ(off_report["pages_ocr"], 0);
  EXPECT_EQ(off_report["pages_needing_ocr"], 3);
  EXPECT_EQ(off_report["chunks"], 0);
}

// Pictures read and skipped by reason, and the page in a script "eng" does
// not read, in both forms of the report.
TEST_F(OcrCliTest, IngestReportsPicturesSkippedAndPagesInAnUnreadScript) {
  ScratchDir dir;
  fs::create_directories(dir / "in");
  for (const char* name : {"scan_figures.pdf", "scan_cjk.pdf"}) {
    fs::copy_file(Scan(name), dir / (std::string("in/") + name));
  }
  CliResult run = RunDocpipe({"ingest", dir / "in", "--db", dir / "kb.sqlite", "--json", "--ocr", "auto"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["ocr_pictures"]["read"], 2);          // the two screenshots
  EXPECT_EQ(report["ocr_pictures"]["not_text"], 3);      // two photos and a diagram
  EXPECT_EQ(report["ocr_pictures"]["other_script"], 1);  // the picture of Chinese text
  ASSERT_EQ(report["unread_script_pages"].size(), 1u) << report.dump(1);
  const std::string reason = report["unread_script_pages"][0]["reason"];
  EXPECT_EQ(reason.rfind("page 1: script ", 0), 0u) << reason;
  EXPECT_NE(reason.find("(eng)"), std::string::npos) << reason;

  ScratchDir again;
  CliResult text = RunDocpipe({"ingest", dir / "in", "--db", again / "kb.sqlite", "--ocr", "auto"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const std::string out = text.out + text.err;
  EXPECT_NE(out.find("ocr pictures: 2 recognised; skipped 0 too small, 3 not text-like, 1 in a script"),
            std::string::npos) << out;
  EXPECT_NE(out.find("unread script: "), std::string::npos) << out;
}

// The pages of one scan are shared by the workers in ingest; what is stored
// must not depend on how many there were.
TEST_F(OcrCliTest, IngestSharesTheScannedPagesOfOneDocumentAndStoresTheSameText) {
  std::vector<std::vector<std::string>> texts;
  for (const char* workers : {"1", "2"}) {
    ScratchDir dir;
    CliResult run = RunDocpipe({"ingest", Scan("scan_clean.pdf"), "--db", dir / "kb.sqlite", "--json", "--workers",
                                workers});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto store = Store::Open(dir / "kb.sqlite");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto record = (*store)->FindByPath(Scan("scan_clean.pdf"));
    ASSERT_TRUE(record.ok() && record->has_value());
    EXPECT_EQ((*record)->pages, 2);
    auto chunks = (*store)->ChunksOf((*record)->id);
    ASSERT_TRUE(chunks.ok());
    std::vector<std::string> stored;
    for (const Chunk& chunk : *chunks) stored.push_back(chunk.text);
    ASSERT_FALSE(stored.empty());
    texts.push_back(std::move(stored));
  }
  EXPECT_EQ(texts[0], texts[1]);
}

}  // namespace
}  // namespace docpipe::testing
