// The Enricher end to end against the fake server: validated LLM results,
// cache, batching with ids, repair, missing ids, fallbacks, offsets.
#include <gtest/gtest.h>

#include "docpipe/llm_enricher.h"
#include "fake_llm_server.h"

namespace docpipe {
namespace {

using testing::FakeLlmBehavior;
using testing::FakeLlmServer;

std::vector<EnrichmentInput> Inputs(int n) {
  std::vector<EnrichmentInput> inputs;
  for (int i = 0; i < n; ++i) {
    inputs.push_back({"c" + std::to_string(i),
                      "Chunk " + std::to_string(i) + ": the Linux kernel schedules threads on CPU cores."});
  }
  return inputs;
}

class EnricherTest : public ::testing::Test {
 protected:
  void Connect(FakeLlmBehavior behavior, LlmProtocol protocol = LlmProtocol::kOllamaChat) {
    server_ = std::make_unique<FakeLlmServer>(behavior);
    LlmClientOptions options;
    options.base_url = protocol == LlmProtocol::kOpenAiChat ? server_->url() + "/v1" : server_->url();
    options.protocol = protocol;
    options.model = "test-model";
    options.max_retries = 1;
    options.backoff_initial = std::chrono::milliseconds(1);
    options.breaker_failure_threshold = 3;
    options.breaker_cooldown = std::chrono::milliseconds(60000);
    auto client = LlmClient::Make(options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  std::unique_ptr<Enricher> MakeEnricher(int batch = 1, ExtractKinds kinds = {}) {
    EnricherOptions options;
    options.client = client_.get();
    options.cache = &cache_;
    options.batch_size = batch;
    options.kinds = kinds;
    auto enricher = Enricher::Make(options);
    EXPECT_TRUE(enricher.ok()) << enricher.status().ToString();
    return std::move(enricher).value();
  }

  std::unique_ptr<FakeLlmServer> server_;
  std::unique_ptr<LlmClient> client_;
  InMemoryEnrichmentCache cache_;
};

void ExpectEntitiesInText(const std::vector<EnrichmentInput>& inputs, const std::vector<EnrichmentResult>& results) {
  ASSERT_EQ(inputs.size(), results.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(results[i].id, inputs[i].id);
    for (const Entity& e : results[i].entities) {
      EXPECT_EQ(inputs[i].text.substr(e.start, e.end - e.start), e.text);
    }
  }
}

TEST_F(EnricherTest, WithoutClientUsesHeuristicTagger) {
  EnricherOptions options;
  auto enricher = Enricher::Make(options);
  ASSERT_TRUE(enricher.ok());
  std::vector<EnrichmentResult> results = (*enricher)->Enrich(Inputs(3)).get();
  ASSERT_EQ(results.size(), 3u);
  for (const EnrichmentResult& r : results) {
    EXPECT_EQ(r.source, EnrichmentSource::kHeuristic);
    EXPECT_EQ(r.producer, "heuristic");
    EXPECT_EQ(r.tags.domain.label, "computer_science");
  }
  EXPECT_EQ((*enricher)->stats().heuristic_results, 3);
}

TEST_F(EnricherTest, LlmResultsAreValidatedAndMarked) {
  Connect({.latency_ms = 5});
  auto enricher = MakeEnricher();
  std::vector<EnrichmentInput> inputs = Inputs(4);
  std::vector<EnrichmentResult> results = enricher->Enrich(inputs).get();
  ExpectEntitiesInText(inputs, results);
  for (const EnrichmentResult& r : results) {
    EXPECT_EQ(r.source, EnrichmentSource::kLlm);
    EXPECT_EQ(r.producer, "llm:test-model");
    EXPECT_EQ(r.prompt_version, enricher->prompt_version());
    EXPECT_EQ(r.tags.domain.label, "computer_science");
    EXPECT_FLOAT_EQ(r.tags.domain.confidence, 0.9f);
    ASSERT_EQ(r.entities.size(), 1u);
    EXPECT_EQ(r.entities[0].text, "Chunk");
  }
  EXPECT_EQ(server_->requests(), 4);
  EXPECT_EQ(enricher->stats().llm_results, 4);
}

TEST_F(EnricherTest, OpenAiProtocolGivesTheSameResults) {
  Connect({}, LlmProtocol::kOpenAiChat);
  std::vector<EnrichmentResult> results = MakeEnricher()->Enrich(Inputs(2)).get();
  EXPECT_EQ(results[1].source, EnrichmentSource::kLlm);
  EXPECT_EQ(server_->paths().back(), "/v1/chat/completions");
}

TEST_F(EnricherTest, CacheAvoidsSecondCallButNotAfterPromptChanges) {
  Connect({});
  auto enricher = MakeEnricher();
  enricher->Enrich(Inputs(3)).get();
  EXPECT_EQ(server_->requests(), 3);
  EXPECT_EQ(cache_.size(), 3u);
  // Same texts under other ids, other batch size: no call.
  std::vector<EnrichmentInput> again = Inputs(3);
  for (auto& input : again) input.id += "-again";
  std::vector<EnrichmentResult> results = MakeEnricher(/*batch=*/2)->Enrich(again).get();
  EXPECT_EQ(server_->requests(), 3);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_TRUE(results[i].from_cache);
    EXPECT_EQ(results[i].source, EnrichmentSource::kLlm);
    EXPECT_EQ(results[i].id, again[i].id);
  }
  // Asking for different fields changes the prompt version: the LLM is asked again.
  auto tags_only = MakeEnricher(1, ExtractKinds{true, false});
  EXPECT_NE(tags_only->prompt_version(), enricher->prompt_version());
  tags_only->Enrich(Inputs(3)).get();
  EXPECT_EQ(server_->requests(), 6);
}

TEST_F(EnricherTest, BatchesMapResultsBackById) {
  Connect({});
  auto enricher = MakeEnricher(/*batch=*/4);
  std::vector<EnrichmentInput> inputs = Inputs(10);
  std::vector<EnrichmentResult> results = enricher->Enrich(inputs).get();
  EXPECT_EQ(server_->requests(), 3);  // 4 + 4 + 2
  ExpectEntitiesInText(inputs, results);
  for (const EnrichmentResult& r : results) EXPECT_EQ(r.source, EnrichmentSource::kLlm);
}

TEST_F(EnricherTest, MissingIdIsAskedAlone) {
  Connect({.drop_last_id_first = 1});
  auto enricher = MakeEnricher(/*batch=*/4);
  std::vector<EnrichmentResult> results = enricher->Enrich(Inputs(4)).get();
  EXPECT_EQ(server_->requests(), 2);
  for (const EnrichmentResult& r : results) EXPECT_EQ(r.source, EnrichmentSource::kLlm);
  EXPECT_EQ(enricher->stats().missing_ids, 1);
}

TEST_F(EnricherTest, MalformedOutputIsRepairedOnce) {
  Connect({.malformed_first = 1});
  auto enricher = MakeEnricher();
  std::vector<EnrichmentResult> results = enricher->Enrich(Inputs(1)).get();
  EXPECT_EQ(results[0].source, EnrichmentSource::kLlm);
  EnrichmentStats stats = enricher->stats();
  EXPECT_EQ(stats.invalid_outputs, 1);
  EXPECT_EQ(stats.repairs, 1);
  EXPECT_EQ(stats.repairs_succeeded, 1);
  EXPECT_NE(server_->last_body().find("That reply is invalid"), std::string::npos);
}

TEST_F(EnricherTest, BrokenEnvelopeIsRepairedToo) {
  Connect({.malformed_first = 1, .malformed_envelope = true});
  std::vector<EnrichmentResult> results = MakeEnricher()->Enrich(Inputs(1)).get();
  EXPECT_EQ(results[0].source, EnrichmentSource::kLlm);
}

TEST_F(EnricherTest, InvalidTwiceFallsBackToHeuristic) {
  Connect({.malformed_first = 2});
  auto enricher = MakeEnricher();
  std::vector<EnrichmentResult> results = enricher->Enrich(Inputs(1)).get();
  EXPECT_EQ(results[0].source, EnrichmentSource::kFallback);
  EXPECT_EQ(results[0].producer, "heuristic");
  EXPECT_NE(results[0].error.find("invalid LLM output"), std::string::npos);
  EXPECT_TRUE(results[0].has_tags);
  EXPECT_EQ(enricher->stats().fallbacks, 1);
  EXPECT_EQ(cache_.size(), 0u);  // fallbacks are not cached
}

TEST_F(EnricherTest, ServerDownEveryChunkFallsBackAndTheBreakerStopsCalls) {
  Connect({.fail_first = 1000, .fail_status = 503});
  auto enricher = MakeEnricher();
  std::vector<EnrichmentResult> results = enricher->Enrich(Inputs(30)).get();
  for (const EnrichmentResult& r : results) EXPECT_EQ(r.source, EnrichmentSource::kFallback);
  EXPECT_EQ(enricher->stats().fallbacks, 30);
  EXPECT_EQ(enricher->stats().request_failures, 30);
  EXPECT_LT(server_->requests(), 30);
  EXPECT_GT(client_->stats().breaker_rejected, 0);
}

TEST_F(EnricherTest, EntityOffsetsAreCheckedAgainstTheText) {
  Connect({.shift_offsets = true, .phantom_entity = true});
  auto enricher = MakeEnricher();
  std::vector<EnrichmentInput> inputs = {{"x", "We met Alice in Paris."}};
  std::vector<EnrichmentResult> results = enricher->Enrich(inputs).get();
  ASSERT_EQ(results[0].entities.size(), 1u);  // the phantom is dropped
  EXPECT_EQ(results[0].entities[0].text, "We");
  EXPECT_EQ(results[0].entities[0].start, 0);
  EXPECT_EQ(enricher->stats().entities_realigned, 1);
  EXPECT_EQ(enricher->stats().entities_dropped, 1);
}

TEST_F(EnricherTest, ManyChunksStayWithinTheConcurrencyBound) {
  server_ = std::make_unique<FakeLlmServer>(FakeLlmBehavior{.latency_ms = 20});
  LlmClientOptions options;
  options.base_url = server_->url();
  options.model = "m";
  options.max_in_flight = 3;
  client_ = std::move(LlmClient::Make(options)).value();
  auto enricher = MakeEnricher();
  std::vector<std::future<std::vector<EnrichmentResult>>> batches;
  for (int b = 0; b < 4; ++b) batches.push_back(enricher->Enrich(Inputs(5)));
  for (auto& batch : batches) EXPECT_EQ(batch.get().size(), 5u);
  EXPECT_EQ(server_->max_concurrent(), 3);
}

}  // namespace
}  // namespace docpipe
