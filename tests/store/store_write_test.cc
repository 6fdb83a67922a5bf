// Writing documents: round trips, replacement rules, all-or-nothing batches,
// runs, counts, a full disk, a second writer, and checkpoints off the writer.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "docpipe/store.h"
#include "store/sqlite_store.h"
#include "store_test_util.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;
using testing::RawExec;
using testing::RawQuery;
using testing::TempDir;

class StoreWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("store.db");
    auto store = Store::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
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

  size_t HitCount(const std::string& query) {
    auto hits = store_->Search(query, {});
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    return hits.ok() ? hits->size() : 0;
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreWriteTest, RecordAndChunksRoundTrip) {
  DocumentWrite write = MakeWrite("docs/report.pdf", "abc123", {"alpha text", "beta text"});
  write.record.kind = DocumentKind::kMixed;
  write.record.metadata.author = "A. Author";
  write.record.metadata.producer = "LaTeX";
  write.record.metadata.created = "2023-04-05T06:07:08Z";  // kept in the metadata JSON, no column of its own
  write.record.seconds.extract = 0.25;
  write.record.seconds.embed = 0.5;
  write.record.seconds.ocr = 1.5;
  write.record.pages_needing_ocr = {2, 5};
  write.record.page_errors = {"page 5: timeout: OCR took too long"};
  std::vector<DocumentWrite> writes = {write};
  ASSERT_TRUE(store_->PutDocuments(writes).ok());
  ASSERT_GT(writes[0].record.id, 0);

  auto found = store_->FindByPath("docs/report.pdf");
  ASSERT_TRUE(found.ok() && found->has_value());
  const DocumentRecord& record = **found;
  EXPECT_EQ(record.id, writes[0].record.id);
  EXPECT_EQ(record.sha256, "abc123");
  EXPECT_EQ(record.bytes, 1000);
  EXPECT_EQ(record.pages, 2);
  EXPECT_EQ(record.kind, DocumentKind::kMixed);
  EXPECT_EQ(record.status, DocumentStatus::kOk);
  EXPECT_EQ(record.metadata.title, "Title of docs/report.pdf");
  EXPECT_EQ(record.metadata.author, "A. Author");
  EXPECT_EQ(record.metadata.producer, "LaTeX");
  EXPECT_EQ(record.metadata.created, "2023-04-05T06:07:08Z");
  EXPECT_EQ(record.metadata.modified, "");
  EXPECT_DOUBLE_EQ(record.seconds.extract, 0.25);
  EXPECT_DOUBLE_EQ(record.seconds.embed, 0.5);
  EXPECT_DOUBLE_EQ(record.seconds.ocr, 1.5);
  EXPECT_EQ(record.pages_needing_ocr, (std::vector<int>{2, 5}));
  EXPECT_EQ(record.page_errors, write.record.page_errors);

  auto chunks = store_->ChunksOf(record.id);
  ASSERT_TRUE(chunks.ok());
  ASSERT_EQ(chunks->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const Chunk& got = (*chunks)[i];
    const Chunk& want = write.chunks[i];
    EXPECT_EQ(got.ordinal, want.ordinal);
    EXPECT_EQ(got.text, want.text);
    EXPECT_EQ(got.heading_path, want.heading_path);
    EXPECT_EQ(got.page_start, want.page_start);
    EXPECT_EQ(got.page_end, want.page_end);
    EXPECT_EQ(got.token_count, want.token_count);
    EXPECT_EQ(got.char_start, want.char_start);
    EXPECT_EQ(got.char_end, want.char_end);
  }
  auto by_sha = store_->FindBySha256("abc123");
  ASSERT_TRUE(by_sha.ok() && by_sha->has_value());
  EXPECT_EQ((*by_sha)->path, "docs/report.pdf");
  auto missing = store_->FindByPath("nowhere.pdf");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(StoreWriteTest, InvalidUtf8IsStoredReplaced) {
  DocumentWrite write = MakeWrite("bad.pdf", "bad", {"chunk"});
  write.record.metadata.title = "broken \xff title";
  write.chunks[0].heading_path = {"head \xfe"};
  Put({write});
  auto found = store_->FindByPath("bad.pdf");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->metadata.title, "broken \xEF\xBF\xBD title");
}

TEST_F(StoreWriteTest, SamePathNewContentReplacesOldChunks) {
  Put({MakeWrite("a.pdf", "v1", {"obsolete zeppelin wording", "second old chunk"})});
  auto first = store_->FindByPath("a.pdf");
  ASSERT_TRUE(first.ok() && first->has_value());
  ASSERT_EQ(HitCount("zeppelin"), 1u);

  Put({MakeWrite("a.pdf", "v2", {"fresh submarine wording"})});
  auto second = store_->FindByPath("a.pdf");
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->sha256, "v2");
  EXPECT_NE((*second)->id, (*first)->id) << "ids are never reused";
  EXPECT_EQ(HitCount("zeppelin"), 0u);
  EXPECT_EQ(HitCount("submarine"), 1u);
  auto old_chunks = store_->ChunksOf((*first)->id);
  ASSERT_TRUE(old_chunks.ok());
  EXPECT_TRUE(old_chunks->empty());
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 1);
  EXPECT_EQ(counts.chunks, 1);
  EXPECT_EQ(RawQuery(path_, "SELECT count(*) FROM chunks_fts"), "1");
  RawExec(path_, "INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check');");
}

TEST_F(StoreWriteTest, FailedRecordWithSameContentIsReplaced) {
  DocumentWrite failed = MakeWrite("old/place.pdf", "same-sha", {});
  failed.record.status = DocumentStatus::kFailed;
  failed.record.error = "timeout: extraction took too long";
  Put({failed});
  EXPECT_EQ(Counts().failed_documents, 1);
  auto not_ok = store_->FindBySha256("same-sha");
  ASSERT_TRUE(not_ok.ok());
  EXPECT_FALSE(not_ok->has_value()) << "a failed record is not a stored document";

  Put({MakeWrite("new/place.pdf", "same-sha", {"now it worked"})});
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 1);
  EXPECT_EQ(counts.failed_documents, 0);
  auto old_record = store_->FindByPath("old/place.pdf");
  ASSERT_TRUE(old_record.ok());
  EXPECT_FALSE(old_record->has_value());
}

TEST_F(StoreWriteTest, OkRecordsWithSameContentAtOtherPathsStay) {
  Put({MakeWrite("copy1.pdf", "dup", {"one"})});
  Put({MakeWrite("copy2.pdf", "dup", {"two"})});
  EXPECT_EQ(Counts().documents, 2);
}

TEST_F(StoreWriteTest, BatchIsAllOrNothing) {
  Put({MakeWrite("keep.pdf", "keep", {"kept text"})});
  std::vector<DocumentWrite> writes = {
      MakeWrite("keep.pdf", "keep-v2", {"replacement text"}),
      MakeWrite("good.pdf", "good", {"fine chunk", "another"}),
      MakeWrite("bad.pdf", "bad", {"first", "second", "third"}),
  };
  writes[2].chunks[2].ordinal = 1;  // a duplicate ordinal fails the third document midway
  Status status = store_->PutDocuments(writes);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("bad.pdf"), std::string::npos) << status.message();
  for (const DocumentWrite& write : writes) EXPECT_EQ(write.record.id, 0) << "ids only after commit";

  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 1);
  EXPECT_EQ(counts.chunks, 1);
  auto kept = store_->FindByPath("keep.pdf");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->sha256, "keep");
  EXPECT_EQ(HitCount("kept"), 1u);
  EXPECT_EQ(HitCount("replacement"), 0u);
  // The store is still usable after the rollback.
  Put({MakeWrite("good.pdf", "good", {"fine chunk"})});
  EXPECT_EQ(Counts().documents, 2);
}

TEST_F(StoreWriteTest, EmptyPathIsRejected) {
  std::vector<DocumentWrite> writes = {MakeWrite("", "x", {"text"})};
  Status status = store_->PutDocuments(writes);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Counts().documents, 0);
}

TEST_F(StoreWriteTest, RunsRecordConfigAndMetrics) {
  auto run = store_->BeginRun(R"({"threads": 2})");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(Counts().runs, 1);
  EXPECT_EQ(RawQuery(path_, "SELECT finished_at IS NULL FROM runs WHERE id = " + std::to_string(*run)), "1");
  ASSERT_TRUE(store_->FinishRun(*run, R"({"documents": 3})").ok());
  EXPECT_EQ(RawQuery(path_, "SELECT json_extract(metrics, '$.documents') FROM runs"), "3");
  EXPECT_EQ(RawQuery(path_, "SELECT json_extract(config, '$.threads') FROM runs"), "2");
  EXPECT_EQ(RawQuery(path_, "SELECT finished_at >= started_at FROM runs"), "1");

  EXPECT_EQ(store_->FinishRun(*run + 100, "{}").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->BeginRun("{not json").status().code(), StatusCode::kInvalidArgument);
  auto second = store_->BeginRun("");
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *run);
}

TEST_F(StoreWriteTest, CountsSeparateOkAndFailed) {
  DocumentWrite failed = MakeWrite("f.pdf", "f", {});
  failed.record.status = DocumentStatus::kFailed;
  Put({MakeWrite("a.pdf", "a", {"1", "2", "3"}), MakeWrite("b.pdf", "b", {"4"}), failed});
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 2);
  EXPECT_EQ(counts.failed_documents, 1);
  EXPECT_EQ(counts.chunks, 4);
  EXPECT_EQ(counts.runs, 0);
}

TEST_F(StoreWriteTest, FullDiskIsResourceExhaustedAndWritesNothing) {
  Put({MakeWrite("small.pdf", "small", {"small"})});
  auto* sqlite = dynamic_cast<SqliteStore*>(store_.get());
  ASSERT_NE(sqlite, nullptr);
  const int64_t pages = std::stoll(RawQuery(path_, "PRAGMA page_count"));
  ASSERT_TRUE(sqlite->LimitPagesForTesting(pages + 2).ok());
  std::vector<std::string> texts(400, std::string(2000, 'x') + " filler words to index");
  std::vector<DocumentWrite> writes = {MakeWrite("big.pdf", "big", texts)};
  Status status = store_->PutDocuments(writes);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted) << status.ToString();
  EXPECT_NE(status.message().find(path_), std::string::npos) << status.message();
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 1);
  EXPECT_EQ(counts.chunks, 1);
}

TEST_F(StoreWriteTest, SecondConnectionSeesCommittedBatches) {
  auto reader = Store::Open(path_, StoreOptions{.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Put({MakeWrite("a.pdf", "a", {"visible text"})});
  auto found = (*reader)->FindByPath("a.pdf");
  ASSERT_TRUE(found.ok() && found->has_value());
}

TEST_F(StoreWriteTest, WriterWaitsForAnotherWriter) {
  auto other = Store::Open(path_, StoreOptions{.lock_timeout_ms = 0});
  ASSERT_TRUE(other.ok());
  // A raw connection holds the write lock, as another process mid-batch would.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  std::vector<DocumentWrite> impatient = {MakeWrite("x.pdf", "x", {"x"})};
  Status status = (*other)->PutDocuments(impatient);
  EXPECT_EQ(status.code(), StatusCode::kTimeout) << status.ToString();

  std::thread release([raw] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
  });
  std::vector<DocumentWrite> patient = {MakeWrite("y.pdf", "y", {"y"})};
  Status waited = store_->PutDocuments(patient);  // waits up to the default lock timeout
  release.join();
  sqlite3_close(raw);
  EXPECT_TRUE(waited.ok()) << waited.ToString();
  EXPECT_EQ(Counts().documents, 1);
}

// The log is copied back into the database file by the checkpointer's
// thread once commits take it past SQLite's threshold, not inside the
// writer's commits; what is written stays readable throughout.
TEST_F(StoreWriteTest, CheckpointsRunOffTheWritersThread) {
  auto* sqlite = dynamic_cast<SqliteStore*>(store_.get());
  ASSERT_NE(sqlite, nullptr);
  ASSERT_EQ(sqlite->CheckpointsForTesting(), 0);
  const auto file_size = [&] { return std::filesystem::file_size(path_); };
  const uintmax_t size_before = file_size();
  // About 12 MB of chunk text in 24 commits: well past 1,000 pages of log.
  const std::vector<std::string> texts(100, std::string(5000, 'y') + " checkpoint words");
  for (int i = 0; i < 24; ++i) {
    Put({MakeWrite("doc" + std::to_string(i) + ".pdf", "content " + std::to_string(i), texts)});
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (sqlite->CheckpointsForTesting() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(sqlite->CheckpointsForTesting(), 0) << "no checkpoint ran";
  EXPECT_GT(file_size(), size_before + 4'000'000) << "the database file did not receive the log's pages";
  auto reader = Store::Open(path_, StoreOptions{.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto counts = (*reader)->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->documents, 24);
  EXPECT_EQ(counts->chunks, 2400);
  EXPECT_EQ(HitCount("checkpoint"), 10u) << "top 10 of the 2,400 chunks that say it";
}

TEST_F(StoreWriteTest, ReadOnlyStoreHasNoCheckpointer) {
  auto reader = Store::Open(path_, StoreOptions{.read_only = true});
  ASSERT_TRUE(reader.ok());
  auto* sqlite = dynamic_cast<SqliteStore*>(reader->get());
  ASSERT_NE(sqlite, nullptr);
  EXPECT_EQ(sqlite->CheckpointsForTesting(), -1);
}

}  // namespace
}  // namespace docpipe::store
