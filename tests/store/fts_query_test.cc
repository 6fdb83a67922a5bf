#include "store/fts_query.h"

#include <gtest/gtest.h>

namespace docpipe::store {
namespace {

TEST(FtsQueryTest, PlainWordsBecomeQuotedTerms) {
  EXPECT_EQ(ToFtsQuery("reciprocal rank fusion"), R"("reciprocal" "rank" "fusion")");
  EXPECT_EQ(ToFtsQuery("  spaced\tout \n"), R"("spaced" "out")");
}

TEST(FtsQueryTest, PunctuationStaysInsideQuotes) {
  EXPECT_EQ(ToFtsQuery("state-of-the-art"), R"("state-of-the-art")");
  EXPECT_EQ(ToFtsQuery("C++"), R"("C++")");
  EXPECT_EQ(ToFtsQuery("don't"), R"("don't")");
  EXPECT_EQ(ToFtsQuery("col:value -x ^y"), R"("col:value" "-x" "^y")");
}

TEST(FtsQueryTest, LoneQuoteMakesTheQueryPlain) {
  EXPECT_EQ(ToFtsQuery(R"(say "hello)"), R"("say" "hello")");
  EXPECT_EQ(ToFtsQuery(R"(a "b" "c)"), R"("a" "b" "c")");
}

TEST(FtsQueryTest, UnbalancedParenthesesMakeTheQueryPlain) {
  EXPECT_EQ(ToFtsQuery("(tables"), R"("(tables")");
  EXPECT_EQ(ToFtsQuery("figure 3)"), R"q("figure" "3)")q");
  EXPECT_EQ(ToFtsQuery(") AND ("), R"("AND")");
}

TEST(FtsQueryTest, PunctuationOnlyWordsAreDropped) {
  EXPECT_EQ(ToFtsQuery("-- ++ !!"), "");
  EXPECT_EQ(ToFtsQuery("   "), "");
  EXPECT_EQ(ToFtsQuery("alpha -- beta"), R"("alpha" "beta")");
}

TEST(FtsQueryTest, NonAsciiWordsAreSearchable) {
  EXPECT_EQ(ToFtsQuery("naïve café"), R"("naïve" "café")");
}

TEST(FtsQueryTest, LowerCaseOperatorsAreWords) {
  EXPECT_EQ(ToFtsQuery("salt and pepper or not"), R"("salt" "and" "pepper" "or" "not")");
}

TEST(FtsQueryTest, ExplicitOperatorsPassThrough) {
  EXPECT_EQ(ToFtsQuery("cats AND dogs"), R"("cats" AND "dogs")");
  EXPECT_EQ(ToFtsQuery("cats OR C++"), R"("cats" OR "C++")");
  EXPECT_EQ(ToFtsQuery("cats NOT dogs"), R"("cats" NOT "dogs")");
  EXPECT_EQ(ToFtsQuery("(cats OR dogs) AND birds"), R"(( "cats" OR "dogs") AND "birds")");
}

TEST(FtsQueryTest, BalancedPhrasesPassThrough) {
  EXPECT_EQ(ToFtsQuery(R"("rank fusion" reciprocal)"), R"("rank fusion" "reciprocal")");
}

TEST(FtsQueryTest, PrefixTermsPassThrough) {
  EXPECT_EQ(ToFtsQuery("index*"), R"("index"*)");
  EXPECT_EQ(ToFtsQuery(R"("rank fus"*)"), R"("rank fus"*)");
}

TEST(FtsQueryTest, NearGroupKeepsItsDistance) {
  EXPECT_EQ(ToFtsQuery("NEAR(rank fusion, 5)"), R"(NEAR( "rank" "fusion", 5))");
  EXPECT_EQ(ToFtsQuery("NEAR(rank fusion)"), R"(NEAR( "rank" "fusion"))");
}

TEST(FtsQueryTest, CommasOutsideNearAreDropped) {
  EXPECT_EQ(ToFtsQuery("(a, b)"), R"(( "a" "b"))");
}

}  // namespace
}  // namespace docpipe::store

namespace docpipe::store {
namespace {

// FTS5 stops reading at a NUL byte; control characters must separate terms, not sit inside them.
TEST(FtsQueryTest, ControlCharactersSeparateTerms) {
  EXPECT_EQ(ToFtsQuery(std::string("%\0\x04" "1", 4)), "\"1\"");
  EXPECT_EQ(ToFtsQuery(std::string("rank\0fusion", 11)), "\"rank\" \"fusion\"");
}

}  // namespace
}  // namespace docpipe::store
