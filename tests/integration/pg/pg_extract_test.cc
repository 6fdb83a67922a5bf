// Extraction records on PostgreSQL: `docpipe extract --db` over stored
// documents, `search --json --with-records`, and the server's POST /extract
// job writing to the same store, with the stand-in LLM server.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli_runner.h"
#include "docpipe/server.h"
#include "docpipe/server_config.h"
#include "fake_llm_server.h"
#include "pg_test_database.h"

namespace docpipe::testing {
namespace {

using nlohmann::json;

const char* kSchema = R"({"type": "object", "required": ["title"], "properties": {
    "title": {"type": "string"}, "year": {"type": "integer"}}})";

TEST(PgExtractTest, RecordsAreStoredSearchedAndExtractedByTheServer) {
  PgTestDatabase db;
  ScratchDir dir;
  std::filesystem::create_directories(dir / "docs");
  for (int i = 0; i < 3; ++i) {
    WriteFile(dir / ("docs/note" + std::to_string(i) + ".md"),
              "title: Note " + std::to_string(i) + "\n\nyear: " + std::to_string(2020 + i) +
                  "\n\nThe pgrecords marker is in every note.\n");
  }
  WriteFile(dir / "schema.json", kSchema);
  ASSERT_EQ(RunDocpipe({"ingest", dir / "docs", "--db", db.url()}).exit_code, 0);
  FakeLlmServer llm;

  CliResult run = RunDocpipe({"extract", "--db", db.url(), "--schema", dir / "schema.json", "--llm",
                              llm.url(), "--llm-model", "m", "--no-cache"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM extraction_records WHERE status = 'ok'"), "3");

  CliResult search = RunDocpipe({"search", "pgrecords", "--db", db.url(), "--json", "--with-records"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  json hits = json::parse(search.out);
  ASSERT_EQ(hits.size(), 3u) << search.out;
  for (const json& hit : hits) {
    ASSERT_EQ(hit["records"].size(), 1u) << hit.dump();
    const std::string path = hit["path"];
    EXPECT_EQ(hit["records"][0]["record"]["title"], "Note " + path.substr(path.size() - 4, 1)) << hit.dump();
  }

  // The server on the same store: a forced job asks again for every document and replaces their records.
  ServerConfig config;
  config.db = db.url();
  config.port = 0;
  config.http_threads = 4;
  config.upload_dir = dir / "uploads";
  config.enrich.llm_url = llm.url();
  config.enrich.llm_model = "m";
  Result<std::unique_ptr<Server>> server = Server::Make(config);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE((*server)->Start().ok());
  httplib::Client client("127.0.0.1", (*server)->port());
  const int before = llm.requests();
  json body = {{"schema", json::parse(kSchema)}, {"all", true}, {"force", true}};
  auto submitted = client.Post("/extract", body.dump(), "application/json");
  ASSERT_TRUE(submitted);
  ASSERT_EQ(submitted->status, 202) << submitted->body;
  const std::string id = json::parse(submitted->body)["id"];
  json job;
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       std::chrono::steady_clock::now() < end;) {
    auto got = client.Get("/extract/" + id);
    ASSERT_TRUE(got);
    job = json::parse(got->body);
    if (job["state"] != "queued" && job["state"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["counts"]["ok"], 3) << job.dump();
  EXPECT_EQ(llm.requests() - before, 3);
  const std::string document_id = PgQuery(db.url(), "SELECT min(id) FROM documents");
  auto records = client.Get("/documents/" + document_id + "/records");
  ASSERT_TRUE(records);
  json served = json::parse(records->body);
  ASSERT_EQ(served["records"].size(), 1u) << records->body;  // replaced, not added
  EXPECT_EQ(served["records"][0]["status"], "ok");
  EXPECT_EQ(served["records"][0]["schema_sha256"], job["schema_sha256"]);
  (*server)->Shutdown();
}

}  // namespace
}  // namespace docpipe::testing
