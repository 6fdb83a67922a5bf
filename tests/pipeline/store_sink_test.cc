// The group-commit store sink on a real SQLite store: batches from many
// threads are all stored once, a bad batch fails alone even when it shares a
// transaction, the after-commit step sees its batch committed, and a stopped
// sink refuses new batches but wrote everything it had accepted.
#include "pipeline/store_sink.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "docpipe/store.h"

namespace docpipe::pipeline {
namespace {

namespace fs = std::filesystem;

class StoreSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("docpipe-store-sink-" + std::to_string(std::random_device()()));
    fs::create_directories(dir_);
    auto store = Store::Open((dir_ / "kb.sqlite").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::unique_ptr<Store> Reader() {
    auto reader = store_->OpenReader();
    EXPECT_TRUE(reader.ok());
    return reader.ok() ? std::move(reader).value() : nullptr;
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
};

DocumentWrite OneChunkDocument(const std::string& name) {
  DocumentWrite write;
  write.record.path = "test:" + name;
  write.record.sha256 = Sha256Hex(name);
  write.record.pages = 1;
  write.record.kind = DocumentKind::kText;
  Chunk chunk;
  chunk.text = "chunk of " + name;
  chunk.page_start = chunk.page_end = 1;
  chunk.token_count = 3;
  chunk.char_end = static_cast<int64_t>(chunk.text.size());
  write.chunks.push_back(std::move(chunk));
  return write;
}

TEST_F(StoreSinkTest, BatchesFromManyThreadsAreEachStoredOnce) {
  auto sink = StoreSink::Make(*store_);
  ASSERT_TRUE(sink.ok());
  constexpr int kThreads = 6, kBatches = 20, kDocuments = 3;
  std::atomic<int> stored{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<DocumentWrite> writes;
        for (int d = 0; d < kDocuments; ++d) {
          writes.push_back(
              OneChunkDocument(std::to_string(t) + "-" + std::to_string(b) + "-" + std::to_string(d)));
        }
        Result<StoredBatch> batch = (*sink)->Write(std::move(writes)).get();
        if (batch.ok() && batch->ids.size() == kDocuments && batch->ids[0] > 0) ++stored;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(stored.load(), kThreads * kBatches);
  EXPECT_EQ((*sink)->documents_written(), kThreads * kBatches * kDocuments);
  auto counts = Reader()->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->documents, kThreads * kBatches * kDocuments);
  EXPECT_EQ(counts->chunks, kThreads * kBatches * kDocuments);
}

TEST_F(StoreSinkTest, ABadBatchFailsAloneAndAfterCommitSeesItsBatch) {
  auto sink = StoreSink::Make(*store_);
  ASSERT_TRUE(sink.ok());
  // Hold the writer in the first batch's after-commit step, so the next three
  // batches wait together and are offered to one transaction.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::unique_ptr<Store> reader = Reader();
  bool first_visible = false;
  auto first = (*sink)->Write({OneChunkDocument("first")}, [&] {
    auto record = reader->FindByPath("test:first");
    first_visible = record.ok() && record->has_value();
    released.wait();
    return Status::Ok();
  });
  auto good_before = (*sink)->Write({OneChunkDocument("before")});
  DocumentWrite orphan = OneChunkDocument("orphan");
  orphan.continues = true;  // a later piece of a document that was never started
  auto bad = (*sink)->Write({std::move(orphan)});
  auto good_after = (*sink)->Write({OneChunkDocument("after")});
  release.set_value();

  ASSERT_TRUE(first.get().ok());
  EXPECT_TRUE(first_visible) << "after_commit ran before its batch was committed";
  EXPECT_TRUE(good_before.get().ok());
  Result<StoredBatch> refused = bad.get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kNotFound) << refused.status().ToString();
  EXPECT_TRUE(good_after.get().ok());
  auto counts = reader->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->documents, 3);
  auto orphan_record = reader->FindByPath("test:orphan");
  ASSERT_TRUE(orphan_record.ok());
  EXPECT_FALSE(orphan_record->has_value());
}

// Several writers (--db-writers): every batch is stored once, and the writes
// of one path land in the order they were handed over (the last one stands).
TEST_F(StoreSinkTest, TwoWritersStoreEveryBatchAndKeepTheOrderOfOnePath) {
  auto sink = StoreSink::Make(*store_, StoreSink::kDefaultMaxQueuedDocuments, 2);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  std::vector<std::future<Result<StoredBatch>>> batches;
  for (int i = 0; i < 30; ++i) {
    DocumentWrite again = OneChunkDocument("again");
    again.record.sha256 = Sha256Hex("version " + std::to_string(i));
    batches.push_back((*sink)->Write({std::move(again)}));
    batches.push_back((*sink)->Write({OneChunkDocument("other" + std::to_string(i))}));
  }
  for (auto& batch : batches) EXPECT_TRUE(batch.get().ok());
  (*sink)->Stop();
  EXPECT_EQ((*sink)->documents_written(), 60);
  auto record = Reader()->FindByPath("test:again");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->sha256, Sha256Hex("version 29"));
  EXPECT_EQ(Reader()->Counts()->documents, 31);
}

TEST_F(StoreSinkTest, StopWritesWhatWasAcceptedAndRefusesMore) {
  auto sink = StoreSink::Make(*store_);
  ASSERT_TRUE(sink.ok());
  std::vector<std::future<Result<StoredBatch>>> accepted;
  for (int i = 0; i < 10; ++i)
    accepted.push_back((*sink)->Write({OneChunkDocument("kept" + std::to_string(i))}));
  (*sink)->Stop();
  (*sink)->Stop();  // idempotent
  for (auto& batch : accepted) EXPECT_TRUE(batch.get().ok());
  Result<StoredBatch> late = (*sink)->Write({OneChunkDocument("late")}).get();
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kCancelled);
  auto counts = Reader()->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->documents, 10);
}

}  // namespace
}  // namespace docpipe::pipeline
