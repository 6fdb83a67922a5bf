// A writer killed with SIGKILL in the middle of its batches leaves only whole
// batches behind, and the store opens and accepts writes afterwards.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "docpipe/store.h"
#include "store_test_util.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;
using testing::RawExec;
using testing::RawQuery;
using testing::TempDir;

constexpr int kDocumentsPerBatch = 4;
constexpr int kChunksPerDocument = 30;

// Writes batches until killed. Runs in a forked child: no gtest assertions.
[[noreturn]] void WriteForever(const std::string& path) {
  auto store = Store::Open(path);
  if (!store.ok()) _exit(2);
  std::vector<std::string> texts(kChunksPerDocument, "crash safety text for a chunk of a document");
  for (int batch = 0;; ++batch) {
    std::vector<DocumentWrite> writes;
    for (int i = 0; i < kDocumentsPerBatch; ++i) {
      std::string name = "doc-" + std::to_string(batch) + "-" + std::to_string(i);
      writes.push_back(MakeWrite(name + ".pdf", name, texts));
    }
    if (!(*store)->PutDocuments(writes).ok()) _exit(3);
  }
}

TEST(StoreCrashTest, KilledWriterLeavesWholeBatches) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  ASSERT_TRUE(Store::Open(path).ok());
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) WriteForever(path);

  // Let the child commit a few batches (bounded wait), then kill it mid-write.
  auto reader = Store::Open(path, StoreOptions{.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  for (int tries = 0; tries < 2000; ++tries) {
    auto counts = (*reader)->Counts();
    if (counts.ok() && counts->documents >= 3 * kDocumentsPerBatch) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reader->reset();
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int wait_status = 0;
  ASSERT_EQ(waitpid(child, &wait_status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wait_status)) << "the writer stopped on its own, status " << wait_status;

  auto store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto counts = (*store)->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_GE(counts->documents, 3 * kDocumentsPerBatch);
  EXPECT_EQ(counts->documents % kDocumentsPerBatch, 0) << "a batch was half written";
  EXPECT_EQ(counts->chunks, counts->documents * kChunksPerDocument);
  EXPECT_EQ(RawQuery(path, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM chunks_fts"), std::to_string(counts->chunks));
  RawExec(path, "INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check');");

  std::vector<DocumentWrite> writes = {MakeWrite("after.pdf", "after", {"written after the crash"})};
  ASSERT_TRUE((*store)->PutDocuments(writes).ok());
}

}  // namespace
}  // namespace docpipe::store
