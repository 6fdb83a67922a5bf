// Enrichment in the store: tag and entity rows written with their chunks and
// removed with them, the v1 -> v2 migration, and the store-backed
// EnrichmentCache (queued puts, flushes, other connections, many threads).
#include <gtest/gtest.h>

#include <atomic>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "docpipe/store.h"
#include "store/sqlite_schema.h"
#include "store_test_util.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;
using testing::RawExec;
using testing::RawQuery;
using testing::TempDir;

EnrichmentResult LlmResult(const std::string& id) {
  EnrichmentResult result;
  result.id = id;
  result.has_tags = true;
  result.tags.domain = {"computing", 0.9f};
  result.tags.task = {"explain", 0.75f};
  result.tags.modifiers = {{"technical", 0.5f}, {"quantitative", 0.25f}};
  result.has_entities = true;
  result.entities = {{"Tower", "location", 4, 9, 0.5f}};
  result.source = EnrichmentSource::kLlm;
  result.producer = "llm:test-model";
  result.prompt_version = "tags+entities/v1/abc";
  return result;
}

EnrichmentResult HeuristicEntitiesOnly(const std::string& id) {
  EnrichmentResult result;
  result.id = id;
  result.has_entities = true;
  result.entities = {{"1889", "date", 0, 4, 0.75f}, {"NASA", "term", 10, 14, 0.5f}};
  result.source = EnrichmentSource::kHeuristic;
  result.producer = "heuristic";
  return result;
}

class StoreEnrichmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("store.db");
    auto store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  int64_t PutOne(DocumentWrite write) {
    std::vector<DocumentWrite> writes;
    writes.push_back(std::move(write));
    Status status = store_->PutDocuments(writes);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return writes[0].record.id;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreEnrichmentTest, ResultsRoundTripPerChunk) {
  DocumentWrite write = MakeWrite("a.md", "sha-a", {"The Tower is tall.", "1889 and NASA.", "plain"});
  write.enrichments = {LlmResult("x"), HeuristicEntitiesOnly("y"), EnrichmentResult{}};
  const int64_t id = PutOne(std::move(write));

  auto stored = store_->EnrichmentsOf(id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 3u);
  const EnrichmentResult& first = (*stored)[0];
  EXPECT_EQ(first.id, "0");
  EXPECT_TRUE(first.has_tags);
  EXPECT_EQ(first.source, EnrichmentSource::kLlm);
  EXPECT_EQ(first.producer, "llm:test-model");
  EXPECT_EQ(first.prompt_version, "tags+entities/v1/abc");
  EXPECT_EQ(first.tags.domain.label, "computing");
  EXPECT_FLOAT_EQ(first.tags.domain.confidence, 0.9f);
  EXPECT_EQ(first.tags.task.label, "explain");
  ASSERT_EQ(first.tags.modifiers.size(), 2u);
  EXPECT_EQ(first.tags.modifiers[0].label, "technical");  // ranking kept
  EXPECT_EQ(first.tags.modifiers[1].label, "quantitative");
  ASSERT_EQ(first.entities.size(), 1u);
  EXPECT_EQ(first.entities[0].text, "Tower");
  EXPECT_EQ(first.entities[0].start, 4);
  EXPECT_EQ(first.entities[0].end, 9);

  const EnrichmentResult& second = (*stored)[1];
  EXPECT_FALSE(second.has_tags);
  EXPECT_EQ(second.source, EnrichmentSource::kHeuristic);
  ASSERT_EQ(second.entities.size(), 2u);
  EXPECT_EQ(second.entities[1].type, "term");
  EXPECT_FALSE((*stored)[2].has_tags);
  EXPECT_FALSE((*stored)[2].has_entities);

  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunk_tags"), "4");
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunk_entities"), "3");
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunk_entities WHERE source = 'heuristic'"), "2");
}

TEST_F(StoreEnrichmentTest, ReplacingOrDeletingADocumentRemovesItsRows) {
  DocumentWrite first = MakeWrite("a.md", "sha-1", {"The Tower is tall.", "1889 and NASA."});
  first.enrichments = {LlmResult("0"), LlmResult("1")};
  PutOne(std::move(first));
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunk_tags"), "8");

  DocumentWrite second = MakeWrite("a.md", "sha-2", {"1889 and NASA."});
  second.enrichments = {HeuristicEntitiesOnly("0")};
  const int64_t id = PutOne(std::move(second));
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunk_tags"), "0");
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunk_entities"), "2");
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunk_entities WHERE chunk_id NOT IN (SELECT id FROM chunks)"),
            "0");

  RawExec(path_, "PRAGMA foreign_keys = ON; DELETE FROM documents WHERE id = " + std::to_string(id));
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunk_entities"), "0");
}

TEST_F(StoreEnrichmentTest, WrongNumberOfResultsWritesNothing) {
  DocumentWrite write = MakeWrite("a.md", "sha-a", {"one", "two"});
  write.enrichments = {LlmResult("0")};
  std::vector<DocumentWrite> writes;
  writes.push_back(MakeWrite("b.md", "sha-b", {"fine"}));
  writes.push_back(std::move(write));
  EXPECT_EQ(store_->PutDocuments(writes).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM documents"), "0");
}

TEST(StoreMigrationTest, VersionOneStoreGainsEnrichmentTablesAndKeepsItsRows) {
  TempDir dir;
  const std::string path = dir.File("old.db");
  {
    auto db = SqliteDb::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(Migrate(**db, DocpipeMigrations().first(1)).ok());
  }
  RawExec(path,
          "INSERT INTO documents(path, sha256, kind, status, created_at, updated_at) "
          "VALUES ('old.md', 'sha-old', 'text', 'ok', 'then', 'then')");
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), "1");

  auto store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                           "('enrichment_cache', 'chunk_tags', 'chunk_entities')"),
            "3");
  auto old = (*store)->FindByPath("old.md");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_TRUE(old->has_value());
}

EnrichmentCacheKey Key(const std::string& sha) { return {"test-model", "tags+entities/v1/abc", sha}; }

TEST_F(StoreEnrichmentTest, CacheSeesQueuedPutsAndPersistsThemOnFlush) {
  auto cache = store_->OpenEnrichmentCache();
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  EXPECT_FALSE((*cache)->Get(Key("aa")).has_value());
  (*cache)->Put(Key("aa"), LlmResult("7"));
  EXPECT_EQ((*cache)->pending(), 1u);
  std::optional<EnrichmentResult> queued = (*cache)->Get(Key("aa"));
  ASSERT_TRUE(queued.has_value());
  EXPECT_EQ(queued->tags.domain.label, "computing");
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM enrichment_cache"), "0");

  ASSERT_TRUE((*cache)->Flush().ok());
  EXPECT_EQ((*cache)->pending(), 0u);
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM enrichment_cache"), "1");
  EXPECT_NE(RawQuery(path_, "SELECT created_at > 1600000000 FROM enrichment_cache"), "0");
  EXPECT_FALSE((*cache)->Get({"test-model", "tags/v1/abc", "aa"}).has_value());  // another prompt misses
  EXPECT_FALSE((*cache)->Get({"other-model", "tags+entities/v1/abc", "aa"}).has_value());

  // Another store object (another process, say) reads it from the table.
  auto reopened = Store::Open(path_);
  ASSERT_TRUE(reopened.ok());
  auto other = (*reopened)->OpenEnrichmentCache();
  ASSERT_TRUE(other.ok());
  std::optional<EnrichmentResult> stored = (*other)->Get(Key("aa"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->producer, "llm:test-model");
  ASSERT_EQ(stored->entities.size(), 1u);
  EXPECT_EQ(stored->entities[0].text, "Tower");
}

TEST_F(StoreEnrichmentTest, CacheFlushesWhatIsLeftWhenDestroyed) {
  {
    auto cache = store_->OpenEnrichmentCache();
    ASSERT_TRUE(cache.ok());
    (*cache)->Put(Key("bb"), LlmResult("1"));
  }
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM enrichment_cache"), "1");
}

TEST_F(StoreEnrichmentTest, CacheTakesPutsAndGetsFromManyThreadsWhileFlushing) {
  auto cache = store_->OpenEnrichmentCache();
  ASSERT_TRUE(cache.ok());
  StoreEnrichmentCache& shared = **cache;
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> misses{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string sha = std::to_string(t) + "-" + std::to_string(i);
        shared.Put(Key(sha), LlmResult(sha));
        if (!shared.Get(Key(sha)).has_value()) ++misses;
        if (i % 10 == 0) {
          EXPECT_TRUE(shared.Flush().ok());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(misses.load(), 0);
  ASSERT_TRUE(shared.Flush().ok());
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM enrichment_cache"), std::to_string(kThreads * kPerThread));
}

TEST_F(StoreEnrichmentTest, ReadOnlyStoreHasNoCache) {
  store_.reset();
  StoreOptions options;
  options.read_only = true;
  auto store = Store::Open(path_, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->OpenEnrichmentCache().status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace docpipe::store
