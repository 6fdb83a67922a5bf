// Pre-tokenized input (EmbeddingSession::EmbedTokens, behind the server's
// token-id embeddings): a text's content ids, framed by the engine, give
// exactly the text's vector, for WordPiece and SentencePiece models, also when
// the ids run past max_seq_length; ids outside the vocabulary are refused.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docpipe/embedder.h"

namespace docpipe {
namespace {

std::vector<std::string> ReferenceTexts() {
  std::ifstream in(std::string(DOCPIPE_EMBED_REFERENCE_DIR) + "/reference.json");
  return nlohmann::json::parse(in).at("texts").get<std::vector<std::string>>();
}

// The ids of `text` without the special tokens the model adds.
std::vector<int32_t> ContentIds(const EmbeddingModel& model, const std::string& text) {
  std::vector<int32_t> ids = model.Tokenize(text);
  const bool bert = model.info().architecture == "bert";
  return {ids.begin() + (bert ? 1 : 0), ids.end() - 1};  // BERT: [CLS] … [SEP]; T5: … </s>
}

class TokenInput : public ::testing::TestWithParam<std::string> {};

TEST_P(TokenInput, ContentIdsGiveTheTextsVectors) {
  EmbeddingModelOptions options;
  options.folder = std::string(DOCPIPE_EMBED_REFERENCE_DIR) + "/" + GetParam();
  auto model = EmbeddingModel::Load(options);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto session = EmbeddingSession::Make(*model);
  ASSERT_TRUE(session.ok());

  std::vector<std::string> texts = ReferenceTexts();
  std::vector<std::vector<int32_t>> content;
  for (const std::string& text : texts) content.push_back(ContentIds(**model, text));
  // Past the limit: the longest text's ids twice over, which the engine must cut as it cuts the text.
  size_t longest = 0;
  for (size_t i = 0; i < texts.size(); ++i) longest = texts[i].size() > texts[longest].size() ? i : longest;
  std::vector<int32_t> doubled = content[longest];
  doubled.insert(doubled.end(), content[longest].begin(), content[longest].end());
  if (doubled.size() + 2 > static_cast<size_t>((*model)->info().max_seq_length)) {
    texts.push_back(texts[longest]);
    content.push_back(doubled);
  }

  auto from_text = (*session)->Embed(texts);
  auto from_ids = (*session)->EmbedTokens(content);
  ASSERT_TRUE(from_text.ok() && from_ids.ok()) << from_ids.status().ToString();
  ASSERT_EQ(from_ids->rows, texts.size());
  EXPECT_EQ(from_ids->values, from_text->values);  // same ids, same arithmetic: bit for bit
}

TEST_P(TokenInput, IdsOutsideTheVocabularyAreRefused) {
  EmbeddingModelOptions options;
  options.folder = std::string(DOCPIPE_EMBED_REFERENCE_DIR) + "/" + GetParam();
  auto model = EmbeddingModel::Load(options);
  ASSERT_TRUE(model.ok());
  auto session = EmbeddingSession::Make(*model);
  ASSERT_TRUE(session.ok());
  const int32_t vocab = (*model)->vocab_size();
  for (int32_t bad : {vocab, -1}) {
    auto result = (*session)->EmbedTokens({{1, 2}, {3, bad}});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(result.status().message().find("token id " + std::to_string(bad) + " of input 1"),
              std::string::npos)
        << result.status().message();
  }
  EXPECT_TRUE((*session)->EmbedTokens({{vocab - 1}}).ok());
}

INSTANTIATE_TEST_SUITE_P(ReferenceModels, TokenInput,
                         ::testing::Values("bert_f32_mean_normalize", "bert_bf16_cased_max_meansqrt",
                                           "t5_relu_f32_mean_dense_normalize",
                                           "t5_gated_f32_cls_mean_dense"));

}  // namespace
}  // namespace docpipe
