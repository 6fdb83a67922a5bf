// End-to-end LLM enrichment through the real `docpipe ingest`: an in-test HTTP
// server speaking the Ollama and OpenAI protocols answers; the tests check the
// stored tag and entity rows, the cache in the store (the server counts the
// calls), the heuristic path, a server that is down, and that the API key
// never shows.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "docpipe/store.h"
#include "fake_llm_server.h"

namespace docpipe::testing {
namespace {

namespace fs = std::filesystem;

void WriteTexts(const std::string& dir, int count) {
  fs::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    std::string text = "# Report " + std::to_string(i) + "\n\n";
    for (int s = 0; s < 12; ++s) {
      text += "The Eiffel Tower in Paris was finished in 1889 and measures 330 m; report " + std::to_string(i) +
              " sentence " + std::to_string(s) + " explains how the software indexes documents. ";
    }
    text += "\n";
    WriteFile(dir + "/report" + std::to_string(i) + ".md", text);
  }
}

// Every stored document's enrichment results, in document and chunk order.
std::vector<EnrichmentResult> StoredEnrichments(const std::string& db, const std::string& dir) {
  std::vector<EnrichmentResult> all;
  auto store = Store::Open(db);
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return all;
  }
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir)) paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  for (const std::string& path : paths) {
    auto record = (*store)->FindByPath(path);
    if (!record.ok() || !record->has_value()) {
      ADD_FAILURE() << path << " is not stored";
      continue;
    }
    auto results = (*store)->EnrichmentsOf((*record)->id);
    if (!results.ok()) {
      ADD_FAILURE() << results.status().ToString();
      continue;
    }
    all.insert(all.end(), results->begin(), results->end());
  }
  return all;
}

std::string Query(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  std::string value;
  int rc = sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_exec(handle, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
  sqlite3_stmt* statement = nullptr;
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    ADD_FAILURE() << "query failed: " << sql << ": " << (handle ? sqlite3_errmsg(handle) : "no connection");
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return value;
}

// A local port with nothing listening on it.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

nlohmann::json Ingest(const ScratchDir& dir, std::vector<std::string> extra, CliResult* raw = nullptr) {
  std::vector<std::string> args = {"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json", "--workers", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  CliResult result = RunDocpipe(args);
  if (raw != nullptr) *raw = result;
  EXPECT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json report = nlohmann::json::parse(result.out, nullptr, false);
  EXPECT_FALSE(report.is_discarded()) << result.out;
  return report.is_discarded() ? nlohmann::json::object() : report;
}

TEST(LlmIngestTest, OllamaRowsAreStoredAndTheCacheSavesEveryLaterCall) {
  FakeLlmServer server;
  ScratchDir dir;
  WriteTexts(dir / "docs", 3);
  const std::vector<std::string> llm = {"--llm", server.url(), "--llm-model", "test-model", "--llm-protocol",
                                        "ollama", "--llm-concurrency", "4"};
  nlohmann::json report = Ingest(dir, llm);
  const int64_t chunks = report["chunks"].get<int64_t>();
  ASSERT_GE(chunks, 3);
  const nlohmann::json& enrichment = report["enrichment"];
  EXPECT_EQ(enrichment["producer"], "llm:test-model");
  EXPECT_EQ(enrichment["chunks"], chunks);
  EXPECT_EQ(enrichment["by_source"]["llm"], chunks);
  EXPECT_EQ(enrichment["by_source"]["fallback"], 0);
  EXPECT_EQ(enrichment["cache_hits"], 0);
  EXPECT_EQ(enrichment["llm_requests"].get<int>(), server.requests());
  EXPECT_GE(server.requests(), chunks);  // one chunk per request by default
  for (const std::string& path : server.paths()) EXPECT_EQ(path, "/api/chat");

  std::vector<EnrichmentResult> stored = StoredEnrichments(dir / "kb.sqlite", dir / "docs");
  ASSERT_EQ(static_cast<int64_t>(stored.size()), chunks);
  for (const EnrichmentResult& result : stored) {
    EXPECT_EQ(result.source, EnrichmentSource::kLlm);
    EXPECT_EQ(result.producer, "llm:test-model");
    EXPECT_FALSE(result.prompt_version.empty());
    EXPECT_TRUE(result.has_tags);
    EXPECT_FALSE(result.tags.domain.label.empty());
  }
  EXPECT_EQ(Query(dir / "kb.sqlite", "SELECT count(*) FROM enrichment_cache"), std::to_string(chunks));

  // The document rows go (their tags with them); the text comes back: the cache answers.
  const int calls = server.requests();
  Query(dir / "kb.sqlite", "DELETE FROM documents");
  EXPECT_EQ(Query(dir / "kb.sqlite", "SELECT count(*) FROM chunk_tags"), "0");
  nlohmann::json again = Ingest(dir, llm);
  EXPECT_EQ(again["documents"]["ok"], 3);
  EXPECT_EQ(server.requests(), calls);
  EXPECT_EQ(again["enrichment"]["cache_hits"], chunks);
  EXPECT_EQ(again["enrichment"]["llm_requests"], 0);
  EXPECT_EQ(again["enrichment"]["by_source"]["llm"], chunks);
  stored = StoredEnrichments(dir / "kb.sqlite", dir / "docs");
  ASSERT_EQ(static_cast<int64_t>(stored.size()), chunks);
  for (const EnrichmentResult& result : stored) EXPECT_EQ(result.source, EnrichmentSource::kLlm);

  // The same text at another path, settings that do not matter changed: still no call.
  fs::rename(dir / "docs/report0.md", dir / "docs/renamed.md");
  Query(dir / "kb.sqlite", "DELETE FROM documents");
  Ingest(dir, {"--llm", server.url(), "--llm-model", "test-model", "--llm-protocol", "ollama",
               "--llm-concurrency", "2", "--llm-timeout", "30"});
  EXPECT_EQ(server.requests(), calls);
}

TEST(LlmIngestTest, OpenAiProtocolWithBatchedRequests) {
  FakeLlmServer server;
  ScratchDir dir;
  WriteTexts(dir / "docs", 2);
  nlohmann::json report =
      Ingest(dir, {"--llm", server.url() + "/v1", "--llm-model", "test-model", "--llm-batch", "4"});
  const int64_t chunks = report["chunks"].get<int64_t>();
  EXPECT_EQ(report["enrichment"]["by_source"]["llm"], chunks);
  ASSERT_FALSE(server.paths().empty());
  for (const std::string& path : server.paths()) EXPECT_EQ(path, "/v1/chat/completions");
  std::vector<EnrichmentResult> stored = StoredEnrichments(dir / "kb.sqlite", dir / "docs");
  ASSERT_EQ(static_cast<int64_t>(stored.size()), chunks);
  for (const EnrichmentResult& result : stored) {
    EXPECT_EQ(result.source, EnrichmentSource::kLlm);
    EXPECT_TRUE(result.has_entities);
  }
}

TEST(LlmIngestTest, WithoutLlmTheHeuristicTaggerFillsTheRows) {
  ScratchDir dir;
  WriteTexts(dir / "docs", 2);
  nlohmann::json report = Ingest(dir, {});
  const int64_t chunks = report["chunks"].get<int64_t>();
  EXPECT_EQ(report["enrichment"]["producer"], "heuristic");
  EXPECT_EQ(report["enrichment"]["by_source"]["heuristic"], chunks);
  EXPECT_EQ(report["enrichment"]["llm_requests"], 0);
  std::vector<EnrichmentResult> stored = StoredEnrichments(dir / "kb.sqlite", dir / "docs");
  ASSERT_EQ(static_cast<int64_t>(stored.size()), chunks);
  for (const EnrichmentResult& result : stored) {
    EXPECT_EQ(result.source, EnrichmentSource::kHeuristic);
    EXPECT_EQ(result.producer, "heuristic");
    ASSERT_TRUE(result.has_entities);
    EXPECT_FALSE(result.entities.empty());  // "Eiffel Tower", "1889", "330 m" are in every chunk
  }
  EXPECT_EQ(Query(dir / "kb.sqlite", "SELECT count(*) FROM enrichment_cache"), "0");

  // --extract entities: no tag rows.
  ScratchDir other;
  WriteTexts(other / "docs", 1);
  Ingest(other, {"--extract", "entities"});
  EXPECT_EQ(Query(other / "kb.sqlite", "SELECT count(*) FROM chunk_tags"), "0");
  EXPECT_NE(Query(other / "kb.sqlite", "SELECT count(*) FROM chunk_entities"), "0");
}

TEST(LlmIngestTest, ServerDownFallsBackAndTheRunSucceeds) {
  ScratchDir dir;
  WriteTexts(dir / "docs", 8);  // more chunks than the breaker's threshold of 5 failures
  CliResult raw;
  const std::string url = "http://127.0.0.1:" + std::to_string(ClosedPort());
  nlohmann::json report = Ingest(dir, {"--llm", url, "--llm-retries", "0", "--llm-concurrency", "2"}, &raw);
  EXPECT_EQ(raw.exit_code, 0);
  EXPECT_EQ(report["documents"]["ok"], 8);
  const int64_t chunks = report["chunks"].get<int64_t>();
  const nlohmann::json& enrichment = report["enrichment"];
  EXPECT_EQ(enrichment["by_source"]["fallback"], chunks);
  EXPECT_EQ(enrichment["by_source"]["llm"], 0);
  EXPECT_GE(enrichment["errors"].get<int>(), 1);
  EXPECT_GE(enrichment["breaker_trips"].get<int>(), 1);
  std::vector<EnrichmentResult> stored = StoredEnrichments(dir / "kb.sqlite", dir / "docs");
  ASSERT_EQ(static_cast<int64_t>(stored.size()), chunks);
  for (const EnrichmentResult& result : stored) EXPECT_EQ(result.source, EnrichmentSource::kFallback);
  EXPECT_EQ(Query(dir / "kb.sqlite", "SELECT count(*) FROM enrichment_cache"), "0");  // fallbacks are not cached

  // The human summary says so too.
  ScratchDir text_dir;
  WriteTexts(text_dir / "docs", 1);
  CliResult text = RunDocpipe({"ingest", text_dir / "docs", "--db", text_dir / "kb.sqlite", "--llm", url,
                               "--llm-retries", "0"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.err.find("fallback"), std::string::npos) << text.err;
}

TEST(LlmIngestTest, ApiKeyNeverAppearsInReportsOrTheStore) {
  FakeLlmBehavior behavior;
  behavior.fail_first = 1000;
  behavior.fail_status = 401;  // not retried; the body quotes the Authorization header back
  behavior.echo_authorization = true;
  FakeLlmServer server(behavior);
  ScratchDir dir;
  WriteTexts(dir / "docs", 1);
  const std::string key = "sk-integration-secret-4711";
  setenv("DOCPIPE_LLM_API_KEY", key.c_str(), 1);
  CliResult json_run;
  nlohmann::json report = Ingest(dir, {"--llm", server.url() + "/v1", "--llm-model", "test-model"}, &json_run);
  WriteTexts(dir / "more", 1);
  CliResult text_run = RunDocpipe({"ingest", dir / "more", "--db", dir / "kb.sqlite", "--llm", server.url() + "/v1"});
  unsetenv("DOCPIPE_LLM_API_KEY");

  EXPECT_EQ(server.last_authorization(), "Bearer " + key);  // it was sent ...
  EXPECT_EQ(json_run.out.find(key), std::string::npos);     // ... and shown nowhere
  EXPECT_EQ(json_run.err.find(key), std::string::npos);
  EXPECT_EQ(text_run.err.find(key), std::string::npos);
  EXPECT_EQ(text_run.exit_code, 0);
  EXPECT_GE(report["enrichment"]["by_source"]["fallback"].get<int>(), 1);
  const std::string db = dir / "kb.sqlite";
  EXPECT_EQ(Query(db, "SELECT count(*) FROM runs WHERE instr(config, '" + key + "') OR instr(metrics, '" + key + "')"),
            "0");
  EXPECT_EQ(Query(db, "SELECT count(*) FROM documents WHERE instr(error, '" + key + "')"), "0");
}

}  // namespace
}  // namespace docpipe::testing
