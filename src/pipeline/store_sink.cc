#include "pipeline/store_sink.h"

#include <utility>

#include "core/stopwatch.h"

namespace docpipe::pipeline {
namespace {

// Bound one transaction, so a burst does not hold the write lock for long
// and a streamed document's pieces do not all land in one transaction.
constexpr size_t kMaxGroupDocuments = 4096;
constexpr size_t kMaxGroupChunks = 2048;

size_t ChunksOf(const std::vector<DocumentWrite>& writes) {
  size_t chunks = 0;
  for (const DocumentWrite& write : writes) chunks += write.chunks.size();
  return chunks;
}

std::vector<int64_t> Ids(const std::vector<DocumentWrite>& writes) {
  std::vector<int64_t> ids;
  ids.reserve(writes.size());
  for (const DocumentWrite& write : writes) ids.push_back(write.record.id);
  return ids;
}

// A streamed document's piece that more pieces follow closes its transaction:
// each piece commits on its own, as the store stage cut them, so the
// document's pieces are never merged back into one transaction.
bool EndsPartial(const std::vector<DocumentWrite>& writes) {
  for (const DocumentWrite& write : writes) {
    if (write.record.state == DocumentState::kPartial) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<StoreSink>> StoreSink::Make(Store& store, size_t max_queued_documents, int writers) {
  if (max_queued_documents < 1) return Status::InvalidArgument("the store sink needs room for one document");
  if (writers < 1) return Status::InvalidArgument("the store sink needs at least one writer");
  auto sink = std::unique_ptr<StoreSink>(new StoreSink(max_queued_documents));
  sink->stores_.push_back(&store);
  for (int i = 1; i < writers; ++i) {
    DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Store> writer, store.OpenWriter());
    sink->stores_.push_back(writer.get());
    sink->own_stores_.push_back(std::move(writer));
  }
  for (Store* writer : sink->stores_) sink->threads_.emplace_back([s = sink.get(), writer] { s->Loop(*writer); });
  return sink;
}

StoreSink::~StoreSink() { Stop(); }

std::future<Result<StoredBatch>> StoreSink::Write(std::vector<DocumentWrite> writes,
                                                  AfterCommit after_commit) {
  Batch batch{std::move(writes), std::move(after_commit), {}};
  auto future = batch.done.get_future();
  const size_t chunks = ChunksOf(batch.writes);
  MutexLock lock(mutex_);
  while (!stopping_ && !queue_.empty() &&
         (queued_documents_ + batch.writes.size() > max_queued_documents_ ||
          queued_chunks_ + chunks > kMaxQueuedChunks)) {
    lock.Wait(room_);
  }
  if (stopping_) {
    batch.done.set_value(Status::Cancelled("the store writer is shutting down"));
    return future;
  }
  queued_documents_ += batch.writes.size();
  queued_chunks_ += chunks;
  queue_.push_back(std::move(batch));
  wake_.notify_one();
  return future;
}

size_t StoreSink::queued() const {
  MutexLock lock(mutex_);
  return queue_.size();
}

double StoreSink::busy_seconds() const {
  MutexLock lock(mutex_);
  return busy_seconds_;
}

int64_t StoreSink::documents_written() const {
  MutexLock lock(mutex_);
  return documents_written_;
}

int64_t StoreSink::documents_completed() const {
  MutexLock lock(mutex_);
  return documents_completed_;
}

void StoreSink::Stop() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
    room_.notify_all();
  }
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

bool StoreSink::WritingAnyPathOf(const Batch& batch) const {
  for (const DocumentWrite& write : batch.writes) {
    if (writing_.contains(write.record.path)) return true;
  }
  return false;
}

std::vector<StoreSink::Batch> StoreSink::TakeGroup(MutexLock& lock) {
  std::vector<Batch> group;
  while (!(stopping_ && queue_.empty()) && (queue_.empty() || WritingAnyPathOf(queue_.front()))) lock.Wait(wake_);
  if (queue_.empty()) return group;  // stopping, and everything accepted is written
  // One writer groups what waits into one transaction; several take a batch
  // each, so that all of them have work.
  const bool single = stores_.size() == 1;
  size_t documents = 0, chunks = 0;
  while (!queue_.empty()) {
    const size_t next_documents = queue_.front().writes.size(), next_chunks = ChunksOf(queue_.front().writes);
    const bool fits = documents + next_documents <= kMaxGroupDocuments && chunks + next_chunks <= kMaxGroupChunks;
    if (!group.empty() && (!fits || !single)) break;
    documents += next_documents;
    chunks += next_chunks;
    const bool ends_partial = EndsPartial(queue_.front().writes);
    group.push_back(std::move(queue_.front()));
    queue_.pop_front();
    if (ends_partial) break;
  }
  for (const Batch& batch : group) {
    for (const DocumentWrite& write : batch.writes) ++writing_[write.record.path];
  }
  queued_documents_ -= documents;
  queued_chunks_ -= chunks;
  room_.notify_all();
  return group;
}

void StoreSink::Loop(Store& store) {
  for (;;) {
    std::vector<Batch> group;
    {
      MutexLock lock(mutex_);
      group = TakeGroup(lock);
      if (group.empty()) return;
    }
    std::vector<std::string> paths;
    for (const Batch& batch : group) {
      for (const DocumentWrite& write : batch.writes) paths.push_back(write.record.path);
    }
    WriteGroup(store, group);
    MutexLock lock(mutex_);
    for (const std::string& path : paths) {
      if (--writing_[path] == 0) writing_.erase(path);
    }
    wake_.notify_all();
  }
}

void StoreSink::Commit(Batch& batch, std::vector<int64_t> ids, double seconds) {
  int64_t completed = 0;
  for (const DocumentWrite& write : batch.writes) completed += write.record.state == DocumentState::kComplete;
  {
    MutexLock lock(mutex_);
    documents_written_ += static_cast<int64_t>(ids.size());
    documents_completed_ += completed;
  }
  Status after = batch.after_commit ? batch.after_commit() : Status::Ok();
  if (!after.ok()) {
    batch.done.set_value(after);
    return;
  }
  batch.done.set_value(StoredBatch{std::move(ids), completed, seconds});
}

void StoreSink::WriteGroup(Store& store, std::vector<Batch>& group) {
  Stopwatch watch;
  const auto account = [&] {
    const double seconds = watch.Lap();
    MutexLock lock(mutex_);
    busy_seconds_ += seconds;
    return seconds;
  };
  if (group.size() > 1) {
    std::vector<DocumentWrite> all;
    for (Batch& batch : group) {
      for (DocumentWrite& write : batch.writes) all.push_back(std::move(write));
    }
    Status status = store.PutDocuments(all);
    const double seconds = account();
    if (status.ok()) {
      const double share = seconds / static_cast<double>(group.size());
      size_t next = 0;
      for (Batch& batch : group) {
        std::vector<int64_t> ids;
        for (size_t i = 0; i < batch.writes.size(); ++i) ids.push_back(all[next++].record.id);
        Commit(batch, std::move(ids), share);
      }
      return;
    }
    // Give the writes back to their batches and try each alone.
    size_t next = 0;
    for (Batch& batch : group) {
      for (DocumentWrite& write : batch.writes) write = std::move(all[next++]);
    }
  }
  for (Batch& batch : group) {
    Status status = store.PutDocuments(batch.writes);
    const double seconds = account();
    if (status.ok()) {
      Commit(batch, Ids(batch.writes), seconds);
    } else {
      batch.done.set_value(status);
    }
  }
}

}  // namespace docpipe::pipeline
