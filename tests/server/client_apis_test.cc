// The OpenAI (/v1/embeddings, /v1/models) and Ollama (/api/embed,
// /api/embeddings, /api/tags) endpoints through real HTTP, against the
// engine's own vectors for the same texts. The npm clients themselves run in
// tests/clients; these check the wire format bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "docpipe/embedder.h"
#include "server_test_support.h"

namespace docpipe::testing {
namespace {

using Json = nlohmann::json;

const std::vector<std::string> kTexts = {"the quick brown fox", "hello world", "", "the lazy dog is here"};

EmbeddingMatrix EngineVectors(const std::string& folder, const std::vector<std::string>& texts) {
  EmbeddingModelOptions options;
  options.folder = folder;
  auto model = EmbeddingModel::Load(options);
  EXPECT_TRUE(model.ok());
  auto session = EmbeddingSession::Make(*model);
  auto vectors = (*session)->Embed(texts);
  EXPECT_TRUE(vectors.ok());
  return *vectors;
}

std::vector<float> DecodeBase64Floats(const std::string& text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  uint32_t word = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    word = (word << 6) | static_cast<uint32_t>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((word >> bits) & 0xFF);
    }
  }
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

std::vector<float> RowOf(const EmbeddingMatrix& matrix, size_t i) {
  return {matrix.Row(i).begin(), matrix.Row(i).end()};
}

// A text embedded alone may differ from the same text in a batch in the last
// bits (the GEMMs block differently), which docs/embeddings.md bounds by 1e-5.
void ExpectClose(const std::vector<float>& got, const std::vector<float>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-6) << i;
}

std::string ModelName() { return std::filesystem::path(DOCPIPE_TINY_MODEL).filename().string(); }

class ClientApis : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = TestConfig(dir_);
    config_.embed_model = DOCPIPE_TINY_MODEL;
    server_ = std::make_unique<TestServer>(config_);
    ASSERT_TRUE(server_->ok());
    expected_ = EngineVectors(DOCPIPE_TINY_MODEL, kTexts);
  }
  HttpReply Embed(const Json& body) { return server_->Post("/v1/embeddings", body.dump()); }

  ScratchDir dir_;
  ServerConfig config_;
  std::unique_ptr<TestServer> server_;
  EmbeddingMatrix expected_;
};

TEST_F(ClientApis, FloatAndBase64CarryTheEnginesVectorsExactly) {
  HttpReply floats =
      Embed({{"model", ModelName()}, {"input", kTexts}, {"encoding_format", "float"}, {"user", "u"}});
  HttpReply base64 = Embed({{"input", kTexts}, {"encoding_format", "base64"}});
  ASSERT_EQ(floats.status, 200) << floats.body;
  ASSERT_EQ(base64.status, 200) << base64.body;
  EXPECT_EQ(floats.json["object"], "list");
  EXPECT_EQ(floats.json["model"], ModelName());
  for (size_t i = 0; i < kTexts.size(); ++i) {
    EXPECT_EQ(floats.json["data"][i]["object"], "embedding");
    EXPECT_EQ(floats.json["data"][i]["index"], i);
    EXPECT_EQ(floats.json["data"][i]["embedding"].get<std::vector<float>>(), RowOf(expected_, i));
    EXPECT_EQ(DecodeBase64Floats(base64.json["data"][i]["embedding"]), RowOf(expected_, i));
  }
  auto model = EmbeddingModel::Load({.folder = DOCPIPE_TINY_MODEL});
  ASSERT_TRUE(model.ok());
  size_t tokens = 0;
  for (const std::string& text : kTexts) tokens += (*model)->Tokenize(text).size();
  EXPECT_EQ(floats.json["usage"]["prompt_tokens"], tokens);
  EXPECT_EQ(floats.json["usage"]["total_tokens"], tokens);
}

TEST_F(ClientApis, TokenIdsOfTheModelsVocabulary) {
  auto model = EmbeddingModel::Load({.folder = DOCPIPE_TINY_MODEL});
  ASSERT_TRUE(model.ok());
  Json ids = Json::array();
  std::vector<size_t> rows;  // the texts with content (an empty id list is refused below): a smaller batch
  for (size_t i = 0; i < kTexts.size(); ++i) {
    std::vector<int32_t> all = (*model)->Tokenize(kTexts[i]);
    if (all.size() == 2) continue;
    ids.push_back(std::vector<int32_t>(all.begin() + 1, all.end() - 1));  // without [CLS] and [SEP]
    rows.push_back(i);
  }
  HttpReply many = Embed({{"input", ids}, {"encoding_format", "float"}});
  ASSERT_EQ(many.status, 200) << many.body;
  ASSERT_EQ(many.json["data"].size(), rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    ExpectClose(many.json["data"][k]["embedding"].get<std::vector<float>>(), RowOf(expected_, rows[k]));
  }
  size_t given = 0;
  for (const Json& row : ids) given += row.size();
  EXPECT_EQ(many.json["usage"]["prompt_tokens"], given + 2 * rows.size());
  HttpReply one = Embed({{"input", ids[0]}, {"encoding_format", "float"}});
  ASSERT_EQ(one.status, 200) << one.body;
  ExpectClose(one.json["data"][0]["embedding"].get<std::vector<float>>(), RowOf(expected_, 0));

  HttpReply outside = Embed({{"input", Json::array({Json::array({1, (*model)->vocab_size()})})}});
  EXPECT_EQ(outside.status, 400);
  EXPECT_EQ(outside.json["error"]["param"], "input");
  EXPECT_EQ(outside.json["error"]["type"], "invalid_request_error");
  EXPECT_NE(outside.json["error"]["message"].get<std::string>().find("outside the model's vocabulary"),
            std::string::npos);
  EXPECT_EQ(Embed({{"input", Json::array({Json::array()})}}).status, 400);
  EXPECT_EQ(Embed({{"input", Json::array({1, "a"})}}).status, 400);
}

TEST_F(ClientApis, DimensionsOnlyForMatryoshkaModels) {
  HttpReply refused = Embed({{"input", "hello"}, {"dimensions", 8}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.json["error"]["param"], "dimensions");
  EXPECT_NE(refused.json["error"]["message"].get<std::string>().find(ModelName()), std::string::npos);
  EXPECT_EQ(Embed({{"input", "hello"}, {"dimensions", 32}}).status, 200);  // the full width: nothing to cut

  std::string folder = dir_ / "matryoshka";
  std::filesystem::copy(DOCPIPE_TINY_MODEL, folder, std::filesystem::copy_options::recursive);
  WriteFile(folder + "/config_sentence_transformers.json", R"({"matryoshka_dimensions": [32, 16, 8]})");
  ServerConfig config = TestConfig(dir_);
  config.db = dir_ / "other.sqlite";
  config.embed_model = folder;
  TestServer matryoshka(config);
  ASSERT_TRUE(matryoshka.ok());
  HttpReply cut = matryoshka.Post("/v1/embeddings", Json{{"input", kTexts}, {"dimensions", 8}}.dump());
  ASSERT_EQ(cut.status, 200) << cut.body;
  for (size_t i = 0; i < kTexts.size(); ++i) {
    std::vector<float> got = cut.json["data"][i]["embedding"].get<std::vector<float>>();
    ASSERT_EQ(got.size(), 8u);
    double norm = 0;
    for (size_t j = 0; j < 8; ++j) norm += double{expected_.Row(i)[j]} * expected_.Row(i)[j];
    for (size_t j = 0; j < 8; ++j) EXPECT_NEAR(got[j], expected_.Row(i)[j] / std::sqrt(norm), 1e-7);
  }
  EXPECT_EQ(matryoshka.Post("/v1/embeddings", R"({"input":"a","dimensions":33})").status, 400);
  EXPECT_EQ(matryoshka.Post("/v1/embeddings", R"({"input":"a","dimensions":0})").status, 400);
}

TEST_F(ClientApis, ModelsAndErrorsInTheApisShape) {
  HttpReply list = server_->Get("/v1/models");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json["object"], "list");
  ASSERT_EQ(list.json["data"].size(), 1u);
  EXPECT_EQ(list.json["data"][0]["id"], ModelName());
  EXPECT_EQ(list.json["data"][0]["object"], "model");
  EXPECT_TRUE(list.json["data"][0]["created"].is_number_integer());
  EXPECT_EQ(server_->Get("/v1/models/" + ModelName()).json["id"], ModelName());
  HttpReply missing = server_->Get("/v1/models/gpt-4");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.json["error"]["code"], "model_not_found");

  HttpReply batch = Embed({{"input", std::vector<std::string>(2049, "x")}});
  EXPECT_EQ(batch.status, 400);
  for (const char* key : {"message", "type", "param", "code"})
    EXPECT_TRUE(batch.json["error"].contains(key)) << key;
  EXPECT_EQ(Embed({{"input", std::vector<std::string>(2048, "x")}}).status, 200);
  EXPECT_EQ(Embed({{"input", "x"}, {"encoding_format", "int8"}}).json["error"]["param"], "encoding_format");
  EXPECT_EQ(Embed({{"input", "x"}, {"model", "text-embedding-3-small"}}).status, 404);
  EXPECT_EQ(server_->Post("/v1/embeddings", "{not json").json["error"]["type"], "invalid_request_error");
}

TEST_F(ClientApis, OllamaEmbedEmbeddingsAndTags) {
  HttpReply embed = server_->Post("/api/embed", Json{{"model", ModelName()}, {"input", kTexts}}.dump());
  ASSERT_EQ(embed.status, 200) << embed.body;
  EXPECT_EQ(embed.json["model"], ModelName());
  for (size_t i = 0; i < kTexts.size(); ++i) {
    EXPECT_EQ(embed.json["embeddings"][i].get<std::vector<float>>(), RowOf(expected_, i));
  }
  EXPECT_GT(embed.json["prompt_eval_count"].get<int>(), 0);
  EXPECT_TRUE(embed.json["total_duration"].is_number_integer());

  HttpReply legacy = server_->Post("/api/embeddings",
                                   Json{{"model", ModelName() + ":latest"}, {"prompt", kTexts[1]}}.dump());
  ASSERT_EQ(legacy.status, 200) << legacy.body;
  ExpectClose(legacy.json["embedding"].get<std::vector<float>>(), RowOf(expected_, 1));

  HttpReply tags = server_->Get("/api/tags");
  ASSERT_EQ(tags.status, 200);
  ASSERT_EQ(tags.json["models"].size(), 1u);
  EXPECT_EQ(tags.json["models"][0]["name"], ModelName() + ":latest");
  EXPECT_EQ(tags.json["models"][0]["details"]["family"], "bert");
  EXPECT_GT(tags.json["models"][0]["size"].get<int64_t>(), 0);

  HttpReply unknown = server_->Post("/api/embed", R"({"model":"llama3","input":"x"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(unknown.json["error"].is_string());
  EXPECT_EQ(server_->Post("/api/embed", R"({"input":"x"})").status, 400);
  EXPECT_EQ(server_->Post("/api/embed", Json{{"model", ModelName()}, {"input", {1, 2}}}.dump()).status, 400);
}

}  // namespace
}  // namespace docpipe::testing
