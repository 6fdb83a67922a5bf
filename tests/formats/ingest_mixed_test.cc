// `docpipe ingest` of a folder of every kind: each format is stored, the
// unknown one is reported as unsupported with what it is.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "format_test_util.h"

namespace docpipe {
namespace {

using testing::CliResult;
using testing::RunDocpipe;
using testing::ScratchDir;

TEST(IngestMixedTest, EveryFormatOfAFolderIsStored) {
  ScratchDir dir;
  CliResult run = RunDocpipe({"ingest", formats_test::Fixture("mixed"), "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["documents"]["ok"], 6) << run.out;  // html, epub, docx, png, txt, pdf
  EXPECT_EQ(report["documents"]["failed"], 0) << run.out;
  EXPECT_EQ(report["documents"]["unsupported"], 1) << run.out;
  const std::string unsupported = report.dump();
  EXPECT_NE(unsupported.find("unsupported file type: gzip data"), std::string::npos) << unsupported;

  CliResult search = RunDocpipe({"search", "--db", dir / "kb.sqlite", "--json", "spring assembly"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_NE(search.out.find("manual.docx"), std::string::npos) << search.out;
  CliResult scan = RunDocpipe({"search", "--db", dir / "kb.sqlite", "--json", "harbour"});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_NE(scan.out.find("scan.png"), std::string::npos) << scan.out;
}

TEST(IngestMixedTest, ConvertReadsEveryFormat) {
  for (const char* name : {"manual.html", "manual.epub", "manual.docx"}) {
    CliResult run = RunDocpipe({"convert", formats_test::Fixture(name)});
    ASSERT_EQ(run.exit_code, 0) << name << ": " << run.err;
    EXPECT_NE(run.out.find("## Parts table"), std::string::npos) << run.out;
  }
  CliResult image = RunDocpipe({"convert", formats_test::Fixture("scan.png"), "--to", "text"});
  ASSERT_EQ(image.exit_code, 0) << image.err;
  EXPECT_NE(image.out.find("harbour"), std::string::npos) << image.out;
  CliResult unknown = RunDocpipe({"convert", formats_test::Fixture("mixed/archive.gz")});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("gzip data"), std::string::npos) << unknown.err;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Several inputs in one process: one file each in --output-dir, named after
// the input; a file that fails is reported and the others are still written.
TEST(IngestMixedTest, ConvertWritesSeveralInputsIntoAFolder) {
  ScratchDir dir;
  const std::string out = dir / "out";
  CliResult run = RunDocpipe({"convert", formats_test::Fixture("manual.docx"), formats_test::Fixture("mixed/letter.pdf"),
                              formats_test::Fixture("mixed/archive.gz"), formats_test::Fixture("utf16.txt"), "--to",
                              "text", "--output-dir", out});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // some inputs failed
  EXPECT_NE(run.err.find("archive.gz: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("gzip data"), std::string::npos) << run.err;
  EXPECT_NE(ReadText(out + "/manual.txt").find("Parts table"), std::string::npos);
  EXPECT_NE(ReadText(out + "/letter.txt").find("digital letter about widgets"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(out + "/archive.txt"));
  EXPECT_TRUE(std::filesystem::exists(out + "/utf16.txt"));

  // Usage errors, before any work: two inputs writing one file, several
  // inputs without a folder.
  CliResult clash = RunDocpipe({"convert", formats_test::Fixture("manual.html"), formats_test::Fixture("manual.epub"),
                                "--output-dir", dir / "clash"});
  EXPECT_EQ(clash.exit_code, 2);
  EXPECT_NE(clash.err.find("would both be written to"), std::string::npos) << clash.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "clash"));
  CliResult no_folder = RunDocpipe({"convert", formats_test::Fixture("manual.html"), formats_test::Fixture("utf16.txt")});
  EXPECT_EQ(no_folder.exit_code, 2);
  EXPECT_NE(no_folder.err.find("--output-dir"), std::string::npos) << no_folder.err;
}

}  // namespace
}  // namespace docpipe
