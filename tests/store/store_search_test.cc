// Full-text search: ranking, snippets, what users type, and syntax errors.
#include <gtest/gtest.h>

#include "docpipe/store.h"
#include "store_test_util.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;
using testing::TempDir;

class StoreSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.File("store.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    std::vector<DocumentWrite> writes = {
        MakeWrite("papers/fusion.pdf", "s1",
                  {"Reciprocal rank fusion combines rankings: reciprocal rank fusion is simple, and rank fusion "
                   "works well.",
                   "An unrelated chunk about gardening and tomatoes."}),
        MakeWrite("papers/survey.pdf", "s2",
                  {"Many systems use rank aggregation; fusion of ranked lists is mentioned once.",
                   "State-of-the-art results with C++ implementations. Don't forget the naïve baseline."}),
        MakeWrite("papers/misc.pdf", "s3", {"Indexing documents quickly; the index was indexed twice."}),
    };
    Status status = store_->PutDocuments(writes);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  std::vector<SearchHit> Search(const std::string& query, SearchOptions options = {}) {
    auto hits = store_->Search(query, options);
    EXPECT_TRUE(hits.ok()) << query << ": " << hits.status().ToString();
    return hits.ok() ? *hits : std::vector<SearchHit>{};
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreSearchTest, ChunkMentioningTermsMostRanksFirst) {
  std::vector<SearchHit> hits = Search("rank fusion");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].path, "papers/fusion.pdf");
  EXPECT_EQ(hits[1].path, "papers/survey.pdf");
  EXPECT_GT(hits[0].score, hits[1].score);
  EXPECT_GT(hits[1].score, 0);
}

TEST_F(StoreSearchTest, HitCarriesDocumentAndChunkContext) {
  std::vector<SearchHit> hits = Search("tomatoes");
  ASSERT_EQ(hits.size(), 1u);
  const SearchHit& hit = hits[0];
  EXPECT_EQ(hit.path, "papers/fusion.pdf");
  EXPECT_EQ(hit.title, "Title of papers/fusion.pdf");
  EXPECT_EQ(hit.text, "An unrelated chunk about gardening and tomatoes.");
  EXPECT_EQ(hit.heading_path, (std::vector<std::string>{"Report", "Section 2"}));
  EXPECT_EQ(hit.page_start, 2);
  EXPECT_EQ(hit.page_end, 2);
  EXPECT_GT(hit.chunk_id, 0);
  EXPECT_GT(hit.document_id, 0);
}

TEST_F(StoreSearchTest, SnippetMarksMatchedTerms) {
  SearchOptions options;
  options.open_mark = "<b>";
  options.close_mark = "</b>";
  options.snippet_tokens = 5;
  std::vector<SearchHit> hits = Search("gardening", options);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].snippet.find("<b>gardening</b>"), std::string::npos) << hits[0].snippet;
  EXPECT_LT(hits[0].snippet.size(), hits[0].text.size() + 7);
}

TEST_F(StoreSearchTest, KLimitsHits) {
  SearchOptions options;
  options.k = 1;
  EXPECT_EQ(Search("rank", options).size(), 1u);
  options.k = 0;
  EXPECT_TRUE(Search("rank", options).empty());
}

TEST_F(StoreSearchTest, StemmingAndDiacriticsHelpRecall) {
  EXPECT_EQ(Search("indexes").size(), 1u);
  EXPECT_EQ(Search("naive").size(), 1u);
  EXPECT_EQ(Search("RANKINGS").size(), 2u);
}

TEST_F(StoreSearchTest, PunctuatedQueriesDoNotError) {
  for (const char* query : {"state-of-the-art", "C++", "don't", "\"lone quote", "rank)", "(rank", "a:b", "^x",
                            "-- !!", "NEAR", "fusion*", "rank AND", "\"\"", "*", "'", "{ }", "[a]"}) {
    auto hits = store_->Search(query, {});
    if (std::string_view(query) == "rank AND") continue;  // explicit syntax, checked below
    EXPECT_TRUE(hits.ok()) << query << ": " << hits.status().ToString();
  }
  EXPECT_EQ(Search("state-of-the-art").size(), 1u);
  EXPECT_EQ(Search("C++").size(), 1u);
  EXPECT_EQ(Search("don't").size(), 1u);
  EXPECT_EQ(Search("\"reciprocal rank").size(), 1u);
}

TEST_F(StoreSearchTest, ExplicitSyntaxWorks) {
  EXPECT_EQ(Search("gardening OR aggregation").size(), 2u);
  EXPECT_EQ(Search("rank NOT reciprocal").size(), 1u);
  EXPECT_EQ(Search("\"reciprocal rank fusion\"").size(), 1u);
  EXPECT_EQ(Search("recipro*").size(), 1u);
  EXPECT_EQ(Search("NEAR(rank aggregation, 2)").size(), 1u);
}

TEST_F(StoreSearchTest, RealSyntaxErrorIsInvalidArgument) {
  for (const char* query : {"rank AND", "OR fusion", "NEAR(rank fusion, x)"}) {
    auto hits = store_->Search(query, {});
    ASSERT_FALSE(hits.ok()) << query;
    EXPECT_EQ(hits.status().code(), StatusCode::kInvalidArgument) << hits.status().ToString();
    EXPECT_NE(hits.status().message().find(query), std::string::npos) << hits.status().message();
  }
}

TEST_F(StoreSearchTest, NothingSearchableFindsNothing) {
  EXPECT_TRUE(Search("   ").empty());
  EXPECT_TRUE(Search("-- ++").empty());
}

}  // namespace
}  // namespace docpipe::store
