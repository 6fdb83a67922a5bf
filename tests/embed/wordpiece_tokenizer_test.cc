// WordPiece on hand-checked cases: what Hugging Face's BertTokenizer gives
// for the same vocabulary and switches.
#include "embed/wordpiece_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace docpipe::embed {
namespace {

using Pieces = std::vector<std::string>;

std::vector<std::string> Vocab() {
  return {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "the", "hello",
          "world", "cafe",  "Café",  ",",     "!",  "'",     "東",     "京",  "a",
          "##a",   "x",     "##b",   "rock",  "n",  "roll",  "unaff"};
}

std::unique_ptr<WordPieceTokenizer> Make(bool lower = true) {
  WordPieceOptions options;
  options.lower_case = lower;
  options.strip_accents = lower;
  auto tokenizer = WordPieceTokenizer::Make(Vocab(), options);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  return std::move(tokenizer).value();
}

TEST(WordPieceTest, GreedyLongestMatchWithContinuations) {
  // "unaff" is in the vocabulary, so greedy matching takes it before "un".
  EXPECT_EQ(Make()->Pieces("UnAffable"), (Pieces{"unaff", "##able"}));
  EXPECT_EQ(Make()->Pieces("the hello"), (Pieces{"the", "hello"}));
}

TEST(WordPieceTest, LowerCasesAndStripsAccents) {
  EXPECT_EQ(Make()->Pieces("CAFÉ Café cafe\u0301"), (Pieces{"cafe", "cafe", "cafe"}));
}

TEST(WordPieceTest, CasedKeepsCaseAndAccents) {
  // NFC first, so the decomposed spelling matches the composed vocabulary entry.
  EXPECT_EQ(Make(false)->Pieces("Café Cafe\u0301 cafe CAFE"), (Pieces{"Café", "Café", "cafe", "[UNK]"}));
}

TEST(WordPieceTest, SplitsPunctuation) {
  EXPECT_EQ(Make()->Pieces("hello,world!"), (Pieces{"hello", ",", "world", "!"}));
  EXPECT_EQ(Make()->Pieces("rock'n'roll"), (Pieces{"rock", "'", "n", "'", "roll"}));
}

TEST(WordPieceTest, IsolatesCjkIdeographs) {
  EXPECT_EQ(Make()->Pieces("hello東京world"), (Pieces{"hello", "東", "京", "world"}));
}

TEST(WordPieceTest, UnknownWordBecomesOneUnk) {
  // "x" + "##y": no "##y" piece, so the whole word is [UNK], not a partial split.
  EXPECT_EQ(Make()->Pieces("xy hello"), (Pieces{"[UNK]", "hello"}));
  EXPECT_EQ(Make()->Pieces("xb"), (Pieces{"x", "##b"}));
}

TEST(WordPieceTest, OverLongWordIsUnk) {
  const auto hundred = Make()->Pieces(std::string(100, 'a'));
  ASSERT_EQ(hundred.size(), 100u);
  EXPECT_EQ(hundred.front(), "a");
  EXPECT_EQ(hundred.back(), "##a");
  EXPECT_EQ(Make()->Pieces(std::string(101, 'a')), (Pieces{"[UNK]"}));
}

TEST(WordPieceTest, CleansControlsAndWhitespace) {
  EXPECT_EQ(Make()->Pieces("\thel\x01lo\n\u00a0world\u200b "), (Pieces{"hello", "world"}));
  EXPECT_EQ(Make()->Pieces(std::string("hel\0lo", 6)), (Pieces{"hello"}));
  EXPECT_TRUE(Make()->Pieces(" \t\n").empty());
}

TEST(WordPieceTest, InvalidUtf8IsDropped) {
  EXPECT_EQ(Make()->Pieces("hel\xfflo world"), (Pieces{"hello", "world"}));
}

TEST(WordPieceTest, EncodeAddsSpecialTokensAndTruncates) {
  auto tokenizer = Make();
  std::vector<int32_t> ids;
  tokenizer->Encode("hello world", 512, ids);
  EXPECT_EQ(ids, (std::vector<int32_t>{2, 8, 9, 3}));
  tokenizer->Encode("", 512, ids);
  EXPECT_EQ(ids, (std::vector<int32_t>{2, 3}));
  tokenizer->Encode("the hello world the hello", 5, ids);
  EXPECT_EQ(ids, (std::vector<int32_t>{2, 7, 8, 9, 3}));
  tokenizer->Encode("unaffable unaffable", 4, ids);  // truncation may cut inside a word
  EXPECT_EQ(ids, (std::vector<int32_t>{2, 24, 6, 3}));
}

TEST(WordPieceTest, MissingSpecialTokenIsAnError) {
  auto tokenizer = WordPieceTokenizer::Make({"[UNK]", "[CLS]", "hello"}, WordPieceOptions{});
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_NE(tokenizer.status().message().find("[SEP]"), std::string::npos);
}

}  // namespace
}  // namespace docpipe::embed
