// POST /extract jobs against a real SQLite store and the stand-in LLM server:
// records are written and served per document, re-runs skip what is stored,
// cancel cuts a running job off without storing anything for the documents
// it did not finish, and bad requests get a 4xx naming what is wrong.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "docpipe/store.h"
#include "fake_llm_server.h"
#include "server_test_support.h"

namespace docpipe::testing {
namespace {

using nlohmann::json;

const json kSchema = {{"type", "object"},
                      {"properties", {{"title", {{"type", "string"}}}, {"year", {{"type", "integer"}}}}},
                      {"required", {"title"}}};

// Stores one document per text (one chunk each) and returns their ids.
std::vector<int64_t> StoreDocuments(const std::string& db, const ScratchDir& dir,
                                    const std::vector<std::string>& texts) {
  auto store = Store::Open(db);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  std::vector<DocumentWrite> writes(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    writes[i].record.path = dir / ("paper" + std::to_string(i) + ".md");
    writes[i].record.sha256 = std::string(63, 'a') + std::to_string(i);
    Chunk chunk;
    chunk.text = texts[i];
    chunk.page_start = chunk.page_end = 1;
    writes[i].chunks.push_back(chunk);
  }
  EXPECT_TRUE((*store)->PutDocuments(writes).ok());
  std::vector<int64_t> ids;
  for (const DocumentWrite& write : writes) ids.push_back(write.record.id);
  return ids;
}

ServerConfig ExtractConfig(const ScratchDir& dir, const FakeLlmServer& llm) {
  ServerConfig config = TestConfig(dir);
  config.enrich.llm_url = llm.url();
  config.enrich.llm_model = "fake-model";
  config.enrich.llm_concurrency = 2;
  config.enrich.llm_retries = 0;
  return config;
}

// Polls GET /extract/{id} until `done(job)` holds; 60 s at most.
template <typename Predicate>
json WaitFor(int port, const std::string& id, Predicate done) {
  json job;
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       std::chrono::steady_clock::now() < end;) {
    job = GetPath(port, "/extract/" + id).json;
    if (done(job)) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "extraction job " << id << " did not get there in 60 s: " << job.dump();
  return job;
}

json WaitForEnd(int port, const std::string& id) {
  return WaitFor(port, id, [](const json& job) {
    std::string state = job.value("state", "");
    return state == "done" || state == "failed" || state == "cancelled";
  });
}

std::string Submit(TestServer& server, const json& body) {
  HttpReply reply = server.Post("/extract", body.dump());
  EXPECT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(reply.json.value("state", ""), "queued") << reply.body;
  return reply.json.value("id", "");
}

TEST(ServerExtract, JobWritesRecordsThatAreServedAndARerunSkipsThem) {
  ScratchDir dir;
  FakeLlmServer llm;
  ServerConfig config = ExtractConfig(dir, llm);
  std::vector<int64_t> ids = StoreDocuments(
      config.db, dir, {"title: Axolotls\nyear: 2019", "title: Newts\nyear: 2021", "title: Frogs"});
  ASSERT_EQ(ids.size(), 3u);
  TestServer server(config);
  ASSERT_TRUE(server.ok());

  json job =
      WaitForEnd(server.port(), Submit(server, {{"schema", kSchema}, {"all", true}, {"evidence", true}}));
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["counts"]["ok"], 3);
  EXPECT_EQ(job["counts"]["failed"], 0);
  EXPECT_EQ(job["progress"]["documents_done"], 3);
  EXPECT_EQ(job["progress"]["documents_total"], 3);
  EXPECT_EQ(job["llm"]["requests"], 3);
  EXPECT_EQ(llm.extraction_requests(), 3);
  EXPECT_EQ(job["model"], "fake-model");

  HttpReply records = server.Get("/documents/" + std::to_string(ids[1]) + "/records");
  ASSERT_EQ(records.status, 200) << records.body;
  ASSERT_EQ(records.json["records"].size(), 1u) << records.body;
  const json& record = records.json["records"][0];
  EXPECT_EQ(record["status"], "ok");
  EXPECT_EQ(record["record"]["title"], "Newts");
  EXPECT_EQ(record["record"]["year"], 2021);
  EXPECT_EQ(record["schema_sha256"], job["schema_sha256"]);
  EXPECT_EQ(record["evidence"]["/title"][0]["pages"], json::array({1, 1})) << records.body;

  // /search hits carry their document's records when asked, and only then.
  HttpReply hits = server.Post("/search", R"({"query": "Newts", "with_records": true})");
  ASSERT_EQ(hits.status, 200) << hits.body;
  ASSERT_EQ(hits.json["hits"].size(), 1u) << hits.body;
  EXPECT_EQ(hits.json["hits"][0]["document_id"], ids[1]);
  EXPECT_EQ(hits.json["hits"][0]["records"], records.json["records"]) << hits.body;
  HttpReply plain = server.Post("/search", R"({"query": "Newts"})");
  ASSERT_EQ(plain.json["hits"].size(), 1u) << plain.body;
  EXPECT_FALSE(plain.json["hits"][0].contains("records")) << plain.body;
  EXPECT_EQ(server.Post("/search", R"({"query": "Newts", "with_records": 1})").status, 400);

  // The same schema and model again: nothing is asked; with "force", everything is.
  json again = WaitForEnd(server.port(), Submit(server, {{"schema", kSchema}, {"document_ids", ids}}));
  EXPECT_EQ(again["state"], "done") << again.dump();
  EXPECT_EQ(again["counts"]["skipped"], 3);
  EXPECT_EQ(again["llm"]["requests"], 0);
  EXPECT_EQ(llm.extraction_requests(), 3);
  json forced = WaitForEnd(server.port(),
                           Submit(server, {{"schema", kSchema}, {"document_id", ids[0]}, {"force", true}}));
  EXPECT_EQ(forced["counts"]["ok"], 1) << forced.dump();
  EXPECT_EQ(llm.extraction_requests(), 4);
}

TEST(ServerExtract, FailedDocumentsGetAFailedRecordWithTheReason) {
  ScratchDir dir;
  FakeLlmServer llm({.violate_schema_first = 2});  // the answer and its repair are both invalid
  ServerConfig config = ExtractConfig(dir, llm);
  config.enrich.llm_concurrency = 1;
  std::vector<int64_t> ids = StoreDocuments(config.db, dir, {"title: Salamanders", "title: Toads"});
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  json job = WaitForEnd(server.port(), Submit(server, {{"schema", kSchema}, {"path_glob", "*/paper0.md"}}));
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["progress"]["documents_total"], 1);
  EXPECT_EQ(job["counts"]["failed"], 1);
  EXPECT_EQ(job["llm"]["repairs"], 1);
  HttpReply records = server.Get("/documents/" + std::to_string(ids[0]) + "/records");
  ASSERT_EQ(records.json["records"].size(), 1u) << records.body;
  EXPECT_EQ(records.json["records"][0]["status"], "failed");
  EXPECT_TRUE(records.json["records"][0]["record"].is_null());
  EXPECT_NE(records.json["records"][0]["error"].get<std::string>().find("repair"), std::string::npos)
      << records.body;
  // A failed record is not a reason to skip: the next job asks again, and now gets an answer.
  json again = WaitForEnd(server.port(), Submit(server, {{"schema", kSchema}, {"document_id", ids[0]}}));
  EXPECT_EQ(again["counts"]["ok"], 1) << again.dump();
  records = server.Get("/documents/" + std::to_string(ids[0]) + "/records");
  EXPECT_EQ(records.json["records"][0]["record"]["title"], "Salamanders") << records.body;
}

TEST(ServerExtract, CancelEndsARunningJobAndKeepsWhatWasStored) {
  ScratchDir dir;
  FakeLlmServer llm;
  ServerConfig config = ExtractConfig(dir, llm);
  std::vector<int64_t> ids =
      StoreDocuments(config.db, dir, {"title: One", "title: Two", "title: Three", "title: Four"});
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  json first = WaitForEnd(server.port(), Submit(server, {{"schema", kSchema}, {"document_id", ids[0]}}));
  ASSERT_EQ(first["counts"]["ok"], 1) << first.dump();

  // From now on the LLM never answers: the job below stays running until it is cancelled.
  llm.set_behavior({.hang_first = 1000000});
  std::string running = Submit(server, {{"schema", kSchema}, {"all", true}});
  std::string queued = Submit(server, {{"schema", kSchema}, {"all", true}});
  WaitFor(server.port(), running, [](const json& job) { return job.value("state", "") == "running"; });
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       llm.requests() < 3 && std::chrono::steady_clock::now() < end;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(llm.requests(), 3);  // one answered before, two in flight (llm-concurrency 2)

  // While it runs, the job shows how far it got.
  json progress = server.Get("/extract/" + running).json;
  EXPECT_EQ(progress["state"], "running") << progress.dump();
  EXPECT_EQ(progress["progress"]["documents_done"], 1) << progress.dump();  // the one already extracted
  EXPECT_EQ(progress["progress"]["documents_total"], 4);
  EXPECT_EQ(progress["counts"]["skipped"], 1);
  EXPECT_EQ(server.Get("/extract/" + queued).json["state"], "queued");

  httplib::Client client("127.0.0.1", server.port());
  auto cancelled_queued = client.Delete("/extract/" + queued);
  ASSERT_TRUE(cancelled_queued);
  EXPECT_EQ(cancelled_queued->status, 200);
  EXPECT_EQ(json::parse(cancelled_queued->body)["state"], "cancelled");
  auto cancel = client.Delete("/extract/" + running);
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->status, 200) << cancel->body;

  json job = WaitForEnd(server.port(), running);
  EXPECT_EQ(job["state"], "cancelled") << job.dump();
  EXPECT_EQ(job["counts"]["skipped"], 1);
  EXPECT_EQ(job["counts"]["ok"], 0);
  EXPECT_EQ(job["counts"]["failed"], 0);
  EXPECT_EQ(job["counts"]["not_finished"], 3);
  // The cut-off documents got no record (not a failed one); the first one kept its own.
  for (size_t i = 1; i < ids.size(); ++i) {
    HttpReply records = server.Get("/documents/" + std::to_string(ids[i]) + "/records");
    EXPECT_TRUE(records.json["records"].empty()) << records.body;
  }
  EXPECT_EQ(server.Get("/documents/" + std::to_string(ids[0]) + "/records").json["records"].size(), 1u);
  EXPECT_EQ(client.Delete("/extract/" + running)->status, 200);  // cancelling again changes nothing

  // Submitted again, the job asks only for the three that are missing.
  llm.set_behavior({});
  const int before = llm.requests();
  json rerun = WaitForEnd(server.port(), Submit(server, {{"schema", kSchema}, {"all", true}}));
  EXPECT_EQ(rerun["counts"]["ok"], 3) << rerun.dump();
  EXPECT_EQ(rerun["counts"]["skipped"], 1);
  EXPECT_EQ(llm.requests() - before, 3);

  // A job still waiting on the LLM does not hold up the server's shutdown.
  llm.set_behavior({.hang_first = 1000000});
  std::string hanging = Submit(server, {{"schema", kSchema}, {"all", true}, {"force", true}});
  WaitFor(server.port(), hanging, [](const json& job) { return job.value("state", "") == "running"; });
  server.server().Shutdown();
}

TEST(ServerExtract, BadRequestsAreRefusedWithTheReason) {
  ScratchDir dir;
  FakeLlmServer llm;
  ServerConfig config = ExtractConfig(dir, llm);
  std::vector<int64_t> ids = StoreDocuments(config.db, dir, {"title: Only"});
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  auto refused = [&](const json& body, int status, const std::string& words) {
    HttpReply reply = server.Post("/extract", body.dump());
    EXPECT_EQ(reply.status, status) << body.dump() << " -> " << reply.body;
    EXPECT_NE(reply.body.find(words), std::string::npos) << body.dump() << " -> " << reply.body;
  };
  json bad_schema = kSchema;
  bad_schema["properties"]["title"]["pattern"] = "^[A-Z]";
  refused({{"schema", bad_schema}, {"all", true}}, 400,
          R"(unsupported keyword \"pattern\" at /properties/title)");
  refused({{"schema", {{"type", "string"}}}, {"all", true}}, 400, "schema:");
  refused({{"all", true}}, 400, "schema: required");
  refused({{"schema", kSchema}}, 400, "give document_id");
  refused({{"schema", kSchema}, {"document_id", "one"}}, 400, "document_id: expected a document id");
  refused({{"schema", kSchema}, {"all", true}, {"shema", 1}}, 400, "shema: unknown field");
  refused({{"schema", kSchema}, {"all", true}, {"context_tokens", 10}}, 400, "context_tokens");
  refused({{"schema", kSchema}, {"all", true}, {"merge", "best"}}, 400,
          R"(merge: expected \"rules\" or \"llm\")");
  refused({{"schema", kSchema}, {"document_ids", {ids[0], ids[0] + 7}}}, 404,
          "document " + std::to_string(ids[0] + 7) + " is not stored");
  refused({{"schema", kSchema}, {"path_glob", "*.pdf"}}, 404, "no stored document matches");
  EXPECT_EQ(server.Get("/extract/12345").status, 404);
  EXPECT_EQ(server.Get("/extract/abc").status, 404);
  EXPECT_EQ(llm.requests(), 0);  // nothing refused reached the LLM

  // A server without an LLM says so.
  ScratchDir other;
  ServerConfig no_llm = TestConfig(other);
  StoreDocuments(no_llm.db, other, {"title: Only"});
  TestServer plain(no_llm);
  ASSERT_TRUE(plain.ok());
  HttpReply reply = plain.Post("/extract", json({{"schema", kSchema}, {"all", true}}).dump());
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_NE(reply.body.find("no LLM server"), std::string::npos) << reply.body;
}

}  // namespace
}  // namespace docpipe::testing
