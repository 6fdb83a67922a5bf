// Vectors in the store: written with their chunks and embedder identity,
// searched by exact inner product, walked for index builds, replaced and
// removed with their document, and refused when malformed.
#include <gtest/gtest.h>

#include <cmath>

#include "docpipe/store.h"
#include "store/sqlite_schema.h"
#include "store/sqlite_store.h"
#include "store_test_util.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;
using testing::RawQuery;
using testing::TempDir;

EmbedderIdentity Embedder(const std::string& name, size_t dimension) {
  EmbedderIdentity identity;
  identity.name = name;
  identity.dimension = dimension;
  identity.weights_hash = "hash-of-" + name;
  identity.normalized = true;
  identity.source = "/models/" + name;
  return identity;
}

EmbeddingMatrix Matrix(const std::vector<std::vector<float>>& rows) {
  EmbeddingMatrix matrix;
  matrix.rows = rows.size();
  matrix.dimension = rows.empty() ? 0 : rows[0].size();
  for (const auto& row : rows) matrix.values.insert(matrix.values.end(), row.begin(), row.end());
  return matrix;
}

DocumentWrite WithVectors(DocumentWrite write, const EmbedderIdentity& embedder,
                          const std::vector<std::vector<float>>& rows) {
  write.embedder = embedder;
  write.vectors = Matrix(rows);
  return write;
}

class StoreVectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("store.db");
    auto store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  void Put(DocumentWrite write) {
    std::vector<DocumentWrite> writes = {std::move(write)};
    Status status = store_->PutDocuments(writes);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  std::vector<SearchHit> Nearest(std::vector<float> query, const EmbedderIdentity& embedder, int k) {
    SearchOptions options;
    options.k = k;
    auto hits = store_->VectorSearch(query, embedder.Key(), options);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    return hits.ok() ? *hits : std::vector<SearchHit>();
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  EmbedderIdentity mini_ = Embedder("mini", 3);
};

TEST_F(StoreVectorsTest, NearestChunksComeFirstWithTheirDocument) {
  Put(WithVectors(MakeWrite("a.md", "sha-a", {"north text", "east text", "west text"}), mini_,
                  {{0, 1, 0}, {1, 0, 0}, {-1, 0, 0}}));
  std::vector<SearchHit> hits = Nearest({0.9f, 0.1f, 0}, mini_, 2);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].text, "east text");
  EXPECT_EQ(hits[0].path, "a.md");
  EXPECT_NEAR(hits[0].score, 0.9, 1e-6);
  EXPECT_EQ(hits[1].text, "north text");
  EXPECT_NEAR(hits[1].score, 0.1, 1e-6);
  EXPECT_EQ(hits[0].snippet, "east text");
  EXPECT_EQ(hits[0].page_start, 2);

  auto record = store_->FindByPath("a.md");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->embedding_key, mini_.Key());
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->vectors, 3);
}

TEST_F(StoreVectorsTest, EmbeddersListTheirIdentityAndSource) {
  Put(WithVectors(MakeWrite("a.md", "sha-a", {"one"}), mini_, {{1, 0, 0}}));
  auto embedders = store_->Embedders();
  ASSERT_TRUE(embedders.ok()) << embedders.status().ToString();
  ASSERT_EQ(embedders->size(), 1u);
  EXPECT_EQ((*embedders)[0].Key(), mini_.Key());
  EXPECT_EQ((*embedders)[0].source, "/models/mini");
  EXPECT_TRUE((*embedders)[0].normalized);
}

TEST_F(StoreVectorsTest, VectorsOfDifferentModelsNeverMix) {
  EmbedderIdentity other = Embedder("other", 3);
  Put(WithVectors(MakeWrite("a.md", "sha-a", {"from mini"}), mini_, {{1, 0, 0}}));
  Put(WithVectors(MakeWrite("b.md", "sha-b", {"from other"}), other, {{1, 0, 0}}));
  std::vector<SearchHit> hits = Nearest({1, 0, 0}, other, 10);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].text, "from other");
}

TEST_F(StoreVectorsTest, ForEachVectorWalksExactValuesInChunkOrder) {
  Put(WithVectors(MakeWrite("a.md", "sha-a", {"one", "two"}), mini_, {{0.25f, -1.5f, 3}, {7, 8, 9}}));
  std::vector<int64_t> ids;
  std::vector<float> values;
  Status status = store_->ForEachVector(mini_.Key(), [&](int64_t id, std::span<const float> vector) {
    ids.push_back(id);
    values.insert(values.end(), vector.begin(), vector.end());
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_EQ(values, (std::vector<float>{0.25f, -1.5f, 3, 7, 8, 9}));

  Status stop = store_->ForEachVector(mini_.Key(), [](int64_t, std::span<const float>) {
    return Status::Internal("stop here");
  });
  EXPECT_EQ(stop.code(), StatusCode::kInternal);
}

TEST_F(StoreVectorsTest, ReplacingADocumentWithoutVectorsRemovesItsVectors) {
  Put(WithVectors(MakeWrite("a.md", "sha-a", {"one", "two"}), mini_, {{1, 0, 0}, {0, 1, 0}}));
  Put(MakeWrite("a.md", "sha-a2", {"changed"}));
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunk_vectors"), "0");
  auto record = store_->FindByPath("a.md");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->embedding_key, "");
  auto embedders = store_->Embedders();
  ASSERT_TRUE(embedders.ok());
  EXPECT_TRUE(embedders->empty());
  EXPECT_EQ(store_->VectorSearch(std::vector<float>{1, 0, 0}, mini_.Key(), {}).status().code(), StatusCode::kOk);
}

TEST_F(StoreVectorsTest, MalformedVectorsAreRefusedAndNothingIsStored) {
  std::vector<DocumentWrite> writes;
  writes.push_back(MakeWrite("ok.md", "sha-ok", {"fine"}));
  writes.push_back(WithVectors(MakeWrite("a.md", "sha-a", {"one", "two"}), mini_, {{1, 0, 0}}));
  EXPECT_EQ(store_->PutDocuments(writes).code(), StatusCode::kInvalidArgument);

  writes.pop_back();
  writes.push_back(WithVectors(MakeWrite("a.md", "sha-a", {"one"}), Embedder("mini", 4), {{1, 0, 0}}));
  EXPECT_EQ(store_->PutDocuments(writes).code(), StatusCode::kInvalidArgument);

  writes.pop_back();
  writes.push_back(WithVectors(MakeWrite("a.md", "sha-a", {"one"}), EmbedderIdentity{}, {{1, 0, 0}}));
  EXPECT_EQ(store_->PutDocuments(writes).code(), StatusCode::kInvalidArgument);

  writes.pop_back();
  writes.push_back(WithVectors(MakeWrite("a.md", "sha-a", {"one"}), mini_, {}));
  EXPECT_EQ(store_->PutDocuments(writes).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM documents"), "0");
}

TEST_F(StoreVectorsTest, DocumentWithoutChunksRecordsItsEmbedder) {
  Put(WithVectors(MakeWrite("empty.md", "sha-e", {}), mini_, {}));
  auto record = store_->FindByPath("empty.md");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->embedding_key, mini_.Key());
}

TEST_F(StoreVectorsTest, QueryOfAnotherDimensionOrUnknownEmbedderIsAnError) {
  Put(WithVectors(MakeWrite("a.md", "sha-a", {"one"}), mini_, {{1, 0, 0}}));
  EXPECT_EQ(store_->VectorSearch(std::vector<float>{1, 0}, mini_.Key(), {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->VectorSearch(std::vector<float>{1, 0, 0}, "nobody/3/x", {}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(StoreVectorsTest, ReaderConnectionSearchesVectors) {
  Put(WithVectors(MakeWrite("a.md", "sha-a", {"one"}), mini_, {{1, 0, 0}}));
  auto reader = store_->OpenReader();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto hits = (*reader)->VectorSearch(std::vector<float>{1, 0, 0}, mini_.Key(), {});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ(hits->size(), 1u);
}

// Stamps are remembered between calls; any commit, by this store, another
// connection of this process or another process, must show in the next one.
TEST_F(StoreVectorsTest, StampFollowsWritesOfEveryConnection) {
  auto reader = store_->OpenReader();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto stamp = [&](Store& store) {
    auto result = store.StampOf(mini_.Key());
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : VectorStamp{-1, -1, -1};
  };
  EXPECT_EQ(stamp(**reader), VectorStamp{});
  EXPECT_EQ(stamp(*store_), VectorStamp{});

  Put(WithVectors(MakeWrite("a.md", "sha-a", {"one", "two"}), mini_, {{1, 0, 0}, {0, 1, 0}}));
  EXPECT_EQ(stamp(*store_).count, 2) << "this store's own write";
  EXPECT_EQ(stamp(**reader).count, 2) << "another connection's write";
  const VectorStamp before = stamp(**reader);
  EXPECT_EQ(stamp(**reader), before) << "nothing changed in between";

  auto other = Store::Open(path_);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  std::vector<DocumentWrite> writes = {WithVectors(MakeWrite("a.md", "sha-a2", {"only"}), mini_, {{0, 0, 1}})};
  ASSERT_TRUE((*other)->PutDocuments(writes).ok());
  EXPECT_EQ(stamp(**reader).count, 1);
  EXPECT_EQ(stamp(*store_).count, 1);
  EXPECT_NE(stamp(*store_), before);
}

TEST(StoreVectorsMigrationTest, VersionTwoStoreGainsVectorTables) {
  TempDir dir;
  const std::string path = dir.File("old.db");
  {
    auto db = SqliteDb::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(Migrate(**db, DocpipeMigrations().first(2)).ok());
  }
  testing::RawExec(path,
                   "INSERT INTO documents(path, sha256, kind, status, created_at, updated_at) "
                   "VALUES ('old.md', 'sha-old', 'text', 'ok', 'then', 'then')");
  auto store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  auto old = (*store)->FindByPath("old.md");
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->embedding_key, "");
}

}  // namespace
}  // namespace docpipe::store

namespace docpipe::store {
namespace {

EnrichmentResult DomainTag(const std::string& domain) {
  EnrichmentResult result;
  result.has_tags = true;
  result.tags.domain = {domain, 0.9f};
  result.producer = "heuristic";
  return result;
}

class StoreFilterTest : public StoreVectorsTest {
 protected:
  void SetUp() override {
    StoreVectorsTest::SetUp();
    DocumentWrite medicine = WithVectors(MakeWrite("med/a.md", "sha-a", {"heart cells", "lung cells"}), mini_,
                                         {{1, 0, 0}, {0.9f, 0.1f, 0}});
    medicine.enrichments = {DomainTag("medicine"), DomainTag("biology")};
    DocumentWrite physics = WithVectors(MakeWrite("phys/b.md", "sha-b", {"quark cells"}), mini_, {{0.95f, 0, 0.05f}});
    physics.enrichments = {DomainTag("physics")};
    Put(std::move(medicine));
    Put(std::move(physics));
  }

  std::vector<std::string> Texts(const Result<std::vector<SearchHit>>& hits) {
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    std::vector<std::string> texts;
    if (hits.ok()) {
      for (const SearchHit& hit : *hits) texts.push_back(hit.text);
    }
    return texts;
  }
};

TEST_F(StoreFilterTest, TagPathAndDocumentFiltersApplyToBothSearches) {
  SearchOptions by_tag;
  by_tag.filter.tags = {{"domain", "medicine"}};
  EXPECT_EQ(Texts(store_->Search("cells", by_tag)), (std::vector<std::string>{"heart cells"}));
  EXPECT_EQ(Texts(store_->VectorSearch(std::vector<float>{1, 0, 0}, mini_.Key(), by_tag)),
            (std::vector<std::string>{"heart cells"}));

  SearchOptions by_path;
  by_path.filter.path_glob = "phys/*";
  EXPECT_EQ(Texts(store_->Search("cells", by_path)), (std::vector<std::string>{"quark cells"}));
  EXPECT_EQ(Texts(store_->VectorSearch(std::vector<float>{1, 0, 0}, mini_.Key(), by_path)),
            (std::vector<std::string>{"quark cells"}));

  auto record = store_->FindByPath("med/a.md");
  ASSERT_TRUE(record.ok() && record->has_value());
  SearchOptions by_document;
  by_document.filter.document_ids = {(*record)->id};
  EXPECT_EQ(Texts(store_->VectorSearch(std::vector<float>{1, 0, 0}, mini_.Key(), by_document)),
            (std::vector<std::string>{"heart cells", "lung cells"}));

  SearchOptions none;
  none.filter.tags = {{"domain", "medicine"}, {"domain", "physics"}};  // all must hold: nothing does
  EXPECT_TRUE(Texts(store_->Search("cells", none)).empty());
}

TEST_F(StoreFilterTest, ChunkHitsKeepTheGivenOrderAndDropWhatIsGoneOrFiltered) {
  std::vector<int64_t> ids;
  ASSERT_TRUE(store_->ForEachVector(mini_.Key(), [&](int64_t id, std::span<const float>) {
    ids.push_back(id);
    return Status::Ok();
  }).ok());
  ASSERT_EQ(ids.size(), 3u);
  std::vector<int64_t> asked = {ids[2], 999999, ids[0]};
  EXPECT_EQ(Texts(store_->ChunkHits(asked, {})), (std::vector<std::string>{"quark cells", "heart cells"}));
  SearchOptions by_tag;
  by_tag.filter.tags = {{"domain", "medicine"}};
  EXPECT_EQ(Texts(store_->ChunkHits(asked, by_tag)), (std::vector<std::string>{"heart cells"}));
}

TEST_F(StoreFilterTest, StampChangesWithEveryInsertionAndRemoval) {
  auto before = store_->StampOf(mini_.Key());
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->count, 3);
  Put(WithVectors(MakeWrite("phys/b.md", "sha-b2", {"new quark text"}), mini_, {{0, 0, 1}}));
  auto after = store_->StampOf(mini_.Key());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->count, 3);  // one removed, one added
  EXPECT_FALSE(*after == *before);
  auto unknown = store_->StampOf("nobody/3/x");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->count, 0);
}

}  // namespace
}  // namespace docpipe::store
