// POST /ingest, /search and /v1/embeddings through real HTTP: what is stored,
// found, tagged by the (fake) LLM, embedded, and that repeats are stored once.
#include <gtest/gtest.h>

#include <cmath>
#include <chrono>
#include <thread>

#include "docpipe/store.h"
#include "fake_llm_server.h"
#include "server_test_support.h"

namespace docpipe::testing {
namespace {

StoreCounts CountsOf(const std::string& db) {
  auto store = Store::Open(db);
  if (!store.ok()) {
    ADD_FAILURE() << store.status().ToString();
    return {};
  }
  auto counts = (*store)->Counts();
  EXPECT_TRUE(counts.ok());
  return counts.ok() ? *counts : StoreCounts{};
}

TEST(ServerIngest, StoresChunksAndSearchFindsThem) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  HttpReply reply = server.Post("/ingest", IngestBody({{"", "Photosynthesis converts light into chemical energy."},
                                                        {"reef-1", "Coral reef bleaching follows marine heatwaves."}}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  ASSERT_EQ(reply.json["stored"].size(), 2u);
  EXPECT_EQ(reply.json["stored"][1]["id"], "reef-1");
  EXPECT_TRUE(reply.json["errors"].empty());
  EXPECT_EQ(reply.json["enrichment"]["heuristic"], 2);
  EXPECT_TRUE(reply.json["timings"].contains("store_seconds"));

  HttpReply search = server.Post("/search", R"({"query":"coral reef","k":5})");
  ASSERT_EQ(search.status, 200) << search.body;
  ASSERT_EQ(search.json["hits"].size(), 1u);
  EXPECT_EQ(search.json["hits"][0]["path"], "ingest:test/reef-1");
  EXPECT_EQ(search.json["mode"], "lexical");

  // The same chunks again (same ids, same texts) replace, never duplicate.
  ASSERT_EQ(server.Post("/ingest", IngestBody({{"", "Photosynthesis converts light into chemical energy."},
                                               {"reef-1", "Coral reef bleaching follows marine heatwaves."}}))
                .status,
            200);
  server.server().Shutdown();
  EXPECT_EQ(CountsOf(config.db).chunks, 2);
}

TEST(ServerIngest, PerChunkErrorsDoNotFailTheRest) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.max_chunk_bytes = 40;
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  HttpReply reply = server.Post(
      "/ingest", IngestBody({{"a", "fine text"}, {"b", "   "}, {"a", "same id again"}, {"c", std::string(41, 'x')}}));
  ASSERT_EQ(reply.status, 200) << reply.body;
  ASSERT_EQ(reply.json["stored"].size(), 1u);
  ASSERT_EQ(reply.json["errors"].size(), 3u);
  EXPECT_EQ(reply.json["errors"][0]["index"], 1);
  EXPECT_EQ(reply.json["errors"][0]["error"], "text is empty");
  EXPECT_NE(reply.json["errors"][1]["error"].get<std::string>().find("appears twice"), std::string::npos);
  EXPECT_NE(reply.json["errors"][2]["error"].get<std::string>().find("limit is 40"), std::string::npos);
}

TEST(ServerIngest, LlmTagsAllChunksOfARequestConcurrently) {
  FakeLlmServer llm({.latency_ms = 200});
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.enrich.llm_url = llm.url();
  config.enrich.llm_concurrency = 16;
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  std::vector<std::pair<std::string, std::string>> chunks;
  for (int i = 0; i < 10; ++i) {
    chunks.push_back({"c" + std::to_string(i), "The Eiffel Tower in Paris was finished in 1889; note " +
                                                    std::to_string(i) + " on indexing software."});
  }
  HttpReply reply = server.Post("/ingest", IngestBody(chunks, /*skip_llm=*/false));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["stored"].size(), 10u);
  EXPECT_EQ(reply.json["enrichment"]["llm"], 10);
  EXPECT_EQ(llm.requests(), 10);
  EXPECT_GT(llm.max_concurrent(), 1) << "the chunks of one request should be at the LLM together";

  // The answers are cached in the store: the same texts again make no request.
  ASSERT_EQ(server.Post("/ingest", IngestBody(chunks, false)).status, 200);
  EXPECT_EQ(llm.requests(), 10);
  // skip_llm takes the heuristic tagger.
  HttpReply skipped = server.Post("/ingest", IngestBody({{"h", "A heuristic chunk about Paris."}}, true));
  EXPECT_EQ(skipped.json["enrichment"]["heuristic"], 1);
  EXPECT_EQ(llm.requests(), 10);

  HttpReply metrics = server.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("docpipe_enrich_cache_hits_total 10"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("docpipe_llm_in_flight 0"), std::string::npos);
  EXPECT_NE(metrics.body.find("docpipe_http_requests_total{route=\"/ingest\",status=\"200\"} 3"), std::string::npos);
  EXPECT_NE(metrics.body.find("docpipe_stage_seconds_bucket{stage=\"tag_llm\",le=\"+Inf\"} 2"), std::string::npos);
}

TEST(ServerIngest, ConcurrentClientsAllStoredOnce) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  constexpr int kClients = 8, kRequests = 10, kChunks = 5;
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int r = 0; r < kRequests; ++r) {
        std::vector<std::pair<std::string, std::string>> chunks;
        for (int k = 0; k < kChunks; ++k) {
          std::string id = std::to_string(c) + "-" + std::to_string(r) + "-" + std::to_string(k);
          chunks.push_back({id, "chunk " + id + " about concurrent storage"});
        }
        if (PostJson(server.port(), "/ingest", IngestBody(chunks)).status == 200) ++ok;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(ok.load(), kClients * kRequests);
  // Each request is one unit of the chain; the shared writer counts every
  // chunk's document once, whichever transaction it shared.
  HttpReply metrics = server.Get("/metrics");
  for (const char* stage : {"enrich", "embed", "store_queue"}) {
    EXPECT_NE(metrics.body.find("docpipe_pipeline_stage_units_total{stage=\"" + std::string(stage) + "\"} " +
                                std::to_string(kClients * kRequests) + "\n"),
              std::string::npos)
        << stage << "\n"
        << metrics.body;
  }
  EXPECT_NE(metrics.body.find("docpipe_pipeline_stage_units_total{stage=\"store\"} " +
                              std::to_string(kClients * kRequests * kChunks) + "\n"),
            std::string::npos)
      << metrics.body;
  server.server().Shutdown();
  EXPECT_EQ(CountsOf(config.db).chunks, kClients * kRequests * kChunks);
}

TEST(ServerEmbeddings, VectorsForIngestSearchAndTheOpenAiEndpoint) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  config.embed_model = DOCPIPE_TINY_MODEL;
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  HttpReply one = server.Post("/v1/embeddings", R"({"input":"the quick brown fox"})");
  ASSERT_EQ(one.status, 200) << one.body;
  ASSERT_EQ(one.json["data"].size(), 1u);
  std::vector<float> vector = one.json["data"][0]["embedding"].get<std::vector<float>>();
  ASSERT_EQ(vector.size(), 32u);
  double norm = 0;
  for (float v : vector) norm += v * v;
  EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-4);  // the model normalizes
  EXPECT_GT(one.json["usage"]["prompt_tokens"].get<int>(), 2);
  std::string model = one.json["model"];

  HttpReply list = server.Post("/v1/embeddings", R"({"model":")" + model + R"(","input":["a","b","c"]})");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json["data"].size(), 3u);
  EXPECT_EQ(list.json["data"][2]["index"], 2);
  EXPECT_EQ(server.Post("/v1/embeddings", R"({"model":"other","input":"a"})").status, 404);

  ASSERT_EQ(server.Post("/ingest", IngestBody({{"fox", "the quick brown fox"}, {"dog", "the lazy dog sleeps"}})).status,
            200);
  HttpReply search = server.Post("/search", R"({"query":"the quick brown fox","k":2,"mode":"vector"})");
  ASSERT_EQ(search.status, 200) << search.body;
  ASSERT_EQ(search.json["hits"].size(), 2u);
  EXPECT_EQ(search.json["hits"][0]["path"], "ingest:test/fox");  // the identical text scores highest
  EXPECT_NEAR(search.json["hits"][0]["score"].get<double>(), 1.0, 1e-3);
  HttpReply health = server.Get("/health");
  EXPECT_EQ(health.json["components"]["encoder"]["dimension"], 32);
  EXPECT_EQ(health.json["components"]["store"]["vectors"], 2);
  HttpReply hybrid = server.Post("/search", R"({"query":"quick fox","mode":"hybrid","k":2})");
  ASSERT_EQ(hybrid.status, 200) << hybrid.body;
  EXPECT_EQ(hybrid.json["hits"][0]["path"], "ingest:test/fox");  // first in both lists
  EXPECT_EQ(server.Post("/search", R"({"query":"fox","mode":"semantic"})").status, 400);

  // The first vector search found no index and started building one; once it
  // is in, the same search goes through it and finds the same chunk.
  nlohmann::json index;
  for (int attempt = 0; attempt < 200; ++attempt) {
    index = server.Get("/health").json["components"]["index"]["vector_index"];
    if (index["rebuilds"].get<int>() >= 1 && !index["building"].get<bool>()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(index["last_error"], "");
  EXPECT_EQ(index["vectors"], 2);
  HttpReply indexed = server.Post("/search", R"({"query":"the quick brown fox","k":2,"mode":"vector"})");
  ASSERT_EQ(indexed.status, 200) << indexed.body;
  EXPECT_EQ(indexed.json["hits"][0]["path"], "ingest:test/fox");
  EXPECT_NEAR(indexed.json["hits"][0]["score"].get<double>(), 1.0, 1e-3);
  EXPECT_EQ(server.Get("/health").json["components"]["index"]["vector_index"]["rebuilds"], index["rebuilds"]);
}

TEST(ServerEmbeddings, WithoutAModelTheEndpointSaysSo) {
  ScratchDir dir;
  TestServer server(TestConfig(dir));
  ASSERT_TRUE(server.ok());
  HttpReply reply = server.Post("/v1/embeddings", R"({"input":"a"})");
  EXPECT_EQ(reply.status, 404);
  EXPECT_NE(reply.json["error"]["message"].get<std::string>().find("--embed-model"), std::string::npos);
  HttpReply vector = server.Post("/search", R"({"query":"a","mode":"vector"})");
  EXPECT_EQ(vector.status, 400);
  EXPECT_NE(vector.json["error"]["message"].get<std::string>().find("available: lexical"), std::string::npos);
}

}  // namespace
}  // namespace docpipe::testing
