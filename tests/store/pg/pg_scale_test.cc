// What lets many writers share one PostgreSQL store: bulk loads that defer the
// full-text index to the last loader, writers that store a content another
// writer stored first nothing new, and the vector stamp kept in the embedder's
// row instead of counted per query.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "../store_test_util.h"
#include "docpipe/store.h"
#include "pg_test_database.h"
#include "store/pg_schema.h"
#include "store/pg_store.h"

namespace docpipe::store {
namespace {

using ::docpipe::testing::PgExec;
using ::docpipe::testing::PgQuery;
using ::docpipe::testing::PgTestDatabase;
using testing::MakeWrite;

std::unique_ptr<Store> Open(const std::string& url) {
  auto store = Store::Open(url);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

std::string IndexCount(const std::string& url) {
  return PgQuery(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'chunks_tsv'");
}

size_t Hits(Store& store, const std::string& query) {
  auto hits = store.Search(query, {});
  EXPECT_TRUE(hits.ok()) << hits.status().ToString();
  return hits.ok() ? hits->size() : 0;
}

void Put(Store& store, std::vector<DocumentWrite> writes) {
  Status status = store.PutDocuments(writes);
  ASSERT_TRUE(status.ok()) << status.ToString();
}

TEST(PgScaleTest, BulkLoadsLeaveTheIndexToTheLastLoaderAndSearchStaysExact) {
  PgTestDatabase db;
  auto first = Open(db.url());
  auto second = Open(db.url());
  ASSERT_TRUE(first && second);
  Put(*first, {MakeWrite("before.md", "sha-0", {"quokka before the load"})});
  ASSERT_TRUE(first->BeginBulkLoad().ok());
  ASSERT_TRUE(second->BeginBulkLoad().ok());
  EXPECT_EQ(IndexCount(db.url()), "0");
  Put(*first, {MakeWrite("a.md", "sha-a", {"quokka in the first load"})});
  Put(*second, {MakeWrite("b.md", "sha-b", {"quokka in the second load"})});
  EXPECT_EQ(Hits(*first, "quokka"), 3u) << "search reads the rows while the index is away";

  ASSERT_TRUE(first->FinishBulkLoad().ok());
  EXPECT_EQ(IndexCount(db.url()), "0") << "another loader is still loading";
  ASSERT_TRUE(second->FinishBulkLoad().ok());
  EXPECT_EQ(IndexCount(db.url()), "1");
  EXPECT_EQ(Hits(*second, "quokka"), 3u);
  EXPECT_EQ(PgQuery(db.url(), "SET enable_seqscan = off; SELECT count(*) FROM chunks WHERE tsv @@ 'quokka'"), "3");
}

TEST(PgScaleTest, AKilledBulkLoaderLeavesTheIndexToTheNextWriterThatOpens) {
  PgTestDatabase db;
  {
    auto loader = Open(db.url());
    ASSERT_NE(loader, nullptr);
    ASSERT_TRUE(loader->BeginBulkLoad().ok());
    Put(*loader, {MakeWrite("a.md", "sha-a", {"wombat text"})});
  }  // gone without finishing: its session, and its share of the lock, end with it
  EXPECT_EQ(IndexCount(db.url()), "0");
  // The server ends a session shortly after its client is gone.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (PgQuery(db.url(), "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                 "database = (SELECT oid FROM pg_database WHERE datname = current_database())") != "0") {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the loader's session never ended";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto reader = Store::Open(db.url(), {.create_if_missing = false, .read_only = true});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(IndexCount(db.url()), "0") << "a reader does not build it";
  EXPECT_EQ(Hits(**reader, "wombat"), 1u);
  ASSERT_NE(Open(db.url()), nullptr);
  EXPECT_EQ(IndexCount(db.url()), "1");
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM docpipe_meta WHERE key = 'search_index'"), "0");
}

TEST(PgScaleTest, ContentStoredByAnotherWriterSinceTheSkipCheckIsNotStoredAgain) {
  PgTestDatabase db;
  auto first = Open(db.url());
  auto second = Open(db.url());
  ASSERT_TRUE(first && second);
  // Both checked "sha-x" and found nothing; the second stores its copy first.
  std::vector<DocumentWrite> theirs = {MakeWrite("copies/two.md", "sha-x", {"the same text"})};
  theirs[0].unless_content_stored = true;
  ASSERT_TRUE(second->PutDocuments(theirs).ok());
  std::vector<DocumentWrite> mine = {MakeWrite("copies/one.md", "sha-x", {"the same text"}),
                                     MakeWrite("other.md", "sha-y", {"other text"})};
  for (DocumentWrite& write : mine) write.unless_content_stored = true;
  Status status = first->PutDocuments(mine);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(mine[0].record.id, theirs[0].record.id);
  EXPECT_GT(mine[1].record.id, theirs[0].record.id);
  EXPECT_EQ(PgQuery(db.url(), "SELECT string_agg(path, ',' ORDER BY path) FROM documents"), "copies/two.md,other.md");
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM chunks"), "2");
  // Without the flag (a deliberate second copy) both paths are kept, as before.
  std::vector<DocumentWrite> deliberate = {MakeWrite("copies/three.md", "sha-x", {"the same text"})};
  ASSERT_TRUE(first->PutDocuments(deliberate).ok());
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents WHERE sha256 = 'sha-x'"), "2");
}

TEST(PgScaleTest, VectorStampIsKeptInTheEmbedderRowThroughEveryKindOfChange) {
  PgTestDatabase db;
  auto store = Open(db.url());
  ASSERT_NE(store, nullptr);
  EmbedderIdentity mini{"mini", 2, "hash-of-mini", true, ""};
  const auto with_vectors = [&](DocumentWrite write) {
    write.embedder = mini;
    write.vectors.rows = write.chunks.size();
    write.vectors.dimension = 2;
    write.vectors.values.assign(2 * write.chunks.size(), 0.5f);
    return write;
  };
  Put(*store, {with_vectors(MakeWrite("a.md", "sha-a", {"one", "two"})),
               with_vectors(MakeWrite("b.md", "sha-b", {"three"}))});
  // What counting every vector says, against what the store keeps.
  const auto counted = [&] {
    return PgQuery(db.url(), "SELECT count(*) || '/' || coalesce(sum(chunk_id), 0) FROM chunk_vectors");
  };
  const auto kept = [&] {
    auto stamp = store->StampOf(mini.Key());
    EXPECT_TRUE(stamp.ok()) << stamp.status().ToString();
    return stamp.ok() ? std::to_string(stamp->count) + "/" + std::to_string(stamp->chunk_id_sum) : "";
  };
  const VectorStamp written = *store->StampOf(mini.Key());
  EXPECT_EQ(written.count, 3);
  EXPECT_EQ(kept(), counted());
  EXPECT_EQ(written.max_chunk_id, std::stoll(PgQuery(db.url(), "SELECT max(chunk_id) FROM chunk_vectors")));

  Put(*store, {with_vectors(MakeWrite("a.md", "sha-a2", {"replaced"}))});  // a replacement cascades
  EXPECT_EQ(kept(), counted());
  PgExec(db.url(), "DELETE FROM documents WHERE path = 'b.md'");  // another client
  EXPECT_EQ(kept(), counted());
  EXPECT_NE(*store->StampOf(mini.Key()), written);
  PgExec(db.url(), "DELETE FROM documents");
  EXPECT_EQ(*store->StampOf(mini.Key()), VectorStamp{});
}

// A store from before the stamp was kept gains it from the vectors it holds.
TEST(PgScaleTest, VersionSixStoreGainsTheStampOfItsVectors) {
  PgTestDatabase db;
  {
    auto conn = PgConn::Connect(db.url(), 10);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ASSERT_TRUE(PgMigrate(**conn, PgMigrations().first(6)).ok());
  }
  PgExec(db.url(),
         "INSERT INTO documents(id, path, kind, status) VALUES (1, 'old.md', 'text', 'ok');"
         "INSERT INTO chunks(id, document_id, ordinal, text, page_start, page_end, token_count, char_start, char_end) "
         "VALUES (5, 1, 0, 'a', 1, 1, 1, 0, 1), (9, 1, 1, 'b', 1, 1, 1, 1, 2);"
         "INSERT INTO embedders(id, key, name, dimension, weights_hash, normalized) "
         "VALUES (1, 'old-key', 'old', 1, 'h', true);"
         "INSERT INTO chunk_vectors(chunk_id, embedder_id, vector) VALUES (5, 1, '\\x0000803f'), "
         "(9, 1, '\\x0000803f')");
  auto store = Open(db.url());
  ASSERT_NE(store, nullptr);
  auto stamp = store->StampOf("old-key");
  ASSERT_TRUE(stamp.ok()) << stamp.status().ToString();
  EXPECT_EQ(*stamp, (VectorStamp{2, 9, 14}));
}

}  // namespace
}  // namespace docpipe::store
