// The server's single store writer: one thread owns the writing Store, and
// request threads hand it batches of documents. Batches that arrive while a
// transaction is running are written together in the next one (group commit),
// so many small /ingest requests cost one fsync, not one each; a group that
// fails is retried batch by batch so one bad batch fails alone.
//
// Thread-safety: Write() and queued() may be called from any thread. Stop()
// writes everything queued, then joins; it is idempotent, and Write() after
// Stop() fails with kCancelled.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "docpipe/status.h"
#include "docpipe/store.h"

namespace docpipe::server {

class StoreWriter {
 public:
  // `after_commit` runs on the writer thread after each transaction (the
  // server flushes the enrichment cache there).
  static Result<std::unique_ptr<StoreWriter>> Make(std::unique_ptr<Store> store, std::function<void()> after_commit);
  ~StoreWriter();

  // Stores the documents in one transaction (possibly shared with other
  // batches); the result holds the record id of each document, in order.
  std::future<Result<std::vector<int64_t>>> Write(std::vector<DocumentWrite> writes);

  size_t queued() const;  // batches waiting for the writer
  void Stop();

 private:
  struct Batch {
    std::vector<DocumentWrite> writes;
    std::promise<Result<std::vector<int64_t>>> done;
  };
  void Loop();
  void WriteGroup(std::vector<Batch>& group);

  std::unique_ptr<Store> store_;  // used by the writer thread only
  std::function<void()> after_commit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Batch> queue_;  // guarded by mutex_
  bool stopping_ = false;    // guarded by mutex_
  std::thread thread_;
};

}  // namespace docpipe::server
