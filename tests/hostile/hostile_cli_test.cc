// The hostile inputs of issue 14 through the real executable, with the default
// budgets unless a test says otherwise: each run ends with the exact reason,
// within its time budget (plus a margin for a busy machine) and under 1 GB of
// resident memory.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.h"
#include "hostile_pdfs.h"

namespace docpipe::testing {
namespace {

// AddressSanitizer's shadow memory and quarantine multiply a process's resident size.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kMemoryScale = 4;
#else
constexpr long kMemoryScale = 1;
#endif
constexpr long kMaxRssKb = kMemoryScale * 1024 * 1024;
// What a run may take beyond its own budget on a loaded machine.
constexpr double kMarginSeconds = 60;

void ExpectBounded(const CliResult& run, double budget_seconds) {
  EXPECT_LT(run.max_rss_kb, kMaxRssKb) << "peak RSS " << run.max_rss_kb << " KiB";
  EXPECT_LT(run.seconds, budget_seconds + kMarginSeconds);
}

// Before: 10k repeats 1.9 s, 30k 14.8 s, 100k still running at 60 s.
TEST(HostileCliTest, RepeatedPageObjectFailsAtThePageLimit) {
  ScratchDir dir;
  const std::string path = hostile::WriteFixture(dir / "repeated.pdf", hostile::RepeatedPagePdf(100'000));
  CliResult run = RunDocpipe({"convert", path, "--to", "text"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.err, "docpipe convert: " + path +
                         ": resource_exhausted: the PDF has more than 10000 pages, the most a document may have "
                         "(--max-pages)\n");
  ExpectBounded(run, 0);
}

// Before: 999,999 page problems, 980 MB RSS, a 197 MB store, a 131 MB report.
TEST(HostileCliTest, LyingPageCountIsOneProblemInTheReportAndTheStore) {
  ScratchDir dir;
  const std::string path = hostile::WriteFixture(dir / "lying.pdf", hostile::LyingCountPdf(1'000'000));
  CliResult run = RunDocpipe({"ingest", path, "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  ASSERT_EQ(report["page_problems"].size(), 1u) << run.out.substr(0, 2000);
  EXPECT_EQ(report["page_problems"][0]["reason"],
            "page 1: broken page tree (/Count says 1000000 pages, the tree holds 1): read as 1 pages");
  EXPECT_LT(run.out.size(), 64u * 1024);
  ExpectBounded(run, 0);

  CliResult search = RunDocpipe({"search", "hostile fixture", "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_EQ(nlohmann::json::parse(search.out).size(), 1u) << search.out;
}

// Before: 45 s and 3.16 GB RSS for a 659 KB stream, the 60 s page timeout never reached.
TEST(HostileCliTest, DecompressionBombPageFailsAtTheMemoryBudget) {
  ScratchDir dir;
  const std::string path = hostile::WriteFixture(dir / "bomb.pdf", hostile::FlateBombPdf(size_t{640} << 20));
  CliResult run = RunDocpipe({"convert", path, "--to", "text"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.rfind("docpipe convert: page 1: out of memory: page 1 needs more than a worker's PDF memory "
                          "budget (--pdf-memory-mb): ",
                          0),
            0u)
      << run.err;
  ExpectBounded(run, 60);
}

TEST(HostileCliTest, DocumentPastItsTimeBudgetFailsWithTheReason) {
  ScratchDir dir;
  const std::string path = hostile::WriteFixture(dir / "slow.pdf", hostile::SlowPagesPdf(40));
  CliResult run = RunDocpipe({"ingest", path, "--db", dir / "kb.sqlite", "--json", "--page-timeout", "1",
                              "--document-timeout", "3"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const nlohmann::json report = nlohmann::json::parse(run.out);
  ASSERT_EQ(report["failures"].size(), 1u) << run.out;
  EXPECT_EQ(report["failures"][0]["reason"],
            "timeout: the document took longer than 3 s, its time budget (--document-timeout)");
  ExpectBounded(run, 3);
}

// Before: 500 repeats of a word took 31 s per search.
TEST(HostileCliTest, RepeatedSearchWordsAreOneTermAndHugeQueriesAreRefused) {
  ScratchDir dir;
  const std::string path = hostile::WriteFixture(dir / "lying.pdf", hostile::LyingCountPdf(1));
  ASSERT_EQ(RunDocpipe({"ingest", path, "--db", dir / "kb.sqlite"}).exit_code, 0);
  std::string repeated;
  for (int i = 0; i < 500; ++i) repeated += " hostile";
  CliResult once = RunDocpipe({"search", "hostile", "--db", dir / "kb.sqlite", "--json"});
  CliResult many = RunDocpipe({"search", repeated, "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(many.exit_code, 0) << many.err;
  EXPECT_EQ(many.out, once.out);
  ExpectBounded(many, 0);

  std::string distinct;
  for (int i = 0; i < 100; ++i) distinct += " word" + std::to_string(i);
  CliResult refused = RunDocpipe({"search", distinct, "--db", dir / "kb.sqlite"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("the query has 100 terms after repeats; a search takes at most 64"), std::string::npos)
      << refused.err;
}

}  // namespace
}  // namespace docpipe::testing
