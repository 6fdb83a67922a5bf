// The remote embedder against the test stand-in server (tests/llm): many
// threads share the one HTTP client and its kept-alive connections, and the
// errors a user can fix say so without showing the credentials.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "docpipe/text_embedder.h"
#include "fake_llm_server.h"

namespace docpipe {
namespace {

using testing::FakeLlmBehavior;
using testing::FakeLlmServer;

TextEmbedderOptions Remote(const std::string& url) {
  TextEmbedderOptions options;
  options.url = url;
  options.remote_model = "fake-embed";
  options.batch_size = 2;
  return options;
}

TEST(RemoteEmbedderTest, ThreadsShareKeptAliveConnections) {
  FakeLlmServer server;
  Result<std::shared_ptr<TextEmbedder>> embedder = MakeTextEmbedder(Remote(server.url() + "/v1"));
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();
  EXPECT_EQ((*embedder)->Identity().dimension, 16u);
  const std::vector<std::string> texts = {"coral reefs", "warm ocean water", "bleaching events", "reef fish"};
  constexpr int kThreads = 4, kCalls = 10;
  std::vector<int> matched(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        Result<EmbeddingMatrix> vectors = (*embedder)->Embed(texts);
        if (!vectors.ok() || vectors->rows != texts.size()) continue;
        bool same = true;
        for (size_t row = 0; row < texts.size(); ++row) {
          std::vector<float> expected = testing::FakeEmbedding(texts[row], 16);
          same &= std::equal(expected.begin(), expected.end(), vectors->values.begin() + row * 16);
        }
        matched[t] += same;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(matched[t], kCalls);
  EXPECT_EQ(server.requests(), 1 + kThreads * kCalls * 2);  // the probe, then two batches per call
  EXPECT_LE(server.connections(), kThreads);  // kept alive: not one connection per request
}

TEST(RemoteEmbedderTest, RetriesServerErrors) {
  FakeLlmServer server({.fail_first = 2, .fail_status = 503});
  Result<std::shared_ptr<TextEmbedder>> embedder = MakeTextEmbedder(Remote(server.url()));  // Ollama's /api/embed
  ASSERT_TRUE(embedder.ok()) << embedder.status().ToString();
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.paths().back(), "/api/embed");
}

TEST(RemoteEmbedderTest, RefusalsSayWhatToCheckAndHideTheKey) {
  FakeLlmServer server({.fail_first = 100, .fail_status = 401, .echo_authorization = true});
  TextEmbedderOptions options = Remote("http://reader:pw-secret@127.0.0.1:" + std::to_string(server.port()) + "/v1");
  options.api_key = "sk-embed-secret";
  Result<std::shared_ptr<TextEmbedder>> refused = MakeTextEmbedder(options);
  ASSERT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  const std::string message = refused.status().ToString();
  EXPECT_NE(message.find("check the API key"), std::string::npos) << message;
  EXPECT_EQ(message.find("sk-embed-secret"), std::string::npos) << message;
  EXPECT_EQ(message.find("pw-secret"), std::string::npos) << message;
  EXPECT_EQ(server.requests(), 1);  // a 4xx is not retried
}

}  // namespace
}  // namespace docpipe
