// End-to-end ingest through the real executable: idempotence, replace on
// change, resume after kill -9, and the exit status and report contract.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_runner.h"
#include "docpipe/store.h"
#include "open_store.h"

namespace docpipe::testing {
namespace {

namespace fs = std::filesystem;

// A Markdown note with a unique marker word, so searches can find exactly it.
std::string Note(int i) {
  std::string text = "# Note " + std::to_string(i) + "\n\n";
  text += "This note talks about marker" + std::to_string(i) + " and reciprocal rank fusion.\n\n";
  text += "## Details\n\n";
  for (int s = 0; s < 20; ++s) {
    text += "Sentence " + std::to_string(s) + " of note " + std::to_string(i) +
            " explains lexical and dense retrieval in some depth. ";
  }
  text += "\n\n- first point\n- second point\n";
  return text;
}

void WriteNotes(const std::string& dir, int count) {
  fs::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "/note%04d.md", i);
    WriteFile(dir + name, Note(i));
  }
}

// Everything stored for the given files: path -> sha256 + chunk texts, for comparing runs.
std::map<std::string, std::vector<std::string>> Dump(const std::string& db, const std::vector<std::string>& paths) {
  std::map<std::string, std::vector<std::string>> dump;
  auto store = OpenStore(db);
  if (!store) return dump;
  for (const std::string& path : paths) {
    auto record = store->FindByPath(path);
    if (!record.ok()) {
      ADD_FAILURE() << path << ": " << record.status().ToString();
      return dump;
    }
    if (!record->has_value()) continue;
    std::vector<std::string>& rows = dump[path];
    rows.push_back((*record)->sha256);
    auto chunks = store->ChunksOf((*record)->id);
    if (!chunks.ok()) {
      ADD_FAILURE() << path << ": " << chunks.status().ToString();
      return dump;
    }
    for (const Chunk& chunk : *chunks) rows.push_back(std::to_string(chunk.ordinal) + ":" + chunk.text);
  }
  return dump;
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(IngestTest, StoresSearchesAndSkipsOnRerun) {
  ScratchDir dir;
  WriteNotes(dir / "docs", 12);
  CliResult first = RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json", "--workers", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  nlohmann::json report = nlohmann::json::parse(first.out);
  EXPECT_EQ(report["documents"]["ok"], 12);
  EXPECT_EQ(report["documents"]["failed"], 0);
  EXPECT_GE(report["chunks"].get<int>(), 12);

  CliResult search = RunDocpipe({"search", "marker7", "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  nlohmann::json hits = nlohmann::json::parse(search.out);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0]["path"], dir / "docs/note0007.md");

  CliResult again = RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  nlohmann::json second = nlohmann::json::parse(again.out);
  EXPECT_EQ(second["documents"]["ok"], 0);
  EXPECT_EQ(second["documents"]["skipped"], 12);
  auto store = OpenStore(dir / "kb.sqlite");
  ASSERT_TRUE(store);
  auto counts = store->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->documents, 12);
  EXPECT_EQ(counts->chunks, report["chunks"].get<int64_t>());
}

TEST(IngestTest, ChangedFileReplacesItsChunks) {
  ScratchDir dir;
  WriteNotes(dir / "docs", 3);
  ASSERT_EQ(RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite"}).exit_code, 0);
  WriteFile(dir / "docs/note0001.md", "# Rewritten\n\nNothing but zeppelinword here now.\n");
  CliResult rerun = RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  nlohmann::json report = nlohmann::json::parse(rerun.out);
  EXPECT_EQ(report["documents"]["ok"], 1);
  EXPECT_EQ(report["documents"]["skipped"], 2);

  CliResult old_text = RunDocpipe({"search", "marker1", "--db", dir / "kb.sqlite", "--json"});
  EXPECT_TRUE(nlohmann::json::parse(old_text.out).empty()) << old_text.out;
  CliResult new_text = RunDocpipe({"search", "zeppelinword", "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(nlohmann::json::parse(new_text.out).size(), 1u) << new_text.out;
  auto store = OpenStore(dir / "kb.sqlite");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Counts()->documents, 3);
}

TEST(IngestTest, KilledRunResumesToExactlyTheRowsOfACleanRun) {
  ScratchDir dir;
  WriteNotes(dir / "docs", 1500);
  std::vector<std::string> files = FilesIn(dir / "docs");
  ASSERT_EQ(RunDocpipe({"ingest", dir / "docs", "--db", dir / "clean.sqlite"}).exit_code, 0);

  // Kill the run once its first batches are committed, mid-way through the inputs.
  pid_t child = StartDocpipe({"ingest", dir / "docs", "--db", dir / "killed.sqlite", "--batch", "8"});
  ASSERT_GT(child, 0);
  bool killed_mid_run = false;
  for (int i = 0; i < 2000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    StoreOptions read_only;
    read_only.create_if_missing = false;
    read_only.read_only = true;
    auto store = Store::Open(dir / "killed.sqlite", read_only);
    if (!store.ok()) continue;
    auto counts = (*store)->Counts();
    if (counts.ok() && counts->documents >= 16) {
      killed_mid_run = counts->documents < 1500;
      break;
    }
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(killed_mid_run) << "the run finished before it could be killed; enlarge the corpus";

  CliResult resumed = RunDocpipe({"ingest", dir / "docs", "--db", dir / "killed.sqlite", "--json"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  nlohmann::json report = nlohmann::json::parse(resumed.out);
  EXPECT_GT(report["documents"]["skipped"].get<int>(), 0);
  EXPECT_GT(report["documents"]["ok"].get<int>(), 0);
  auto killed_dump = Dump(dir / "killed.sqlite", files);
  auto clean_dump = Dump(dir / "clean.sqlite", files);
  EXPECT_EQ(killed_dump.size(), files.size());
  EXPECT_TRUE(killed_dump == clean_dump) << "the resumed store differs from a clean run";
  auto killed_counts = OpenStore(dir / "killed.sqlite")->Counts();
  auto clean_counts = OpenStore(dir / "clean.sqlite")->Counts();
  ASSERT_TRUE(killed_counts.ok() && clean_counts.ok());
  EXPECT_EQ(killed_counts->chunks, clean_counts->chunks);
  EXPECT_EQ(killed_counts->documents, clean_counts->documents);
}

TEST(IngestTest, InputsFromListFileStdinAndGlobs) {
  ScratchDir dir;
  WriteNotes(dir / "docs", 4);
  WriteFile(dir / "docs/skip.txt", "plain text that the glob leaves out");
  CliResult globbed = RunDocpipe({"ingest", dir / "docs", "--include", "*.md", "--exclude", "note0003*",
                                  "--db", dir / "a.sqlite", "--json"});
  ASSERT_EQ(globbed.exit_code, 0) << globbed.err;
  EXPECT_EQ(nlohmann::json::parse(globbed.out)["documents"]["ok"], 3);

  WriteFile(dir / "list.txt", dir / "docs/note0000.md\n" + dir / "docs/skip.txt\n");
  CliResult listed = RunDocpipe({"ingest", "--list", dir / "list.txt", "--db", dir / "b.sqlite", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(nlohmann::json::parse(listed.out)["documents"]["ok"], 2);

  CliResult piped = RunDocpipe({"ingest", "-", "--db", dir / "c.sqlite", "--json"}, dir / "docs/note0002.md\n");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(nlohmann::json::parse(piped.out)["documents"]["ok"], 1);
}

TEST(IngestTest, BadInputsFailAloneWithReasons) {
  ScratchDir dir;
  WriteNotes(dir / "docs", 2);
  WriteFile(dir / "docs/empty.pdf", "");
  WriteFile(dir / "docs/garbage.pdf", "%PDF-1.7\nthis is not a pdf at all\n");
  WriteFile(dir / "docs/picture.png", "\x89PNG\r\n\x1a\n");  // a PNG cut after its signature
  WriteFile(dir / "docs/archive.gz", std::string("\x1f\x8b\x08\0\0\0\0\0", 8));
  fs::create_symlink(dir / "docs/missing-target.pdf", dir / "docs/dangling.pdf");
  WriteFile(dir / "docs/caf\xE9.md", "# Caf\xE9\n\nA file name that is not UTF-8 still goes in.\n");

  CliResult run = RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);  // valid JSON despite the Latin-1 file name
  EXPECT_EQ(report["documents"]["ok"], 3);
  EXPECT_EQ(report["documents"]["failed"], 4);
  EXPECT_EQ(report["documents"]["unsupported"], 1);
  std::map<std::string, std::string> reasons;
  for (const auto& failure : report["failures"]) {
    reasons[fs::path(failure["path"].get<std::string>()).filename().string()] = failure["reason"];
  }
  EXPECT_NE(reasons["empty.pdf"].find("corrupt"), std::string::npos) << reasons["empty.pdf"];
  EXPECT_NE(reasons["garbage.pdf"].find("corrupt"), std::string::npos) << reasons["garbage.pdf"];
  EXPECT_NE(reasons["dangling.pdf"].find("io_error"), std::string::npos) << reasons["dangling.pdf"];
  EXPECT_NE(reasons["picture.png"].find("truncated or malformed PNG header"), std::string::npos)
      << reasons["picture.png"];
}

TEST(IngestTest, ForeignDatabaseIsRefusedAndLeftUntouched) {
  ScratchDir dir;
  WriteNotes(dir / "docs", 1);
  const std::string original = "name,value\nthis,is a csv file\n";
  WriteFile(dir / "data.csv", original);
  CliResult run = RunDocpipe({"ingest", dir / "docs", "--db", dir / "data.csv"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("data.csv"), std::string::npos) << run.err;
  EXPECT_EQ(ReadFile(dir / "data.csv"), original);
}

TEST(IngestTest, UnwritableStoreLocationIsAClearError) {
  ScratchDir dir;
  WriteNotes(dir / "docs", 1);
  CliResult run = RunDocpipe({"ingest", dir / "docs", "--db", "/proc/docpipe-cannot-be-here/kb.sqlite"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("cannot open store"), std::string::npos) << run.err;
  CliResult missing = RunDocpipe({"ingest", dir / "no-such-dir", "--db", dir / "kb.sqlite"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no-such-dir"), std::string::npos) << missing.err;
}

TEST(SearchTest, QuerySyntaxErrorsAreMessagesNotCrashes) {
  ScratchDir dir;
  WriteNotes(dir / "docs", 2);
  ASSERT_EQ(RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite"}).exit_code, 0);
  for (std::string query : {"\"unbalanced", "C++ don't", "state-of-the-art", "rank AND", "(("}) {
    CliResult run = RunDocpipe({"search", query, "--db", dir / "kb.sqlite"});
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 2) << query << ": " << run.err;
    if (run.exit_code == 2) {
      EXPECT_FALSE(run.err.empty()) << query;
    }
  }
  CliResult text = RunDocpipe({"search", "reciprocal rank fusion", "--db", dir / "kb.sqlite", "-k", "1"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("[reciprocal]"), std::string::npos) << text.out;
  CliResult no_db = RunDocpipe({"search", "x", "--db", dir / "absent.sqlite"});
  EXPECT_EQ(no_db.exit_code, 3);
  EXPECT_FALSE(fs::exists(dir / "absent.sqlite"));
}

}  // namespace
}  // namespace docpipe::testing
