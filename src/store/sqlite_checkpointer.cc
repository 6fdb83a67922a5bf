#include "store/sqlite_checkpointer.h"

#include <string>
#include <utility>

namespace docpipe::store {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(SqliteDb& writer) {
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(writer.path(), SQLITE_OPEN_READWRITE));
  // A connection finds the file in WAL mode, and opens its log, only when it
  // first reads: until then a checkpoint through it silently does nothing.
  DOCPIPE_RETURN_IF_ERROR(db->QueryInt("SELECT count(*) FROM sqlite_master").status());
  auto checkpointer = std::make_unique<WalCheckpointer>(std::move(db), writer.handle());
  // Replaces the automatic checkpoints (themselves a WAL hook) on the writer.
  sqlite3_wal_hook(writer.handle(), &WalCheckpointer::OnCommit, checkpointer.get());
  return checkpointer;
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_, kCheckpointPages);  // SQLite's hook again
  if (!thread_.joinable()) return;
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int WalCheckpointer::checkpoints() const {
  MutexLock lock(mutex_);
  return checkpoints_;
}

int WalCheckpointer::OnCommit(void* self, sqlite3* /*writer*/, const char* /*database*/, int log_pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  {
    MutexLock lock(checkpointer->mutex_);
    // The log restarts from its beginning once all of it was copied; until
    // then it only grows, and only its pages not yet copied count. (Asking on
    // its whole length made a checkpoint, and a sync, of every commit's few
    // pages: 18% more CPU than SQLite's own checkpoints.)
    if (log_pages < checkpointer->copied_) checkpointer->copied_ = 0;
    if (log_pages - checkpointer->copied_ < kCheckpointPages) return SQLITE_OK;
    checkpointer->requested_ = true;
  }
  // The thread starts with the first checkpoint: a store that never writes
  // 1,000 pages between closes (most) never has one.
  if (!checkpointer->thread_.joinable()) {
    checkpointer->thread_ = std::thread([checkpointer] { checkpointer->Run(); });
  }
  checkpointer->wake_.notify_one();
  return SQLITE_OK;
}

void WalCheckpointer::Run() {
  MutexLock lock(mutex_);
  while (true) {
    while (!requested_ && !stopping_) lock.Wait(wake_);
    if (stopping_) return;
    requested_ = false;
    lock.Unlock();
    // Passive: copies what no reader still needs, waits for nobody. A
    // failure (another connection's checkpoint under way, a full disk) leaves
    // the pages in the log for the next one, or for the close.
    int log_pages = 0;
    int copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied);
    lock.Lock();
    ++checkpoints_;
    if (rc == SQLITE_OK) copied_ = copied;
  }
}

}  // namespace docpipe::store
