#include "store/fts_query.h"

#include <gtest/gtest.h>

namespace docpipe::store {
namespace {

// The expression for a query within the limits.
std::string Fts(std::string_view query) {
  Result<std::string> expression = ToFtsQuery(query);
  EXPECT_TRUE(expression.ok()) << expression.status().ToString();
  return expression.ok() ? *expression : "<error>";
}

TEST(FtsQueryTest, PlainWordsBecomeQuotedTerms) {
  EXPECT_EQ(Fts("reciprocal rank fusion"), R"("reciprocal" "rank" "fusion")");
  EXPECT_EQ(Fts("  spaced\tout \n"), R"("spaced" "out")");
}

TEST(FtsQueryTest, PunctuationStaysInsideQuotes) {
  EXPECT_EQ(Fts("state-of-the-art"), R"("state-of-the-art")");
  EXPECT_EQ(Fts("C++"), R"("C++")");
  EXPECT_EQ(Fts("don't"), R"("don't")");
  EXPECT_EQ(Fts("col:value -x ^y"), R"("col:value" "-x" "^y")");
}

TEST(FtsQueryTest, LoneQuoteMakesTheQueryPlain) {
  EXPECT_EQ(Fts(R"(say "hello)"), R"("say" "hello")");
  EXPECT_EQ(Fts(R"(a "b" "c)"), R"("a" "b" "c")");
}

TEST(FtsQueryTest, UnbalancedParenthesesMakeTheQueryPlain) {
  EXPECT_EQ(Fts("(tables"), R"("(tables")");
  EXPECT_EQ(Fts("figure 3)"), R"q("figure" "3)")q");
  EXPECT_EQ(Fts(") AND ("), R"("AND")");
}

TEST(FtsQueryTest, PunctuationOnlyWordsAreDropped) {
  EXPECT_EQ(Fts("-- ++ !!"), "");
  EXPECT_EQ(Fts("   "), "");
  EXPECT_EQ(Fts("alpha -- beta"), R"("alpha" "beta")");
}

TEST(FtsQueryTest, NonAsciiWordsAreSearchable) {
  EXPECT_EQ(Fts("naïve café"), R"("naïve" "café")");
}

TEST(FtsQueryTest, LowerCaseOperatorsAreWords) {
  EXPECT_EQ(Fts("salt and pepper or not"), R"("salt" "and" "pepper" "or" "not")");
}

TEST(FtsQueryTest, ExplicitOperatorsPassThrough) {
  EXPECT_EQ(Fts("cats AND dogs"), R"("cats" AND "dogs")");
  EXPECT_EQ(Fts("cats OR C++"), R"("cats" OR "C++")");
  EXPECT_EQ(Fts("cats NOT dogs"), R"("cats" NOT "dogs")");
  EXPECT_EQ(Fts("(cats OR dogs) AND birds"), R"(( "cats" OR "dogs") AND "birds")");
}

TEST(FtsQueryTest, BalancedPhrasesPassThrough) {
  EXPECT_EQ(Fts(R"("rank fusion" reciprocal)"), R"("rank fusion" "reciprocal")");
}

TEST(FtsQueryTest, PrefixTermsPassThrough) {
  EXPECT_EQ(Fts("index*"), R"("index"*)");
  EXPECT_EQ(Fts(R"("rank fus"*)"), R"("rank fus"*)");
}

TEST(FtsQueryTest, NearGroupKeepsItsDistance) {
  EXPECT_EQ(Fts("NEAR(rank fusion, 5)"), R"(NEAR( "rank" "fusion", 5))");
  EXPECT_EQ(Fts("NEAR(rank fusion)"), R"(NEAR( "rank" "fusion"))");
}

TEST(FtsQueryTest, CommasOutsideNearAreDropped) {
  EXPECT_EQ(Fts("(a, b)"), R"(( "a" "b"))");
}

}  // namespace
}  // namespace docpipe::store

namespace docpipe::store {
namespace {

std::string Repeat(const std::string& word, int times) {
  std::string query;
  for (int i = 0; i < times; ++i) query += " " + word;
  return query;
}

// FTS5 stops reading at a NUL byte; control characters must separate terms, not sit inside them.
TEST(FtsQueryTest, ControlCharactersSeparateTerms) {
  EXPECT_EQ(Fts(std::string("%\0\x04" "1", 4)), "\"1\"");
  EXPECT_EQ(Fts(std::string("rank\0fusion", 11)), "\"rank\" \"fusion\"");
}

// A repeated word is one term (FTS5's time grows faster than linearly in repeats).
TEST(FtsQueryTest, RepeatedPlainWordsAreOneTerm) {
  EXPECT_EQ(Fts(Repeat("fusion", 500)), R"("fusion")");
  EXPECT_EQ(Fts("Rank rank RANK fusion rank"), R"("Rank" "fusion")");
  EXPECT_EQ(Fts("naïve NAÏVE"), R"("naïve" "NAÏVE")");  // only ASCII case is folded here
}

TEST(FtsQueryTest, TooManyTermsAreRefused) {
  std::string words;
  for (int i = 0; i < kMaxQueryTerms; ++i) words += "w" + std::to_string(i) + " ";
  EXPECT_TRUE(ToFtsQuery(words).ok());
  Result<std::string> more = ToFtsQuery(words + "one-more");
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(more.status().message(), "the query has 66 terms after repeats; a search takes at most 64");
  // Syntax keeps its repeats (dropping one could change what OR / NOT mean), and counts them.
  Result<std::string> ors = ToFtsQuery(Repeat("a OR", 100) + " a");
  ASSERT_FALSE(ors.ok());
  EXPECT_EQ(ors.status().message(), "the query has 101 terms; a search takes at most 64");
}

TEST(FtsQueryTest, LongQueriesAreRefusedBeforeParsing) {
  const std::string query(kMaxQueryBytes + 1, 'a');
  Result<std::string> expression = ToFtsQuery(query);
  ASSERT_FALSE(expression.ok());
  EXPECT_EQ(expression.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(expression.status().message(), "the query is 4097 bytes long; a search takes at most 4096");
  EXPECT_TRUE(ToFtsQuery(std::string(kMaxQueryBytes, 'a')).ok());
}

}  // namespace
}  // namespace docpipe::store
