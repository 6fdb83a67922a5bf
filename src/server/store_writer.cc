#include "server/store_writer.h"

#include <utility>

namespace docpipe::server {
namespace {

// Bounds one transaction, so a burst does not hold the write lock for long.
constexpr size_t kMaxGroupDocuments = 4096;

std::vector<int64_t> Ids(const std::vector<DocumentWrite>& writes) {
  std::vector<int64_t> ids;
  ids.reserve(writes.size());
  for (const DocumentWrite& write : writes) ids.push_back(write.record.id);
  return ids;
}

}  // namespace

Result<std::unique_ptr<StoreWriter>> StoreWriter::Make(std::unique_ptr<Store> store,
                                                       std::function<void()> after_commit) {
  if (!store) return Status::InvalidArgument("StoreWriter needs a store");
  auto writer = std::unique_ptr<StoreWriter>(new StoreWriter());
  writer->store_ = std::move(store);
  writer->after_commit_ = std::move(after_commit);
  writer->thread_ = std::thread([w = writer.get()] { w->Loop(); });
  return writer;
}

StoreWriter::~StoreWriter() { Stop(); }

std::future<Result<std::vector<int64_t>>> StoreWriter::Write(std::vector<DocumentWrite> writes) {
  Batch batch{std::move(writes), {}};
  auto future = batch.done.get_future();
  std::lock_guard lock(mutex_);
  if (stopping_) {
    batch.done.set_value(Status::Cancelled("the server is shutting down"));
    return future;
  }
  queue_.push_back(std::move(batch));
  wake_.notify_one();
  return future;
}

size_t StoreWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void StoreWriter::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void StoreWriter::Loop() {
  for (;;) {
    std::vector<Batch> group;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything accepted is written
      size_t documents = 0;
      while (!queue_.empty() && (group.empty() || documents + queue_.front().writes.size() <= kMaxGroupDocuments)) {
        documents += queue_.front().writes.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    WriteGroup(group);
  }
}

void StoreWriter::WriteGroup(std::vector<Batch>& group) {
  if (group.size() > 1) {
    std::vector<DocumentWrite> all;
    for (Batch& batch : group) {
      for (DocumentWrite& write : batch.writes) all.push_back(std::move(write));
    }
    Status status = store_->PutDocuments(all);
    if (status.ok()) {
      if (after_commit_) after_commit_();
      size_t next = 0;
      for (Batch& batch : group) {
        std::vector<int64_t> ids;
        for (size_t i = 0; i < batch.writes.size(); ++i) ids.push_back(all[next++].record.id);
        batch.done.set_value(std::move(ids));
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
    Status status = store_->PutDocuments(batch.writes);
    if (status.ok()) {
      if (after_commit_) after_commit_();
      batch.done.set_value(Ids(batch.writes));
    } else {
      batch.done.set_value(status);
    }
  }
}

}  // namespace docpipe::server
