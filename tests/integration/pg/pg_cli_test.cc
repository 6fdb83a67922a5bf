// The docpipe binary against PostgreSQL: ingest and search the examples, two
// processes ingesting the same files (or copies of them) at once, and the errors a user sees for
// a server that does not answer or refuses the password.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_runner.h"
#include "pg_test_database.h"

namespace docpipe::testing {
namespace {

namespace fs = std::filesystem;

std::string Note(int i) {
  std::string text = "# Note " + std::to_string(i) + "\n\nThis note is about pgmarker" + std::to_string(i) + ".\n\n";
  for (int s = 0; s < 200; ++s) {
    text += "Sentence " + std::to_string(s) + " of note " + std::to_string(i) + " covers batched writes. ";
  }
  return text + "\n";
}

TEST(PgCliTest, IngestExamplesThenSearchThenSkipOnRerun) {
  PgTestDatabase db;
  const std::string examples = std::string(DOCPIPE_SOURCE_DIR) + "/examples";
  CliResult ingest = RunDocpipe({"ingest", examples, "--db", db.url(), "--json"});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  nlohmann::json report = nlohmann::json::parse(ingest.out);
  const int stored = report["documents"]["ok"].get<int>();
  EXPECT_GE(stored, 3);
  EXPECT_EQ(ingest.out.find(db.url().substr(db.url().find(':', 14) + 1, 8)), std::string::npos)
      << "the report must not show the password";

  CliResult search = RunDocpipe({"search", "retrieval", "--db", db.url(), "--json", "-k", "3"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  nlohmann::json hits = nlohmann::json::parse(search.out);
  ASSERT_FALSE(hits.empty()) << search.out;
  EXPECT_NE(hits[0]["path"].get<std::string>().find("examples/"), std::string::npos);
  EXPECT_NE(hits[0]["snippet"].get<std::string>().find('['), std::string::npos) << hits[0]["snippet"];

  CliResult again = RunDocpipe({"ingest", examples, "--db", db.url(), "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["documents"]["skipped"].get<int>(), stored);
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents"), std::to_string(stored));
}

TEST(PgCliTest, TwoProcessesIngestingTheSameFilesStoreEachOnce) {
  PgTestDatabase db;
  ScratchDir dir;
  constexpr int kNotes = 60;
  fs::create_directories(dir / "docs");
  for (int i = 0; i < kNotes; ++i) WriteFile(dir / ("docs/note" + std::to_string(i) + ".md"), Note(i));

  // The same files in one process into SQLite: what the two racing processes must end with.
  ASSERT_EQ(RunDocpipe({"ingest", dir / "docs", "--db", dir / "one.sqlite"}).exit_code, 0);
  CliResult reference = RunDocpipe({"search", "batched", "--db", dir / "one.sqlite", "--json", "-k", "10000"});
  const size_t chunks = nlohmann::json::parse(reference.out).size();
  ASSERT_GT(chunks, static_cast<size_t>(kNotes));

  CliResult results[2];
  std::thread first([&] { results[0] = RunDocpipe({"ingest", dir / "docs", "--db", db.url(), "--batch", "4"}); });
  std::thread second([&] { results[1] = RunDocpipe({"ingest", dir / "docs", "--db", db.url(), "--batch", "4"}); });
  first.join();
  second.join();
  EXPECT_EQ(results[0].exit_code, 0) << results[0].err;
  EXPECT_EQ(results[1].exit_code, 0) << results[1].err;
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents"), std::to_string(kNotes));
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(DISTINCT sha256) FROM documents"), std::to_string(kNotes));
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM chunks"), std::to_string(chunks));
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM (SELECT document_id, ordinal FROM chunks "
                              "GROUP BY document_id, ordinal HAVING count(*) > 1) AS twice"),
            "0");
  CliResult search = RunDocpipe({"search", "pgmarker7", "--db", db.url(), "--json"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_EQ(nlohmann::json::parse(search.out).size(), 1u) << search.out;
}

// Two tasks with two writer connections each, one a bulk load, over
// overlapping inputs that hold each note twice (a/ and b/ are copies): every
// content is stored once, neither fails, and the full-text index is back.
TEST(PgCliTest, TwoProcessesWithTwoWritersEachStoreEveryContentOnce) {
  PgTestDatabase db;
  ScratchDir dir;
  constexpr int kNotes = 40;
  for (const char* copy : {"docs/a", "docs/b"}) {
    fs::create_directories(dir / copy);
    for (int i = 0; i < kNotes; ++i) {
      WriteFile(dir / (std::string(copy) + "/note" + std::to_string(i) + ".md"), Note(i));
    }
  }
  ASSERT_EQ(RunDocpipe({"ingest", dir / "docs/a", "--db", dir / "one.sqlite"}).exit_code, 0);
  CliResult reference = RunDocpipe({"search", "batched", "--db", dir / "one.sqlite", "--json", "-k", "10000"});
  const size_t chunks = nlohmann::json::parse(reference.out).size();

  CliResult results[2];
  std::thread first([&] {
    results[0] = RunDocpipe({"ingest", dir / "docs", "--db", db.url(), "--batch", "2", "--db-writers", "2",
                             "--bulk-load", "--json"});
  });
  std::thread second([&] {
    results[1] = RunDocpipe({"ingest", dir / "docs/b", "--db", db.url(), "--batch", "2", "--db-writers", "2"});
  });
  first.join();
  second.join();
  EXPECT_EQ(results[0].exit_code, 0) << results[0].err;
  EXPECT_EQ(results[1].exit_code, 0) << results[1].err;
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents"), std::to_string(kNotes));
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(DISTINCT sha256) FROM documents"), std::to_string(kNotes));
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM chunks"), std::to_string(chunks));
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM pg_indexes WHERE indexname = 'chunks_tsv'"), "1");
  // The only bulk loader builds the index, and its run's time includes the build.
  const nlohmann::json bulk = nlohmann::json::parse(results[0].out);
  EXPECT_GT(bulk["index_build_seconds"].get<double>(), 0) << results[0].out;
  EXPECT_GE(bulk["wall_seconds"].get<double>(), bulk["index_build_seconds"].get<double>());
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM runs WHERE (metrics->>'index_build_seconds')::float8 > 0"), "1");
  CliResult search = RunDocpipe({"search", "pgmarker7", "--db", db.url(), "--json"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  EXPECT_EQ(nlohmann::json::parse(search.out).size(), 1u) << search.out;
}

TEST(PgCliTest, ServerThatDoesNotAnswerIsAClearErrorAfterTheTimeout) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 8), 0);
  socklen_t length = sizeof(address);
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string url =
      "postgresql://kb:hunter2@127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/kb?connect_timeout=1";
  ScratchDir dir;
  WriteFile(dir / "a.md", Note(1));
  CliResult ingest = RunDocpipe({"ingest", dir.path(), "--db", url});
  close(listener);
  EXPECT_EQ(ingest.exit_code, 3) << ingest.err;
  EXPECT_NE(ingest.err.find("did not answer"), std::string::npos) << ingest.err;
  EXPECT_EQ(ingest.err.find("hunter2"), std::string::npos) << ingest.err;
}

TEST(PgCliTest, WrongPasswordIsAClearError) {
  const std::string url = PgServerUrl();
  const size_t colon = url.find(':', url.find("://") + 3);
  const std::string wrong = url.substr(0, colon + 1) + "wrong-secret" + url.substr(url.find('@'));
  CliResult search = RunDocpipe({"search", "anything", "--db", wrong});
  EXPECT_EQ(search.exit_code, 3) << search.err;
  EXPECT_NE(search.err.find("refused the credentials"), std::string::npos) << search.err;
  EXPECT_EQ(search.err.find("wrong-secret"), std::string::npos) << search.err;
}

}  // namespace
}  // namespace docpipe::testing
