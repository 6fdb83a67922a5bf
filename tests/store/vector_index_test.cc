// The FAISS vector index: the same answers as the store's exact search (flat),
// high recall (HNSW), loaded when current, rebuilt when missing, stale,
// corrupt or of another kind.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <set>

#include "docpipe/store.h"
#include "docpipe/vector_index.h"
#include "store_test_util.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;
using testing::TempDir;

constexpr size_t kDimension = 24;

std::vector<float> RandomUnit(std::mt19937& random) {
  std::normal_distribution<float> normal;
  std::vector<float> vector(kDimension);
  double norm = 0;
  for (float& value : vector) {
    value = normal(random);
    norm += static_cast<double>(value) * value;
  }
  for (float& value : vector) value = static_cast<float>(value / std::sqrt(norm));
  return vector;
}

class VectorIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.File("store.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    embedder_.name = "random";
    embedder_.dimension = kDimension;
    embedder_.weights_hash = "h";
    embedder_.normalized = true;
  }

  // `documents` documents of `chunks` chunks each, random unit vectors.
  void Fill(int documents, int chunks, const std::string& prefix = "doc") {
    std::vector<DocumentWrite> writes;
    for (int d = 0; d < documents; ++d) {
      std::vector<std::string> texts;
      for (int c = 0; c < chunks; ++c) texts.push_back("chunk " + std::to_string(c));
      DocumentWrite write = MakeWrite(prefix + std::to_string(d) + ".md", prefix + "-sha-" + std::to_string(d), texts);
      write.embedder = embedder_;
      write.vectors.rows = static_cast<size_t>(chunks);
      write.vectors.dimension = kDimension;
      for (int c = 0; c < chunks; ++c) {
        std::vector<float> vector = RandomUnit(random_);
        write.vectors.values.insert(write.vectors.values.end(), vector.begin(), vector.end());
      }
      writes.push_back(std::move(write));
    }
    ASSERT_TRUE(store_->PutDocuments(writes).ok());
  }

  std::unique_ptr<VectorIndex> Open(VectorIndexOptions options = {}) {
    options.threads = 1;
    auto index = VectorIndex::Open(*store_, embedder_.Key(), dir_.File("index"), options);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return index.ok() ? std::move(*index) : nullptr;
  }

  std::vector<int64_t> ExactIds(const std::vector<float>& query, int k) {
    SearchOptions options;
    options.k = k;
    auto hits = store_->VectorSearch(query, embedder_.Key(), options);
    EXPECT_TRUE(hits.ok());
    std::vector<int64_t> ids;
    for (const SearchHit& hit : *hits) ids.push_back(hit.chunk_id);
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  EmbedderIdentity embedder_;
  std::mt19937 random_{7};
};

TEST_F(VectorIndexTest, FlatIndexAnswersExactlyAsTheStore) {
  Fill(10, 8);
  auto index = Open();
  ASSERT_TRUE(index);
  EXPECT_EQ(index->info().kind, VectorIndexKind::kFlat);
  EXPECT_EQ(index->info().vectors, 80);
  EXPECT_TRUE(index->info().rebuilt);
  EXPECT_EQ(index->info().reason, "missing");
  for (int q = 0; q < 5; ++q) {
    std::vector<float> query = RandomUnit(random_);
    auto found = index->Search(query, 5);
    ASSERT_TRUE(found.ok());
    std::vector<int64_t> ids;
    for (const auto& [id, score] : *found) ids.push_back(id);
    EXPECT_EQ(ids, ExactIds(query, 5));
  }
  EXPECT_EQ(index->Search(std::vector<float>(3, 0.0f), 5).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(VectorIndexTest, CurrentIndexIsLoadedAndAChangedStoreRebuildsIt) {
  Fill(3, 4);
  ASSERT_TRUE(Open());
  auto loaded = Open();
  ASSERT_TRUE(loaded);
  EXPECT_FALSE(loaded->info().rebuilt);
  EXPECT_EQ(loaded->info().vectors, 12);

  Fill(1, 4, "more");
  auto rebuilt = Open();
  ASSERT_TRUE(rebuilt);
  EXPECT_TRUE(rebuilt->info().rebuilt);
  EXPECT_NE(rebuilt->info().reason.find("stale"), std::string::npos) << rebuilt->info().reason;
  EXPECT_EQ(rebuilt->info().vectors, 16);
}

TEST_F(VectorIndexTest, CorruptIndexFileIsRebuiltWithAReason) {
  Fill(2, 4);
  auto first = Open();
  ASSERT_TRUE(first);
  testing::WriteBytes(first->info().path, "this is not a faiss index");
  auto again = Open();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->info().rebuilt);
  EXPECT_NE(again->info().reason.find("corrupt"), std::string::npos) << again->info().reason;
  auto found = again->Search(RandomUnit(random_), 3);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 3u);
}

TEST_F(VectorIndexTest, HnswRecallAgainstExactIsHigh) {
  Fill(100, 30);  // 3,000 vectors
  VectorIndexOptions options;
  options.kind = VectorIndexKind::kHnsw;
  auto index = Open(options);
  ASSERT_TRUE(index);
  EXPECT_EQ(index->info().kind, VectorIndexKind::kHnsw);
  int found_total = 0;
  const int queries = 30;
  for (int q = 0; q < queries; ++q) {
    std::vector<float> query = RandomUnit(random_);
    std::vector<int64_t> exact = ExactIds(query, 10);
    std::set<int64_t> truth(exact.begin(), exact.end());
    auto found = index->Search(query, 10);
    ASSERT_TRUE(found.ok());
    for (const auto& [id, score] : *found) found_total += truth.count(id) ? 1 : 0;
  }
  EXPECT_GE(found_total, static_cast<int>(0.95 * queries * 10));

  // Asking for the other kind rebuilds; auto takes what is there.
  VectorIndexOptions flat;
  flat.kind = VectorIndexKind::kFlat;
  auto as_flat = Open(flat);
  ASSERT_TRUE(as_flat);
  EXPECT_TRUE(as_flat->info().rebuilt);
  EXPECT_EQ(as_flat->info().kind, VectorIndexKind::kFlat);
  auto as_auto = Open();
  ASSERT_TRUE(as_auto);
  EXPECT_FALSE(as_auto->info().rebuilt);
}

TEST_F(VectorIndexTest, AnEmbedderWithoutVectorsHasNoIndex) {
  auto index = VectorIndex::Open(*store_, "nobody/3/x", dir_.File("index"), {});
  EXPECT_EQ(index.status().code(), StatusCode::kNotFound);
}

TEST(VectorIndexLocationTest, DefaultDirectoriesNeverHoldCredentials) {
  EXPECT_EQ(DefaultIndexDirectory("kb.sqlite"), "kb.sqlite.index");
  EXPECT_EQ(DefaultIndexDirectory("sqlite:///data/kb.sqlite"), "/data/kb.sqlite.index");
  const std::string pg = DefaultIndexDirectory("postgresql://alice:secret@db.example:5433/kb");
  EXPECT_EQ(pg.find("secret"), std::string::npos) << pg;
  EXPECT_EQ(pg.find("alice"), std::string::npos) << pg;
  EXPECT_NE(pg.find("db.example_5433_kb"), std::string::npos) << pg;
}

}  // namespace
}  // namespace docpipe::store
