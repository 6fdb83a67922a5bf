// The one group-commit store sink that every ingest path writes through:
// `docpipe ingest`, `docpipe bench ingest`, and the server's /ingest and
// /documents. A dedicated writer thread, off the pipeline's workers, owns the
// writes to one Store; producers hand it batches of documents through a
// bounded queue. Batches that arrive while a transaction runs are written
// together in the next one (group commit), so many small batches cost one
// fsync, not one each; a group that fails is retried batch by batch so one
// bad batch fails alone. Batches are written in the order they were handed
// over, so the pieces of a streamed document stay in order, and a piece that
// leaves its document partial ends its transaction (each piece commits on
// its own, as the store stage cut them).
//
// Backpressure: Write() blocks while the batch would take the queue past
// `max_queued_documents` documents or kMaxQueuedChunks chunks (a batch larger
// than that is taken alone when the queue is empty).
//
// Several writers (ingest's --db-writers): each writer thread has a Store of
// its own (Store::OpenWriter) and takes one batch at a time, in the order
// handed over; a batch waits while another writer is writing a batch with one
// of its paths, so writes of one path (a streamed document's pieces) still
// land in order. Batches then commit in any order.
//
// Thread-safety: Write(), queued() and figures() may be called from any
// thread. Stop() writes everything queued, then joins; it is idempotent, and
// Write() after Stop() fails with kCancelled. While the sink runs, only its
// threads write documents through the Stores it was given.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/mutex.h"
#include "docpipe/status.h"
#include "docpipe/store.h"

namespace docpipe::pipeline {

// What one batch's transaction did.
struct StoredBatch {
  std::vector<int64_t> ids;  // record id of each document of the batch, in order
  int64_t completed = 0;     // documents of the batch now whole in the store (a partial piece is not one)
  // The batch's share of its transaction's time (split evenly among the
  // batches written together), so that summing batches counts each
  // transaction once, in whatever order their outcomes are read.
  double seconds = 0;
};

class StoreSink {
 public:
  static constexpr size_t kDefaultMaxQueuedDocuments = 4096;
  // What waits is held in memory: a bound in chunks as well as documents.
  static constexpr size_t kMaxQueuedChunks = 16384;

  // `store` must outlive the sink. With `writers` > 1, the others write
  // through stores of their own that the sink opens (store.OpenWriter()).
  static Result<std::unique_ptr<StoreSink>> Make(Store& store,
                                                 size_t max_queued_documents = kDefaultMaxQueuedDocuments,
                                                 int writers = 1);
  ~StoreSink();

  // Stores the documents in one transaction (possibly shared with other
  // batches). `after_commit`, when given, runs on the writer thread right
  // after that transaction commits (ingest flushes its enrichment cache
  // there); its error becomes the batch's result, though the documents stay.
  using AfterCommit = std::function<Status()>;
  std::future<Result<StoredBatch>> Write(std::vector<DocumentWrite> writes, AfterCommit after_commit = {});

  size_t queued() const;  // batches waiting for the writer
  // The writer thread's busy seconds, the writes it stored and the documents
  // now whole in the store by them (a streamed document once), since Make().
  double busy_seconds() const;
  int64_t documents_written() const;
  int64_t documents_completed() const;
  void Stop();

 private:
  struct Batch {
    std::vector<DocumentWrite> writes;
    AfterCommit after_commit;
    std::promise<Result<StoredBatch>> done;
  };
  explicit StoreSink(size_t max_queued_documents) : max_queued_documents_(max_queued_documents) {}
  void Loop(Store& store);
  // Takes the next group from the queue (empty: stopping, all written);
  // waits while another writer writes one of the head batch's paths.
  std::vector<Batch> TakeGroup(MutexLock& lock) DOCPIPE_REQUIRES(mutex_);
  bool WritingAnyPathOf(const Batch& batch) const DOCPIPE_REQUIRES(mutex_);
  void WriteGroup(Store& store, std::vector<Batch>& group);
  void Commit(Batch& batch, std::vector<int64_t> ids, double seconds);

  std::vector<Store*> stores_;                      // one per writer thread, which alone writes through it
  std::vector<std::unique_ptr<Store>> own_stores_;  // those the sink opened
  const size_t max_queued_documents_;
  mutable Mutex mutex_;
  std::condition_variable wake_;  // the writers: work or stop
  std::condition_variable room_;  // producers: the queue has room
  std::deque<Batch> queue_ DOCPIPE_GUARDED_BY(mutex_);
  size_t queued_documents_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  size_t queued_chunks_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  bool stopping_ DOCPIPE_GUARDED_BY(mutex_) = false;
  double busy_seconds_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  int64_t documents_written_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  int64_t documents_completed_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  // Paths of the batches being written, with how many of them write each.
  std::unordered_map<std::string, int> writing_ DOCPIPE_GUARDED_BY(mutex_);
  std::vector<std::thread> threads_;
};

}  // namespace docpipe::pipeline
