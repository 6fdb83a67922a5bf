// Embeddings through the real `docpipe ingest` and `docpipe search`: a native
// model folder (the tiny reference models the embed tests generate) and a
// remote OpenAI-compatible / Ollama server (the in-test fake server); vectors
// stored with their embedder, re-embedding when the model changes, and
// vector and hybrid search finding the chunk that matches.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "docpipe/store.h"
#include "open_store.h"
#include "fake_llm_server.h"

namespace docpipe::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kModels = DOCPIPE_EMBED_REFERENCE_DIR;

// Three short documents about different things, one chunk each.
void WriteTopics(const std::string& dir) {
  fs::create_directories(dir);
  WriteFile(dir + "/coral.md", "# Reefs\n\nCoral reefs bleach when the ocean water grows too warm for the algae.\n");
  WriteFile(dir + "/engines.md", "# Engines\n\nA diesel engine ignites its fuel by compression alone, without sparks.\n");
  WriteFile(dir + "/bread.md", "# Baking\n\nSourdough bread rises slowly because wild yeast ferments the dough.\n");
}

json RunJson(const std::vector<std::string>& args, int expected_exit = 0) {
  CliResult result = RunDocpipe(args);
  EXPECT_EQ(result.exit_code, expected_exit) << result.err;
  json parsed = json::parse(result.out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << result.out << result.err;
  return parsed.is_discarded() ? json() : parsed;
}

TEST(EmbedIngestTest, NativeModelVectorsAreStoredAndSearchable) {
  ScratchDir dir;
  WriteTopics(dir / "docs");
  const std::string model = kModels + "/bert_f32_mean_normalize";
  json report = RunJson({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json", "--embed-model", model});
  EXPECT_EQ(report["embedding"]["embedder"], "bert_f32_mean_normalize");
  EXPECT_EQ(report["embedding"]["vectors"], report["chunks"]);
  EXPECT_GT(report["busy_seconds"]["embed"].get<double>(), 0.0);

  auto store = OpenStore(dir / "kb.sqlite");
  ASSERT_TRUE(store);
  auto counts = store->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->vectors, counts->chunks);
  auto embedders = store->Embedders();
  ASSERT_TRUE(embedders.ok());
  ASSERT_EQ(embedders->size(), 1u);
  EXPECT_EQ(fs::path((*embedders)[0].source), fs::absolute(model).lexically_normal());

  // A chunk's own text, embedded as the query, is its own nearest neighbour.
  auto record = store->FindByPath(dir / "docs/engines.md");
  ASSERT_TRUE(record.ok() && record->has_value());
  auto chunks = store->ChunksOf((*record)->id);
  ASSERT_TRUE(chunks.ok() && !chunks->empty());
  json hits = RunJson({"search", (*chunks)[0].text, "--db", dir / "kb.sqlite", "--mode", "vector", "--json", "-k", "3"});
  ASSERT_TRUE(hits.is_array());
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0]["path"], dir / "docs/engines.md");
  EXPECT_NEAR(hits[0]["score"].get<double>(), 1.0, 1e-4);  // normalised: inner product of a vector with itself

  // Same model again: nothing to do. Another model: every document embedded again.
  json again = RunJson({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json", "--embed-model", model});
  EXPECT_EQ(again["documents"]["skipped"], 3);
  const std::string other = kModels + "/t5_relu_f32_mean_dense_normalize";
  json other_run = RunJson({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json", "--embed-model", other});
  EXPECT_EQ(other_run["documents"]["ok"], 3);
  EXPECT_EQ(other_run["embedding"]["embedder"], "t5_relu_f32_mean_dense_normalize");
  store = OpenStore(dir / "kb.sqlite");
  ASSERT_TRUE(store);
  counts = store->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->documents, 3);
  EXPECT_EQ(counts->vectors, counts->chunks);  // the old model's vectors went with the replaced chunks
  embedders = store->Embedders();
  ASSERT_TRUE(embedders.ok());
  ASSERT_EQ(embedders->size(), 1u);
  EXPECT_EQ((*embedders)[0].name, "t5_relu_f32_mean_dense_normalize");
}

TEST(EmbedIngestTest, RemoteServerVectorsMatchWhatTheServerSent) {
  for (const std::string protocol : {"openai", "ollama"}) {
    SCOPED_TRACE(protocol);
    FakeLlmServer server;
    ScratchDir dir;
    WriteTopics(dir / "docs");
    const std::string url = protocol == "openai" ? server.url() + "/v1" : server.url();
    json report = RunJson({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json", "--embed-url", url,
                           "--embed-remote-model", "fake-embed", "--embed-batch", "2"});
    EXPECT_EQ(report["embedding"]["embedder"], "fake-embed");
    EXPECT_EQ(report["embedding"]["vectors"], report["chunks"]);
    for (const std::string& path : server.paths()) {
      EXPECT_EQ(path, protocol == "openai" ? "/v1/embeddings" : "/api/embed");
    }

    auto store = OpenStore(dir / "kb.sqlite");
    ASSERT_TRUE(store);
    auto embedders = store->Embedders();
    ASSERT_TRUE(embedders.ok() && embedders->size() == 1u);
    const EmbedderIdentity identity = (*embedders)[0];
    EXPECT_EQ(identity.dimension, 16u);
    EXPECT_TRUE(identity.normalized);
    EXPECT_EQ(identity.source, url + "#fake-embed");
    // Every stored vector is exactly the server's embedding of its chunk.
    auto record = store->FindByPath(dir / "docs/coral.md");
    ASSERT_TRUE(record.ok() && record->has_value());
    auto chunks = store->ChunksOf((*record)->id);
    ASSERT_TRUE(chunks.ok() && chunks->size() == 1u);
    auto hits = store->VectorSearch(FakeEmbedding((*chunks)[0].text, 16), identity.Key(), {});
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    ASSERT_FALSE(hits->empty());
    EXPECT_EQ((*hits)[0].path, dir / "docs/coral.md");
    EXPECT_NEAR((*hits)[0].score, 1.0, 1e-5);

    // The search command finds the server from the store and embeds the query there.
    json found = RunJson({"search", "warm ocean coral reefs", "--db", dir / "kb.sqlite", "--mode", "hybrid",
                          "--json", "--explain", "-k", "2"});
    ASSERT_TRUE(found.is_array() && !found.empty());
    EXPECT_EQ(found[0]["path"], dir / "docs/coral.md");
    EXPECT_EQ(found[0]["explain"]["lexical_rank"], 1);
    EXPECT_GE(found[0]["explain"]["vector_rank"].get<int>(), 1);
  }
}

// A password in the server's URL is used for the requests but never stored:
// the store names the server without it, and a search must be given the
// server again (its vectors still match: the identity leaves credentials out).
TEST(EmbedIngestTest, CredentialsInTheServerUrlAreNotStored) {
  FakeLlmServer server;
  ScratchDir dir;
  WriteTopics(dir / "docs");
  const std::string url = "http://reader:s3cr3tpw@127.0.0.1:" + std::to_string(server.port()) + "/v1";
  json report = RunJson({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json", "--embed-url", url,
                         "--embed-remote-model", "fake-embed"});
  EXPECT_EQ(report["embedding"]["vectors"], report["chunks"]);
  {
    auto store = OpenStore(dir / "kb.sqlite");
    ASSERT_TRUE(store);
    auto embedders = store->Embedders();
    ASSERT_TRUE(embedders.ok() && embedders->size() == 1u);
    EXPECT_EQ((*embedders)[0].source, "http://reader:***@127.0.0.1:" + std::to_string(server.port()) + "/v1#fake-embed");
  }
  // Not anywhere in the database file either (the WAL is checkpointed when the store closes).
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.is_regular_file()) {
      EXPECT_EQ(ReadFile(entry.path().string()).find("s3cr3tpw"), std::string::npos) << entry.path();
    }
  }

  CliResult without = RunDocpipe({"search", "coral", "--db", dir / "kb.sqlite", "--mode", "vector"});
  EXPECT_EQ(without.exit_code, 2);
  EXPECT_NE(without.err.find("--embed-url"), std::string::npos) << without.err;
  EXPECT_EQ(without.err.find("s3cr3tpw"), std::string::npos) << without.err;

  json hits = RunJson({"search", "coral reefs warm ocean", "--db", dir / "kb.sqlite", "--mode", "vector",
                       "--embed-url", url, "--embed-remote-model", "fake-embed", "--json", "-k", "1"});
  ASSERT_TRUE(hits.is_array() && hits.size() == 1u) << hits;
  EXPECT_EQ(hits[0]["path"], dir / "docs/coral.md");
}

TEST(EmbedIngestTest, BadEmbedderChoicesAreClearErrors) {
  FakeLlmServer server;
  ScratchDir dir;
  WriteTopics(dir / "docs");
  // A lexical-only store has no vectors to search.
  RunJson({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--json"});
  CliResult none = RunDocpipe({"search", "coral", "--db", dir / "kb.sqlite", "--mode", "vector"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no vectors"), std::string::npos) << none.err;

  // A folder that is not a model fails before any document is touched.
  CliResult bad_model = RunDocpipe({"ingest", dir / "docs", "--db", dir / "bad.sqlite", "--embed-model", dir / "docs"});
  EXPECT_NE(bad_model.exit_code, 0);
  EXPECT_NE(bad_model.err.find("config.json"), std::string::npos) << bad_model.err;
  EXPECT_FALSE(fs::exists(dir / "bad.sqlite") && OpenStore(dir / "bad.sqlite")->Counts()->documents > 0);

  // A server that does not answer: one clear error.
  CliResult down = RunDocpipe({"ingest", dir / "docs", "--db", dir / "down.sqlite", "--embed-url",
                               "http://127.0.0.1:9/v1", "--embed-remote-model", "m"});
  EXPECT_EQ(down.exit_code, 3);
  EXPECT_NE(down.err.find("did not answer"), std::string::npos) << down.err;

  // --embed-url without a model name is a usage error.
  CliResult no_name = RunDocpipe({"ingest", dir / "docs", "--db", dir / "kb.sqlite", "--embed-url", server.url()});
  EXPECT_EQ(no_name.exit_code, 2);
}

TEST(EmbedIngestTest, SeveralEmbeddersNeedAChoiceByName) {
  FakeLlmServer server;
  ScratchDir dir;
  WriteTopics(dir / "a");
  WriteTopics(dir / "b");
  RunJson({"ingest", dir / "a", "--db", dir / "kb.sqlite", "--json", "--embed-model",
           kModels + "/bert_f32_mean_normalize"});
  RunJson({"ingest", dir / "b", "--db", dir / "kb.sqlite", "--json", "--embed-url", server.url() + "/v1",
           "--embed-remote-model", "fake-embed"});
  CliResult ambiguous = RunDocpipe({"search", "coral", "--db", dir / "kb.sqlite", "--mode", "vector"});
  EXPECT_EQ(ambiguous.exit_code, 2);
  EXPECT_NE(ambiguous.err.find("several embedders"), std::string::npos) << ambiguous.err;
  json hits = RunJson({"search", "coral reefs warm ocean", "--db", dir / "kb.sqlite", "--mode", "vector",
                       "--embedder", "fake-embed", "--json", "-k", "10"});
  ASSERT_TRUE(hits.is_array());
  EXPECT_EQ(hits.size(), 3u);  // only the documents embedded by fake-embed
  for (const json& hit : hits) EXPECT_EQ(fs::path(hit["path"].get<std::string>()).parent_path(), dir / "b");
}

}  // namespace
}  // namespace docpipe::testing

namespace docpipe::testing {
namespace {

TEST(EmbedIngestTest, IndexCommandsAndFiltersWorkOnTheCli) {
  ScratchDir dir;
  WriteTopics(dir / "docs");
  WriteTopics(dir / "more");
  // Identical files are stored once: make the second set differ.
  for (const auto& entry : fs::directory_iterator(dir / "more")) {
    WriteFile(entry.path().string(), ReadFile(entry.path().string()) + "\nA second copy, in another folder.\n");
  }
  const std::string model = kModels + "/bert_f32_mean_normalize";
  RunJson({"ingest", dir / "docs", dir / "more", "--db", dir / "kb.sqlite", "--json", "--embed-model", model});

  CliResult status = RunDocpipe({"index", "status", "--db", dir / "kb.sqlite"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("flat index, 6 vectors"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("missing"), std::string::npos) << status.out;
  CliResult again = RunDocpipe({"index", "status", "--db", dir / "kb.sqlite"});
  EXPECT_NE(again.out.find("up to date"), std::string::npos) << again.out;
  CliResult hnsw = RunDocpipe({"index", "rebuild", "--db", dir / "kb.sqlite", "--kind", "hnsw"});
  EXPECT_EQ(hnsw.exit_code, 0) << hnsw.err;
  EXPECT_NE(hnsw.out.find("hnsw index, 6 vectors"), std::string::npos) << hnsw.out;
  EXPECT_TRUE(fs::is_directory(dir / "kb.sqlite.index"));

  // Filters hold on the vector side too: only chunks under more/ come back.
  json hits = RunJson({"search", "diesel engine compression", "--db", dir / "kb.sqlite", "--mode", "hybrid",
                       "--filter", "path=*/more/*", "--json", "-k", "10"});
  ASSERT_TRUE(hits.is_array());
  EXPECT_EQ(hits.size(), 3u);
  for (const json& hit : hits) EXPECT_EQ(fs::path(hit["path"].get<std::string>()).parent_path(), dir / "more");
  CliResult bad = RunDocpipe({"search", "x", "--db", dir / "kb.sqlite", "--filter", "colour=red"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--filter"), std::string::npos) << bad.err;

  // A new document makes the index stale: the next vector search rebuilds it and finds the new chunk.
  WriteFile(dir / "more/volcano.md", "# Volcanoes\n\nMagma rises through the crust and erupts as lava.\n");
  RunJson({"ingest", dir / "more", "--db", dir / "kb.sqlite", "--json", "--embed-model", model});
  CliResult fresh = RunDocpipe({"search", "Magma rises through the crust and erupts as lava.", "--db",
                                dir / "kb.sqlite", "--mode", "vector", "--json", "-k", "1"});
  EXPECT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_NE(fresh.err.find("stale"), std::string::npos) << fresh.err;
  json top = json::parse(fresh.out, nullptr, false);
  ASSERT_TRUE(top.is_array() && top.size() == 1u) << fresh.out;
  EXPECT_EQ(top[0]["path"], dir / "more/volcano.md");
}

}  // namespace
}  // namespace docpipe::testing
