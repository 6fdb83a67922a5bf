// A store of each backend for parameterised tests: SQLite in a temporary file
// or PostgreSQL in a fresh database on the test server (GetParam() names it).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../store_test_util.h"
#include "docpipe/store.h"
#include "pg_test_database.h"

namespace docpipe::store {

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      location_ = dir_.File("store.db");
    } else {
      database_ = std::make_unique<::docpipe::testing::PgTestDatabase>();
      location_ = database_->url();
    }
    auto store = Store::Open(location_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  // The first column of the first row of a plain SQL query, through a raw connection.
  std::string Raw(const std::string& sql) {
    return GetParam() == "sqlite" ? testing::RawQuery(location_, sql) : ::docpipe::testing::PgQuery(location_, sql);
  }

  void Put(std::vector<DocumentWrite> writes) {
    Status status = store_->PutDocuments(writes);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  StoreCounts Counts() {
    auto counts = store_->Counts();
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    return counts.ok() ? *counts : StoreCounts{};
  }

  std::vector<SearchHit> Search(const std::string& query, SearchOptions options = {}) {
    auto hits = store_->Search(query, options);
    EXPECT_TRUE(hits.ok()) << query << ": " << hits.status().ToString();
    return hits.ok() ? *hits : std::vector<SearchHit>{};
  }

  void PutSearchCorpus() {
    Put({testing::MakeWrite("papers/fusion.pdf", "s1",
                   {"Reciprocal rank fusion combines rankings: reciprocal rank fusion is simple, and rank fusion "
                    "works well.",
                    "An unrelated chunk about gardening and tomatoes."}),
         testing::MakeWrite("papers/survey.pdf", "s2",
                   {"Many systems use rank aggregation; fusion of ranked lists is mentioned once.",
                    "State-of-the-art results with C++ implementations. Don't forget the naïve baseline."}),
         testing::MakeWrite("papers/misc.pdf", "s3", {"Indexing documents quickly; the index was indexed twice."})});
  }

  testing::TempDir dir_;
  std::unique_ptr<::docpipe::testing::PgTestDatabase> database_;
  std::string location_;
  std::unique_ptr<Store> store_;
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace docpipe::store
