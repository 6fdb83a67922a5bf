// docpipe's embeddings against an independent PyTorch implementation of the
// same tiny random models (tests/embed/make_reference_models.py, run at build
// time): token ids equal, max |diff| <= 1e-4, cosine >= 0.99999, and a text's
// vector does not depend on what it is batched with.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docpipe/embedder.h"
#include "reference_models.h"

namespace docpipe {
namespace {

const nlohmann::json& Reference() {
  static const nlohmann::json reference = [] {
    std::ifstream in(std::string(DOCPIPE_EMBED_REFERENCE_DIR) + "/reference.json");
    return in ? nlohmann::json::parse(in) : nlohmann::json();
  }();
  return reference;
}

using embed_test::ModelFolder;

std::vector<std::string> Texts() { return Reference().at("texts").get<std::vector<std::string>>(); }

std::shared_ptr<const EmbeddingModel> LoadOrDie(const std::string& name, int batch_texts = 32) {
  EmbeddingModelOptions options;
  options.folder = ModelFolder(name);
  options.max_batch_texts = batch_texts;
  auto model = EmbeddingModel::Load(options);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? *model : nullptr;
}

EmbeddingMatrix EmbedOrDie(const std::shared_ptr<const EmbeddingModel>& model,
                           const std::vector<std::string>& texts) {
  auto session = EmbeddingSession::Make(model);
  EXPECT_TRUE(session.ok());
  auto vectors = (*session)->Embed(texts);
  EXPECT_TRUE(vectors.ok()) << vectors.status().ToString();
  return vectors.ok() ? std::move(vectors).value() : EmbeddingMatrix{};
}

double Cosine(std::span<const float> a, const std::vector<double>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    na += double(a[i]) * a[i];
    nb += b[i] * b[i];
  }
  return dot / std::sqrt(na * nb);
}

class ReferenceModelTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Reference().is_null())
        << "missing " << DOCPIPE_EMBED_REFERENCE_DIR << "/reference.json (built by make_reference_models.py)";
    expected_ = Reference().at("models").at(GetParam());
  }
  nlohmann::json expected_;
};

TEST_P(ReferenceModelTest, TokenIdsMatchReferenceTokenizer) {
  auto model = LoadOrDie(GetParam());
  ASSERT_NE(model, nullptr);
  const auto texts = Texts();
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto want = expected_.at("ids")[i].get<std::vector<int32_t>>();
    EXPECT_EQ(model->Tokenize(texts[i]), want) << "text " << i << ": " << texts[i];
  }
}

TEST_P(ReferenceModelTest, EmbeddingsMatchPyTorch) {
  auto model = LoadOrDie(GetParam());
  ASSERT_NE(model, nullptr);
  const auto texts = Texts();
  const EmbeddingMatrix got = EmbedOrDie(model, texts);
  ASSERT_EQ(got.rows, texts.size());
  const auto& want = expected_.at("embeddings");
  ASSERT_EQ(got.dimension, want[0].size());
  EXPECT_EQ(model->Identity().dimension, got.dimension);
  double worst = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto row = want[i].get<std::vector<double>>();
    for (size_t j = 0; j < row.size(); ++j) worst = std::max(worst, std::abs(got.Row(i)[j] - row[j]));
    EXPECT_GE(Cosine(got.Row(i), row), 0.99999) << "text " << i;
  }
  EXPECT_LE(worst, 1e-4);
  RecordProperty("max_abs_diff", std::to_string(worst));
}

TEST_P(ReferenceModelTest, BatchInvariance) {
  auto model = LoadOrDie(GetParam(), /*batch_texts=*/5);
  ASSERT_NE(model, nullptr);
  const auto texts = Texts();
  const EmbeddingMatrix together = EmbedOrDie(model, texts);
  auto session = EmbeddingSession::Make(model);
  ASSERT_TRUE(session.ok());
  for (size_t i = 0; i < texts.size(); ++i) {
    // Alone, and again after other batches have grown the scratch buffers.
    auto alone = (*session)->Embed({texts[i]});
    ASSERT_TRUE(alone.ok());
    for (size_t j = 0; j < together.dimension; ++j)
      EXPECT_NEAR(alone->Row(0)[j], together.Row(i)[j], 1e-5) << "text " << i;
  }
  std::vector<std::string> reversed(texts.rbegin(), texts.rend());
  const EmbeddingMatrix backwards = EmbedOrDie(model, reversed);
  for (size_t i = 0; i < texts.size(); ++i)
    for (size_t j = 0; j < together.dimension; ++j)
      EXPECT_NEAR(backwards.Row(texts.size() - 1 - i)[j], together.Row(i)[j], 1e-5);
}

TEST_P(ReferenceModelTest, ParallelMatchesSerial) {
  auto model = LoadOrDie(GetParam(), /*batch_texts=*/3);
  ASSERT_NE(model, nullptr);
  const auto texts = Texts();
  const EmbeddingMatrix serial = EmbedOrDie(model, texts);
  auto parallel = EmbedInParallel(model, texts, 2);
  ASSERT_TRUE(parallel.ok()) << parallel.status().ToString();
  ASSERT_EQ(parallel->values.size(), serial.values.size());
  for (size_t i = 0; i < serial.values.size(); ++i) EXPECT_NEAR(parallel->values[i], serial.values[i], 1e-5);
}

INSTANTIATE_TEST_SUITE_P(TinyModels, ReferenceModelTest,
                         ::testing::Values("bert_f32_mean_normalize", "bert_f16_cls_dense_tanh",
                                           "bert_bf16_cased_max_meansqrt", "t5_relu_f32_mean_dense_normalize",
                                           "t5_gated_f16_mean", "t5_gated_f32_cls_mean_dense"));

TEST(EmbeddingModelTest, IdentityIsStableAndDistinguishesModels) {
  auto a = LoadOrDie("bert_f32_mean_normalize");
  auto b = LoadOrDie("bert_f16_cls_dense_tanh");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->Identity().name, "bert_f32_mean_normalize");
  EXPECT_EQ(a->Identity().weights_hash.size(), 64u);
  EXPECT_TRUE(a->Identity().normalized);
  EXPECT_FALSE(b->Identity().normalized);
  EXPECT_NE(a->Identity().Key(), b->Identity().Key());
  auto again = LoadOrDie("bert_f32_mean_normalize");
  EXPECT_EQ(again->Identity().Key(), a->Identity().Key());
}

TEST(EmbeddingModelTest, InfoDescribesTheFolder) {
  auto model = LoadOrDie("t5_gated_f32_cls_mean_dense");
  ASSERT_NE(model, nullptr);
  const EmbeddingModelInfo& info = model->info();
  EXPECT_EQ(info.architecture, "t5");
  EXPECT_EQ(info.tokenizer, "sentencepiece");
  EXPECT_EQ(info.pooling, "cls+mean");
  EXPECT_EQ(info.layers, 2);
  EXPECT_EQ(info.dense_layers, 1);
  EXPECT_EQ(info.widened_bytes, 0u);  // F32 weights are used in place
  auto f16 = LoadOrDie("t5_gated_f16_mean");
  EXPECT_GT(f16->info().widened_bytes, 0u);
}

TEST(EmbeddingModelTest, EmptyInputGivesEmptyMatrix) {
  auto model = LoadOrDie("bert_f32_mean_normalize");
  ASSERT_NE(model, nullptr);
  const EmbeddingMatrix none = EmbedOrDie(model, {});
  EXPECT_EQ(none.rows, 0u);
  EXPECT_EQ(none.dimension, 32u);
}

}  // namespace
}  // namespace docpipe
