// Ingest with a large document's work cut into page ranges spread over
// workers: the stored chunks are byte for byte those of a single-threaded
// conversion, whatever the worker count and range size; Ctrl-C stops a run,
// keeps what is stored, and a second run finishes it to a clean run's rows;
// kill -9 while one big document is half written (streamed, partial) is
// resumed to exactly a clean run's rows.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_runner.h"
#include "docpipe/chunker.h"
#include "docpipe/pdf.h"
#include "docpipe/store.h"

namespace docpipe::testing {
namespace {

namespace fs = std::filesystem;

// PDFs with running headers and footers, heading levels from font sizes,
// hyphenation across lines, lists and two columns; "long" has 1,000 pages.
const std::vector<std::string> kPdfs = {"headings", "hyphenation", "lists", "two_column", "unicode", "long"};

// Every field of a chunk that is stored, on one line.
std::string ChunkLine(const Chunk& chunk) {
  std::string line = std::to_string(chunk.ordinal) + "|" + std::to_string(chunk.page_start) + "-" +
                     std::to_string(chunk.page_end) + "|" + std::to_string(chunk.char_start) + "-" +
                     std::to_string(chunk.char_end) + "|" + std::to_string(chunk.token_count) + "|";
  for (const std::string& heading : chunk.heading_path) line += heading + " > ";
  return line + "|" + chunk.text;
}

// The chunks stored for each PDF of `dir`, by file name.
std::map<std::string, std::vector<std::string>> StoredChunks(const std::string& db, const std::string& dir) {
  std::map<std::string, std::vector<std::string>> dump;
  Result<std::unique_ptr<Store>> store = Store::Open(db);
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return dump;
  }
  for (const std::string& name : kPdfs) {
    const std::string path = dir + "/" + name + ".pdf";
    auto record = (*store)->FindByPath(path);
    if (!record.ok() || !record->has_value()) {
      ADD_FAILURE() << path << " is not stored";
      continue;
    }
    auto chunks = (*store)->ChunksOf((*record)->id);
    if (!chunks.ok()) {
      ADD_FAILURE() << path << ": " << chunks.status().ToString();
      continue;
    }
    std::vector<std::string>& lines = dump[name];
    for (const Chunk& chunk : *chunks) lines.push_back(ChunkLine(chunk));
  }
  return dump;
}

// The same documents converted and chunked on this thread, as before ranges existed.
std::map<std::string, std::vector<std::string>> SingleThreadedChunks(const std::string& dir) {
  std::map<std::string, std::vector<std::string>> dump;
  auto engine = PdfEngine::Make();
  if (!engine.ok()) {
    ADD_FAILURE() << engine.status().ToString();
    return dump;
  }
  auto worker = PdfWorker::Make(*engine);
  if (!worker.ok()) {
    ADD_FAILURE() << worker.status().ToString();
    return dump;
  }
  for (const std::string& name : kPdfs) {
    Result<Document> document = (*worker)->Convert(dir + "/" + name + ".pdf", PdfOptions{});
    if (!document.ok()) {
      ADD_FAILURE() << name << ": " << document.status().ToString();
      continue;
    }
    std::vector<std::string>& lines = dump[name];
    for (const Chunk& chunk : ChunkDocument(*document, ChunkOptions{})) lines.push_back(ChunkLine(chunk));
  }
  return dump;
}

class ParallelIngestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    corpus_ = new ScratchDir();
    MakeCorpus(corpus_->path(), kPdfs);
    fs::create_directories(corpus_->path() + "/pdfs");
    for (const std::string& name : kPdfs) {
      fs::rename(corpus_->path() + "/" + name + ".pdf", corpus_->path() + "/pdfs/" + name + ".pdf");
    }
  }
  static void TearDownTestSuite() {
    delete corpus_;
    corpus_ = nullptr;
  }
  static std::string Pdfs() { return corpus_->path() + "/pdfs"; }

  static ScratchDir* corpus_;
};

ScratchDir* ParallelIngestTest::corpus_ = nullptr;

TEST_F(ParallelIngestTest, ChunksAreTheSameAtAnyWorkerCountAndRangeSize) {
  const auto expected = SingleThreadedChunks(Pdfs());
  ASSERT_EQ(expected.size(), kPdfs.size());
  ASSERT_GT(expected.at("long").size(), 100u);
  ScratchDir dir;
  const std::vector<std::vector<std::string>> runs = {
      {"--workers", "1"},
      {"--workers", "2"},
      {"--workers", "4"},
      {"--workers", "2", "--range-pages", "1"},
      {"--workers", "4", "--range-pages", "1"},
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string db = dir / ("run" + std::to_string(i) + ".sqlite");
    std::vector<std::string> args = {"ingest", Pdfs(), "--db", db, "--json"};
    args.insert(args.end(), runs[i].begin(), runs[i].end());
    CliResult result = RunDocpipe(args);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto stored = StoredChunks(db, Pdfs());
    for (const auto& [name, lines] : expected) {
      ASSERT_TRUE(stored.count(name)) << name;
      EXPECT_TRUE(stored.at(name) == lines) << name << " differs from a single-threaded conversion with "
                                             << runs[i][1] << " workers " << (runs[i].size() > 2 ? "1-page ranges" : "");
    }
  }
}

TEST_F(ParallelIngestTest, ReportNamesEveryStageWithItsUnits) {
  ScratchDir dir;
  CliResult result = RunDocpipe({"ingest", Pdfs(), "--db", dir / "kb.sqlite", "--json", "--workers", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json report = nlohmann::json::parse(result.out);
  EXPECT_FALSE(report["cancelled"].get<bool>());
  std::vector<std::string> names;
  for (const auto& stage : report["stages"]) {
    names.push_back(stage["name"]);
    EXPECT_GE(stage["busy_seconds"].get<double>(), 0);
    EXPECT_EQ(stage["units"].get<int>(), static_cast<int>(kPdfs.size())) << stage["name"];
  }
  // "store_queue" hands batches over; "store" is the writer thread's transactions.
  EXPECT_EQ(names, (std::vector<std::string>{"hash", "skip_check", "convert", "embed", "enrich", "store_queue",
                                             "store"}));
}

// Ctrl-C of a run: it stops, exits 130 with the partial report marked
// cancelled, keeps every document it stored, and a second run completes the
// store to exactly a clean run's chunks.
TEST_F(ParallelIngestTest, InterruptStopsTheRunAndKeepsWhatIsStored) {
  ScratchDir dir;
  // Many copies of the long document: more work than the run can finish
  // before the interrupt arrives.
  constexpr int kCopies = 6;
  fs::create_directories(dir / "many");
  std::vector<std::string> paths;
  for (int i = 0; i < kCopies; ++i) {
    const std::string path = dir / ("many/long" + std::to_string(i) + ".pdf");
    fs::copy_file(Pdfs() + "/long.pdf", path);
    // Each copy a different document (content hash), so none is skipped.
    std::ofstream(path, std::ios::app) << "\n% copy " << i << "\n";
    paths.push_back(path);
  }
  // One-chunk pieces: each copy (1,000 chunks) is written one 64-page range
  // at a time, as by default a document of more than 1,024 chunks is.
  pid_t child = StartDocpipe({"ingest", dir / "many", "--db", dir / "kb.sqlite", "--json", "--workers", "2",
                              "--batch", "1", "--piece-chunks", "1"},
                             dir / "out.json", dir / "err.txt");
  ASSERT_GT(child, 0);
  // Interrupt once the first document is being stored (its first piece is
  // in). Later than that, in a build whose conversion outruns its writes
  // (ThreadSanitizer's), every copy was converted, and so kept, before the
  // interrupt.
  bool stored_one = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!stored_one && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    StoreOptions read_only;
    read_only.create_if_missing = false;
    read_only.read_only = true;
    auto store = Store::Open(dir / "kb.sqlite", read_only);
    if (!store.ok()) continue;
    auto counts = (*store)->Counts();
    stored_one = counts.ok() && counts->documents + counts->partial_documents >= 1;
  }
  ASSERT_TRUE(stored_one) << "no document was stored within the deadline";
  ASSERT_EQ(kill(child, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal instead of stopping";
  EXPECT_EQ(WEXITSTATUS(status), 130) << ReadFile(dir / "err.txt");
  nlohmann::json report = nlohmann::json::parse(ReadFile(dir / "out.json"));
  EXPECT_TRUE(report["cancelled"].get<bool>());
  const int stored_ok = report["documents"]["ok"].get<int>();
  EXPECT_GE(stored_ok, 1);
  EXPECT_LT(stored_ok, kCopies) << "the run finished before the interrupt; enlarge the corpus";
  {
    auto store = Store::Open(dir / "kb.sqlite");
    ASSERT_TRUE(store.ok());
    EXPECT_EQ((*store)->Counts()->documents, stored_ok) << "what the report counts is what is stored";
  }

  CliResult resumed = RunDocpipe({"ingest", dir / "many", "--db", dir / "kb.sqlite", "--json", "--workers", "2"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  nlohmann::json second = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(second["documents"]["skipped"].get<int>(), stored_ok);
  EXPECT_EQ(second["documents"]["ok"].get<int>(), kCopies - stored_ok);
  CliResult clean = RunDocpipe({"ingest", dir / "many", "--db", dir / "clean.sqlite", "--workers", "2"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  auto resumed_store = Store::Open(dir / "kb.sqlite");
  auto clean_store = Store::Open(dir / "clean.sqlite");
  ASSERT_TRUE(resumed_store.ok() && clean_store.ok());
  for (const std::string& path : paths) {
    auto a = (*resumed_store)->FindByPath(path);
    auto b = (*clean_store)->FindByPath(path);
    ASSERT_TRUE(a.ok() && b.ok() && a->has_value() && b->has_value()) << path;
    auto chunks_a = (*resumed_store)->ChunksOf((*a)->id);
    auto chunks_b = (*clean_store)->ChunksOf((*b)->id);
    ASSERT_TRUE(chunks_a.ok() && chunks_b.ok());
    ASSERT_EQ(chunks_a->size(), chunks_b->size()) << path;
    for (size_t i = 0; i < chunks_a->size(); ++i) {
      ASSERT_EQ(ChunkLine((*chunks_a)[i]), ChunkLine((*chunks_b)[i])) << path;
    }
  }
}

// Copies of the 1,000-page document, each different content, in dir/name.
std::vector<std::string> CopiesOfLong(const ScratchDir& dir, const std::string& long_pdf,
                                      const std::string& name, int copies) {
  fs::create_directories(dir / name);
  std::vector<std::string> paths;
  for (int i = 0; i < copies; ++i) {
    const std::string path = dir / (name + "/long" + std::to_string(i) + ".pdf");
    fs::copy_file(long_pdf, path);
    std::ofstream(path, std::ios::app) << "\n% copy " << i << "\n";
    paths.push_back(path);
  }
  return paths;
}

// Every chunk line of every path, and the counts, of a store.
struct StoreDump {
  std::map<std::string, std::vector<std::string>> chunks;
  StoreCounts counts;
};

StoreDump DumpStore(const std::string& db, const std::vector<std::string>& paths) {
  StoreDump dump;
  auto store = Store::Open(db);
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return dump;
  }
  for (const std::string& path : paths) {
    auto record = (*store)->FindByPath(path);
    if (!record.ok() || !record->has_value()) {
      ADD_FAILURE() << path << " is not stored";
      continue;
    }
    EXPECT_EQ((*record)->state, DocumentState::kComplete) << path;
    auto chunks = (*store)->ChunksOf((*record)->id);
    if (!chunks.ok()) {
      ADD_FAILURE() << path << ": " << chunks.status().ToString();
      continue;
    }
    for (const Chunk& chunk : *chunks) dump.chunks[path].push_back(ChunkLine(chunk));
  }
  auto counts = (*store)->Counts();
  EXPECT_TRUE(counts.ok()) << counts.status().ToString();
  if (counts.ok()) dump.counts = *counts;
  return dump;
}

// kill -9 while one big document is being streamed into the store: its first
// pieces are committed, the rest not. The partial document is invisible
// meanwhile; a second run replaces it (no duplicate chunks) and ends with
// exactly a clean run's rows, every document complete.
TEST_F(ParallelIngestTest, KillInsideOneBigDocumentResumesToACleanRun) {
  ScratchDir dir;
  // Small page ranges and pieces: the long document is written in hundreds
  // of pieces, so the process is killed while the store holds it in part.
  const std::vector<std::string> paths = CopiesOfLong(dir, Pdfs() + "/long.pdf", "big", 3);
  const std::vector<std::string> args = {"ingest", dir / "big",      "--workers", "2",     "--range-pages",
                                         "2",      "--piece-chunks", "1",         "--json"};
  auto with_db = [&args](const std::string& db) {
    std::vector<std::string> all = args;
    all.insert(all.begin() + 2, {"--db", db});
    return all;
  };
  pid_t child = StartDocpipe(with_db(dir / "killed.sqlite"), dir / "out.json", dir / "err.txt");
  ASSERT_GT(child, 0);
  // Poll through one reader connection (each Counts() sees the latest
  // commit), and kill the moment a document is partial.
  std::unique_ptr<Store> reader;
  bool killed_inside = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!killed_inside && std::chrono::steady_clock::now() < deadline) {
    if (!reader) {
      StoreOptions read_only;
      read_only.create_if_missing = false;
      read_only.read_only = true;
      auto opened = Store::Open(dir / "killed.sqlite", read_only);
      if (!opened.ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        continue;
      }
      reader = std::move(opened).value();
    }
    auto counts = reader->Counts();
    if (counts.ok() && counts->partial_documents > 0) {
      ASSERT_EQ(kill(child, SIGKILL), 0);
      killed_inside = true;
    }
  }
  if (!killed_inside) kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(killed_inside) << "no document was ever partial before the deadline: "
                             << ReadFile(dir / "err.txt");
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before the kill";
  {
    auto counts = reader->Counts();
    ASSERT_TRUE(counts.ok());
    ASSERT_EQ(counts->partial_documents, 1) << "the kill did not land inside a document";
    EXPECT_LT(counts->documents, static_cast<int64_t>(paths.size()));
    // Its committed chunks are there, but no search returns them.
    std::string partial_path;
    int64_t partial_id = 0;
    for (const std::string& path : paths) {
      auto record = reader->FindByPath(path);
      ASSERT_TRUE(record.ok());
      if (record->has_value() && (*record)->state == DocumentState::kPartial) {
        partial_path = path;
        partial_id = (*record)->id;
      }
    }
    ASSERT_FALSE(partial_path.empty());
    auto chunks = reader->ChunksOf(partial_id);
    ASSERT_TRUE(chunks.ok() && !chunks->empty());
    std::string word;
    for (char c : chunks->front().text) {
      if (std::isalpha(static_cast<unsigned char>(c))) {
        word += c;
      } else if (word.size() >= 4) {
        break;
      } else {
        word.clear();
      }
    }
    ASSERT_GE(word.size(), 4u) << chunks->front().text;
    SearchOptions options;
    options.k = 1000;
    auto hits = reader->Search(word, options);
    ASSERT_TRUE(hits.ok()) << word << ": " << hits.status().ToString();
    for (const SearchHit& hit : *hits)
      EXPECT_NE(hit.path, partial_path) << "a partial document was found by " << word;
  }
  reader.reset();

  CliResult resumed = RunDocpipe(with_db(dir / "killed.sqlite"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  nlohmann::json report = nlohmann::json::parse(resumed.out);
  EXPECT_GE(report["documents"]["ok"].get<int>(), 1) << "the partial document was not stored again";
  CliResult clean = RunDocpipe(with_db(dir / "clean.sqlite"));
  ASSERT_EQ(clean.exit_code, 0) << clean.err;

  const StoreDump killed_dump = DumpStore(dir / "killed.sqlite", paths);
  const StoreDump clean_dump = DumpStore(dir / "clean.sqlite", paths);
  ASSERT_EQ(clean_dump.chunks.size(), paths.size());
  EXPECT_GT(clean_dump.chunks.begin()->second.size(), 100u);
  EXPECT_TRUE(killed_dump.chunks == clean_dump.chunks) << "the resumed store differs from a clean run";
  EXPECT_EQ(killed_dump.counts.chunks, clean_dump.counts.chunks) << "duplicate or missing chunks";
  EXPECT_EQ(killed_dump.counts.documents, static_cast<int64_t>(paths.size()));
  EXPECT_EQ(killed_dump.counts.partial_documents, 0);
  EXPECT_EQ(clean_dump.counts.partial_documents, 0);
}

}  // namespace
}  // namespace docpipe::testing
