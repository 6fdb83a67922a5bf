// `docpipe extract` through the real executable against the stand-in LLM
// server: JSONL in input order, usage errors for bad schemas, failures
// marked, the cache across runs, and resuming after kill -9.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli_runner.h"
#include "docpipe/store.h"
#include "fake_llm_server.h"

namespace docpipe {
namespace {

using nlohmann::json;
using testing::CliResult;
using testing::FakeLlmServer;
using testing::RunDocpipe;
using testing::ScratchDir;
using testing::WriteFile;

const char* kSchema = R"({"type": "object", "required": ["title"], "properties": {
    "title": {"type": "string"}, "authors": {"type": "array", "items": {"type": "string"}},
    "year": {"type": "integer"}}})";

// n notes named note_00.txt..., each with its title, author and year on lines of their own.
void WriteNotes(const ScratchDir& dir, int n) {
  std::filesystem::create_directories(dir / "docs");
  for (int i = 0; i < n; ++i) {
    std::string number = (i < 10 ? "0" : "") + std::to_string(i);
    WriteFile(dir / ("docs/note_" + number + ".txt"),
              "title: Note " + number + "\n\nauthors: Writer " + number +
                  "\n\nyear: " + std::to_string(2000 + i) +
                  "\n\nSome prose about the note, long enough to be a paragraph.\n");
  }
}

std::vector<json> Rows(const std::string& path) {
  std::vector<json> rows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) rows.push_back(json::parse(line));
  return rows;
}

int Lines(const std::string& path) {
  std::ifstream in(path);
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

std::vector<std::string> Args(const ScratchDir& dir, const FakeLlmServer& server,
                              const std::string& extra = "") {
  std::vector<std::string> args = {"extract", dir / "docs",      "--schema",      dir / "schema.json",
                                   "--llm",   server.url(),      "--llm-model",   "m",
                                   "-o",      dir / "out.jsonl", "--llm-retries", "0"};
  if (!extra.empty()) args.push_back(extra);
  return args;
}

TEST(ExtractCliTest, WritesOneRowPerDocumentInInputOrderAndCachesAcrossRuns) {
  ScratchDir dir;
  WriteNotes(dir, 12);
  WriteFile(dir / "schema.json", kSchema);
  FakeLlmServer server({.latency_ms = 20});
  CliResult run = RunDocpipe(Args(dir, server, "--evidence"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<json> rows = Rows(dir / "out.jsonl");
  ASSERT_EQ(rows.size(), 12u);
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string number = (i < 10 ? "0" : "") + std::to_string(i);
    EXPECT_NE(rows[i]["path"].get<std::string>().find("note_" + number + ".txt"), std::string::npos);
    EXPECT_EQ(rows[i]["status"], "ok");
    EXPECT_EQ(rows[i]["sha256"].get<std::string>().size(), 64u);
    EXPECT_EQ(rows[i]["record"], json::parse(R"({"title": "Note )" + number + R"(", "authors": ["Writer )" +
                                             number + R"("], "year": )" + std::to_string(2000 + i) + "}"));
    EXPECT_EQ(rows[i]["evidence"]["/title"][0]["pages"], json::array({1, 1}));
  }
  EXPECT_EQ(server.requests(), 12);
  EXPECT_NE(run.err.find("12 document(s): 12 ok, 0 failed; 12 request(s)"), std::string::npos) << run.err;

  CliResult again = RunDocpipe(Args(dir, server));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(server.requests(), 12);  // nothing sent for unchanged documents
  EXPECT_NE(again.err.find("0 request(s)"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("12 cache hit(s)"), std::string::npos) << again.err;
  EXPECT_EQ(Rows(dir / "out.jsonl").size(), 12u);
}

TEST(ExtractCliTest, BadSchemaIsAUsageErrorNamingTheKeyword) {
  ScratchDir dir;
  WriteNotes(dir, 1);
  WriteFile(dir / "schema.json",
            R"({"type": "object", "properties": {"doi": {"type": "string", "format": "uri"}}})");
  FakeLlmServer server;
  CliResult run = RunDocpipe(Args(dir, server));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unsupported keyword \"format\" at /properties/doi"), std::string::npos) << run.err;
  EXPECT_EQ(server.requests(), 0);
}

TEST(ExtractCliTest, FailedDocumentsAreMarkedAndTheRunExitsOne) {
  ScratchDir dir;
  WriteNotes(dir, 1);
  WriteFile(dir / "docs/broken.pdf", "%PDF-1.7 this is not a PDF");
  WriteFile(dir / "schema.json", kSchema);
  FakeLlmServer server({.violate_schema_first = 2});  // the note's answer and its repair
  CliResult run = RunDocpipe(Args(dir, server));
  EXPECT_EQ(run.exit_code, 1) << run.err;
  std::vector<json> rows = Rows(dir / "out.jsonl");
  ASSERT_EQ(rows.size(), 2u);
  int failed = 0;
  for (const json& row : rows) {
    if (row["status"] == "failed") {
      ++failed;
      EXPECT_TRUE(row["record"].is_null());
      EXPECT_FALSE(row["error"].get<std::string>().empty());
    }
  }
  EXPECT_EQ(failed, 2);  // the unreadable PDF, and the note whose answers stayed invalid
  EXPECT_NE(rows[0]["path"].get<std::string>().find("broken.pdf"), std::string::npos);
  EXPECT_NE(rows[1]["error"].get<std::string>().find("invalid answer after one repair"), std::string::npos);
  EXPECT_EQ(server.requests(), 2);
}

TEST(ExtractCliTest, KilledRunResumesWithoutAskingAgain) {
  ScratchDir dir;
  WriteNotes(dir, 8);
  WriteFile(dir / "schema.json", kSchema);
  FakeLlmServer slow({.latency_ms = 300});
  std::vector<std::string> args = Args(dir, slow, "--llm-concurrency");
  args.push_back("1");
  pid_t child = testing::StartDocpipe(args);
  ASSERT_GT(child, 0);
  bool some_answered = false;
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       std::chrono::steady_clock::now() < deadline;) {
    if (Lines(dir / "out.jsonl.cache") >= 3) {
      some_answered = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(some_answered) << "no answer was cached within the deadline";
  int cached = Lines(dir / "out.jsonl.cache");
  ASSERT_LT(cached, 8) << "the run finished before it could be killed";

  FakeLlmServer fast;
  CliResult resumed = RunDocpipe(Args(dir, fast));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(fast.requests(), 8 - cached);
  std::vector<json> rows = Rows(dir / "out.jsonl");
  ASSERT_EQ(rows.size(), 8u);
  for (const json& row : rows) EXPECT_EQ(row["status"], "ok");
}

TEST(ExtractCliTest, RecordsAreStoredWithIngestedDocumentsAndExtractedOverThem) {
  ScratchDir dir;
  WriteNotes(dir, 3);
  WriteFile(dir / "schema.json", kSchema);
  ASSERT_EQ(RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite"}).exit_code, 0);
  FakeLlmServer server;
  // Over the stored documents: no inputs, rows on stdout, records in the store.
  CliResult run = RunDocpipe({"extract", "--db", dir / "kb.sqlite", "--schema", dir / "schema.json", "--llm",
                              server.url(), "--llm-model", "m", "--evidence"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(run.out);
  int rows = 0;
  for (std::string line; std::getline(lines, line); ++rows) EXPECT_EQ(json::parse(line)["status"], "ok");
  EXPECT_EQ(rows, 3);
  EXPECT_EQ(server.requests(), 3);

  auto store = Store::Open(dir / "kb.sqlite");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto documents = (*store)->ListDocuments();
  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 3u);
  for (const DocumentRecord& document : *documents) {
    auto records = (*store)->ExtractionsOf(document.id);
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    ASSERT_EQ(records->size(), 1u);
    const StoredExtraction& record = (*records)[0];
    EXPECT_EQ(record.status, "ok");
    EXPECT_EQ(record.schema_sha256.size(), 64u);
    std::string number = document.path.substr(document.path.size() - 6, 2);
    EXPECT_EQ(json::parse(record.record_json)["title"], "Note " + number);
    EXPECT_EQ(json::parse(record.evidence_json)["/title"][0]["chunk"], 0);
  }
  // A file run with --db stores the record of an ingested file against it; a new file gets its row only.
  WriteFile(dir / "docs/note_99.txt", "title: Not Ingested\n");
  std::vector<std::string> args = Args(dir, server);
  args.insert(args.end(), {"--db", dir / "kb.sqlite", "--cache", dir / "kb.sqlite.extract-cache"});
  CliResult files = RunDocpipe(args);
  ASSERT_EQ(files.exit_code, 0) << files.err;
  std::vector<json> file_rows = Rows(dir / "out.jsonl");
  ASSERT_EQ(file_rows.size(), 4u);
  for (const json& row : file_rows) EXPECT_EQ(row["status"], "ok");
  EXPECT_EQ(server.requests(),
            4);  // the stored documents' text was answered already: only the new file is asked
  auto after = (*store)->ListDocuments();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 3u);  // the new file got its row, not a stored document
  for (const DocumentRecord& document : *after) {
    auto records = (*store)->ExtractionsOf(document.id);
    ASSERT_TRUE(records.ok());
    EXPECT_EQ(records->size(), 1u);  // replaced, same schema
  }
}

TEST(ExtractCliTest, SearchJsonHitsCarryTheirDocumentsRecordsWhenAsked) {
  ScratchDir dir;
  WriteNotes(dir, 2);
  WriteFile(dir / "schema.json", kSchema);
  ASSERT_EQ(RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite"}).exit_code, 0);
  FakeLlmServer server;
  CliResult run = RunDocpipe({"extract", "--db", dir / "kb.sqlite", "--schema", dir / "schema.json", "--llm",
                              server.url(), "--llm-model", "m"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // A document ingested after the extraction has no record yet.
  std::filesystem::create_directories(dir / "later");
  WriteFile(dir / "later/note_later.txt",
            "title: Later\n\nSome prose about the note, long enough to be a paragraph.\n");
  ASSERT_EQ(RunDocpipe({"ingest", dir / "later", "--db", dir / "kb.sqlite"}).exit_code, 0);

  CliResult search = RunDocpipe({"search", "prose", "--db", dir / "kb.sqlite", "--json", "--with-records"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  json hits = json::parse(search.out);
  ASSERT_EQ(hits.size(), 3u) << search.out;
  int with_record = 0;
  for (const json& hit : hits) {
    const std::string path = hit["path"];
    ASSERT_TRUE(hit["records"].is_array()) << hit.dump();
    if (path.find("note_later") != std::string::npos) {
      EXPECT_TRUE(hit["records"].empty()) << hit.dump();
      continue;
    }
    ASSERT_EQ(hit["records"].size(), 1u) << hit.dump();
    const json& record = hit["records"][0];
    EXPECT_EQ(record["status"], "ok");
    EXPECT_EQ(record["model"], "m");
    EXPECT_EQ(record["prompt_version"], "extract-v1");
    EXPECT_EQ(record["record"]["title"], "Note " + path.substr(path.size() - 6, 2)) << hit.dump();
    ++with_record;
  }
  EXPECT_EQ(with_record, 2);

  // Not asked for, not there; and it is a JSON option.
  CliResult plain = RunDocpipe({"search", "prose", "--db", dir / "kb.sqlite", "--json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  for (const json& hit : json::parse(plain.out)) EXPECT_FALSE(hit.contains("records")) << hit.dump();
  CliResult text = RunDocpipe({"search", "prose", "--db", dir / "kb.sqlite", "--with-records"});
  EXPECT_NE(text.exit_code, 0);
  EXPECT_NE(text.err.find("--json"), std::string::npos) << text.err;
}

TEST(ExtractCliTest, ShardsTakeEachInputOnceBetweenThem) {
  ScratchDir dir;
  WriteNotes(dir, 8);
  WriteFile(dir / "schema.json", kSchema);
  FakeLlmServer server;
  // Files: two tasks write their own output; together they hold every note exactly once.
  std::set<std::string> seen;
  size_t rows = 0;
  for (const char* shard : {"0/2", "1/2"}) {
    const std::string out = dir / (std::string("out_") + shard[0] + ".jsonl");
    CliResult run = RunDocpipe({"extract", dir / "docs", "--schema", dir / "schema.json", "--llm",
                                server.url(), "--llm-model", "m", "-o", out, "--no-cache", "--shard", shard});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    for (const json& row : Rows(out)) {
      seen.insert(row["path"].get<std::string>());
      ++rows;
    }
  }
  EXPECT_EQ(rows, 8u);
  EXPECT_EQ(seen.size(), 8u);

  // Stored documents: each task stores the records of its share; together, one per document.
  ASSERT_EQ(RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite"}).exit_code, 0);
  std::vector<size_t> per_task;
  for (const char* shard : {"0/2", "1/2"}) {
    CliResult run = RunDocpipe({"extract", "--db", dir / "kb.sqlite", "--schema", dir / "schema.json",
                                "--llm", server.url(), "--llm-model", "m", "--no-cache", "--shard", shard});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    per_task.push_back(static_cast<size_t>(std::count(run.out.begin(), run.out.end(), '\n')));
  }
  EXPECT_EQ(per_task[0] + per_task[1], 8u);
  auto store = Store::Open(dir / "kb.sqlite");
  ASSERT_TRUE(store.ok());
  auto documents = (*store)->ListDocuments();
  ASSERT_TRUE(documents.ok());
  for (const DocumentRecord& document : *documents) {
    auto records = (*store)->ExtractionsOf(document.id);
    ASSERT_TRUE(records.ok());
    EXPECT_EQ(records->size(), 1u) << document.path;
  }

  CliResult bad = RunDocpipe(
      {"extract", dir / "docs", "--schema", dir / "schema.json", "--llm", server.url(), "--shard", "2/2"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("--shard"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace docpipe
