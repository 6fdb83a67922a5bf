// Vectors in both backends: written with their chunks and embedder identity,
// searched by exact inner product, walked for index builds, replaced with
// their document, refused when malformed, and many of them written and read
// back bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "backend_fixture.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;

EmbedderIdentity Embedder(const std::string& name, size_t dimension) {
  EmbedderIdentity identity;
  identity.name = name;
  identity.dimension = dimension;
  identity.weights_hash = "hash-of-" + name;
  identity.normalized = true;
  identity.source = "/models/" + name;
  return identity;
}

DocumentWrite WithVectors(DocumentWrite write, const EmbedderIdentity& embedder,
                          const std::vector<std::vector<float>>& rows) {
  write.embedder = embedder;
  write.vectors.rows = rows.size();
  write.vectors.dimension = rows.empty() ? 0 : rows[0].size();
  for (const auto& row : rows) write.vectors.values.insert(write.vectors.values.end(), row.begin(), row.end());
  return write;
}

class BackendVectorsTest : public BackendTest {
 protected:
  std::vector<SearchHit> Nearest(std::vector<float> query, const EmbedderIdentity& embedder, int k) {
    SearchOptions options;
    options.k = k;
    auto hits = store_->VectorSearch(query, embedder.Key(), options);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    return hits.ok() ? *hits : std::vector<SearchHit>();
  }

  EmbedderIdentity mini_ = Embedder("mini", 3);
};

TEST_P(BackendVectorsTest, NearestChunksComeFirstWithTheirDocument) {
  DocumentWrite write = MakeWrite("a.md", "sha-a", {"north text", "east text", "west text"});
  write.chunks[1].has_table = true;  // the hit says it holds a table
  write.chunks[1].table_header = "| Name |\n| --- |";
  write.chunks[1].tables = {{2, 1, "Table 1: Names."}};
  Put({WithVectors(write, mini_, {{0, 1, 0}, {1, 0, 0}, {-1, 0, 0}})});
  std::vector<SearchHit> hits = Nearest({0.9f, 0.1f, 0}, mini_, 2);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].text, "east text");
  EXPECT_EQ(hits[0].path, "a.md");
  EXPECT_EQ(hits[0].title, "Title of a.md");
  EXPECT_NEAR(hits[0].score, 0.9, 1e-6);
  EXPECT_EQ(hits[1].text, "north text");
  EXPECT_EQ(hits[0].snippet, "east text");
  EXPECT_EQ(hits[0].page_start, 2);
  EXPECT_TRUE(hits[0].has_table);
  EXPECT_EQ(hits[0].table_header, "| Name |\n| --- |");
  EXPECT_EQ(hits[0].tables, write.chunks[1].tables);
  EXPECT_FALSE(hits[1].has_table);
  EXPECT_TRUE(hits[1].tables.empty());
  auto record = store_->FindByPath("a.md");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->embedding_key, mini_.Key());
  EXPECT_EQ(Counts().vectors, 3);
}

TEST_P(BackendVectorsTest, EmbeddersListIdentityAndNewestSourceAndNeverMix) {
  EmbedderIdentity other = Embedder("other", 3);
  Put({WithVectors(MakeWrite("a.md", "sha-a", {"from mini"}), mini_, {{1, 0, 0}})});
  Put({WithVectors(MakeWrite("b.md", "sha-b", {"from other"}), other, {{1, 0, 0}})});
  EmbedderIdentity moved = mini_;
  moved.source = "/elsewhere/mini";
  Put({WithVectors(MakeWrite("c.md", "sha-c", {"mini again"}), moved, {{0, 1, 0}})});
  auto embedders = store_->Embedders();
  ASSERT_TRUE(embedders.ok()) << embedders.status().ToString();
  ASSERT_EQ(embedders->size(), 2u);
  EXPECT_EQ((*embedders)[0].Key(), mini_.Key());
  EXPECT_EQ((*embedders)[0].source, "/elsewhere/mini");
  EXPECT_TRUE((*embedders)[0].normalized);
  std::vector<SearchHit> hits = Nearest({1, 0, 0}, other, 10);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].text, "from other");
}

TEST_P(BackendVectorsTest, ForEachVectorWalksExactValuesInChunkOrderAndStopsOnError) {
  Put({WithVectors(MakeWrite("a.md", "sha-a", {"one", "two"}), mini_, {{0.25f, -1.5f, 3}, {7, 8, 9}})});
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
  Status stop =
      store_->ForEachVector(mini_.Key(), [](int64_t, std::span<const float>) { return Status::Internal("stop"); });
  EXPECT_EQ(stop.code(), StatusCode::kInternal);
  EXPECT_EQ(Counts().documents, 1) << "the store is usable after a stopped walk";
}

TEST_P(BackendVectorsTest, ManyVectorsRoundTripBitForBit) {
  constexpr size_t kDimension = 384, kChunks = 5000;  // more than one fetch and one COPY buffer
  EmbedderIdentity big = Embedder("big", kDimension);
  std::mt19937 random(7);
  std::normal_distribution<float> normal;
  std::vector<std::string> texts(kChunks, "chunk");
  DocumentWrite write = MakeWrite("big.md", "sha-big", texts);
  write.embedder = big;
  write.vectors.rows = kChunks;
  write.vectors.dimension = kDimension;
  for (size_t i = 0; i < kChunks * kDimension; ++i) write.vectors.values.push_back(normal(random));
  const std::vector<float> expected = write.vectors.values;
  const std::vector<float> query(write.vectors.Row(1234).begin(), write.vectors.Row(1234).end());
  Put({std::move(write)});

  std::vector<float> walked;
  ASSERT_TRUE(store_->ForEachVector(big.Key(), [&](int64_t, std::span<const float> vector) {
                      walked.insert(walked.end(), vector.begin(), vector.end());
                      return Status::Ok();
                    }).ok());
  EXPECT_TRUE(walked == expected);
  std::vector<SearchHit> hits = Nearest(query, big, 1);
  ASSERT_EQ(hits.size(), 1u);
  auto chunks = store_->ChunksOf(hits[0].document_id);
  ASSERT_TRUE(chunks.ok());
  EXPECT_EQ(Raw("SELECT ordinal FROM chunks WHERE id = " + std::to_string(hits[0].chunk_id)), "1234");
}

TEST_P(BackendVectorsTest, ReplacingADocumentWithoutVectorsRemovesItsVectors) {
  Put({WithVectors(MakeWrite("a.md", "sha-a", {"one", "two"}), mini_, {{1, 0, 0}, {0, 1, 0}})});
  Put({MakeWrite("a.md", "sha-a2", {"changed"})});
  EXPECT_EQ(Raw("SELECT count(*) FROM chunk_vectors"), "0");
  auto record = store_->FindByPath("a.md");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->embedding_key, "");
  auto embedders = store_->Embedders();
  ASSERT_TRUE(embedders.ok());
  EXPECT_TRUE(embedders->empty());
  auto hits = store_->VectorSearch(std::vector<float>{1, 0, 0}, mini_.Key(), {});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_TRUE(hits->empty());
}

TEST_P(BackendVectorsTest, MalformedVectorsAndQueriesAreRefused) {
  std::vector<DocumentWrite> writes;
  writes.push_back(MakeWrite("ok.md", "sha-ok", {"fine"}));
  writes.push_back(WithVectors(MakeWrite("a.md", "sha-a", {"one", "two"}), mini_, {{1, 0, 0}}));
  EXPECT_EQ(store_->PutDocuments(writes).code(), StatusCode::kInvalidArgument);
  writes.pop_back();
  writes.push_back(WithVectors(MakeWrite("a.md", "sha-a", {"one"}), Embedder("mini", 4), {{1, 0, 0}}));
  EXPECT_EQ(store_->PutDocuments(writes).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Counts().documents, 0);

  Put({WithVectors(MakeWrite("a.md", "sha-a", {"one"}), mini_, {{1, 0, 0}})});
  EXPECT_EQ(store_->VectorSearch(std::vector<float>{1, 0}, mini_.Key(), {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->VectorSearch(std::vector<float>{1, 0, 0}, "nobody/3/x", {}).status().code(),
            StatusCode::kNotFound);
  auto reader = store_->OpenReader();
  ASSERT_TRUE(reader.ok());
  auto hits = (*reader)->VectorSearch(std::vector<float>{1, 0, 0}, mini_.Key(), {});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ(hits->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendVectorsTest, ::testing::Values("sqlite", "postgresql"), BackendName);

}  // namespace
}  // namespace docpipe::store

namespace docpipe::store {
namespace {

TEST_P(BackendVectorsTest, FiltersApplyToEverySearchAndStampsFollowChanges) {
  EnrichmentResult tagged;
  tagged.has_tags = true;
  tagged.tags.domain = {"medicine", 0.9f};
  tagged.source = EnrichmentSource::kHeuristic;
  tagged.producer = "heuristic";
  DocumentWrite a = WithVectors(MakeWrite("papers/a.md", "sha-a", {"fusion one", "fusion two"}), mini_,
                                {{1, 0, 0}, {0.9f, 0.1f, 0}});
  a.enrichments = {tagged, EnrichmentResult{}};
  DocumentWrite b = WithVectors(MakeWrite("notes/b.md", "sha-b", {"fusion three"}), mini_, {{0.8f, 0.2f, 0}});
  std::vector<DocumentWrite> writes = {a, b};
  ASSERT_TRUE(store_->PutDocuments(writes).ok());
  auto stamp = store_->StampOf(mini_.Key());
  ASSERT_TRUE(stamp.ok()) << stamp.status().ToString();
  EXPECT_EQ(stamp->count, 3);

  auto texts = [](const std::vector<SearchHit>& hits) {
    std::vector<std::string> out;
    for (const SearchHit& hit : hits) out.push_back(hit.text);
    return out;
  };
  SearchOptions options;
  options.filter.path_glob = "papers/*";
  EXPECT_EQ(texts(*store_->Search("fusion", options)).size(), 2u);
  EXPECT_EQ(texts(*store_->VectorSearch(std::vector<float>{1, 0, 0}, mini_.Key(), options)),
            (std::vector<std::string>{"fusion one", "fusion two"}));
  options.filter.tags = {{"domain", "medicine"}};
  EXPECT_EQ(texts(*store_->Search("fusion", options)), (std::vector<std::string>{"fusion one"}));
  options.filter = {};
  options.filter.document_ids = {writes[1].record.id};
  EXPECT_EQ(texts(*store_->VectorSearch(std::vector<float>{1, 0, 0}, mini_.Key(), options)),
            (std::vector<std::string>{"fusion three"}));
  options.filter.path_glob = "notes/?.m[a-d]";
  EXPECT_EQ(texts(*store_->Search("fusion", options)), (std::vector<std::string>{"fusion three"}));

  std::vector<int64_t> ids;
  ASSERT_TRUE(store_->ForEachVector(mini_.Key(), [&](int64_t id, std::span<const float>) {
                      ids.push_back(id);
                      return Status::Ok();
                    }).ok());
  std::vector<int64_t> reversed(ids.rbegin(), ids.rend());
  reversed.push_back(999999);  // an id that does not exist is left out
  auto hits = store_->ChunkHits(reversed, {});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ(texts(*hits), (std::vector<std::string>{"fusion three", "fusion two", "fusion one"}));
  EXPECT_EQ((*hits)[0].snippet, "fusion three");

  Put({MakeWrite("notes/b.md", "sha-b2", {"no vectors now"})});
  auto after = store_->StampOf(mini_.Key());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->count, 2);
  EXPECT_NE(*after, *stamp);
  EXPECT_EQ(*store_->StampOf("nobody/3/x"), VectorStamp{});
}

TEST_P(BackendVectorsTest, TableFilterKeepsOnlyTableChunksOrOnlyTheOthers) {
  DocumentWrite write = WithVectors(
      MakeWrite("docs/tables.pdf", "sha-t", {"fusion prose before", "| fusion | 77 |\n| delta | 12 |", "fusion after"}),
      mini_, {{1, 0, 0}, {0.9f, 0.1f, 0}, {0.8f, 0.2f, 0}});
  write.chunks[1].has_table = true;
  write.chunks[1].table_header = "| Device | Reads |\n| --- | --- |";
  write.chunks[1].tables = {{1, 1, ""}};
  std::vector<DocumentWrite> writes = {write};
  ASSERT_TRUE(store_->PutDocuments(writes).ok());
  auto texts = [](const Result<std::vector<SearchHit>>& hits) {
    std::vector<std::string> out;
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    if (hits.ok()) {
      for (const SearchHit& hit : *hits) out.push_back(hit.text);
    }
    return out;
  };
  const std::vector<float> query = {1, 0, 0};
  SearchOptions options;
  EXPECT_EQ(texts(store_->Search("fusion", options)).size(), 3u);
  options.filter.has_table = true;
  EXPECT_FALSE(options.filter.empty());
  const std::vector<std::string> table = {write.chunks[1].text};
  EXPECT_EQ(texts(store_->Search("fusion", options)), table);
  EXPECT_EQ(texts(store_->VectorSearch(query, mini_.Key(), options)), table);
  auto hits = store_->Search("fusion", options);
  ASSERT_TRUE(hits.ok() && hits->size() == 1u);
  EXPECT_TRUE((*hits)[0].has_table);
  EXPECT_EQ((*hits)[0].table_header, write.chunks[1].table_header);
  EXPECT_EQ((*hits)[0].tables, write.chunks[1].tables);

  options.filter.has_table = false;
  const std::vector<std::string> prose = {"fusion prose before", "fusion after"};
  EXPECT_EQ(texts(store_->VectorSearch(query, mini_.Key(), options)), prose);
  std::vector<std::string> lexical = texts(store_->Search("fusion", options));
  std::sort(lexical.begin(), lexical.end());
  EXPECT_EQ(lexical, (std::vector<std::string>{"fusion after", "fusion prose before"}));

  // Hits completed from a vector index pass the same filter.
  std::vector<int64_t> ids;
  ASSERT_TRUE(store_->ForEachVector(mini_.Key(), [&](int64_t id, std::span<const float>) {
                      ids.push_back(id);
                      return Status::Ok();
                    }).ok());
  EXPECT_EQ(texts(store_->ChunkHits(ids, options)), prose);
  options.filter.has_table = true;
  EXPECT_EQ(texts(store_->ChunkHits(ids, options)), table);
  // Combined with another condition, both must hold.
  options.filter.path_glob = "notes/*";
  EXPECT_TRUE(texts(store_->Search("fusion", options)).empty());
}

}  // namespace
}  // namespace docpipe::store
