// Checkpoints of a WAL store's writer, on a thread and connection of their own.
//
// In WAL mode a commit only appends pages to the -wal file; a checkpoint
// copies them back into the database file and syncs it. By default SQLite
// runs one inside the commit that takes the log past 1,000 pages, on the
// writer's thread: a store write of 8,000 chunks with tags and entities
// (bench/store --enrichment) spent a quarter of its wall time there, most of
// it waiting for the sync, and in an ingest that time is on the store
// writer's thread, whose work nothing else can take over. The checkpointer
// replaces those automatic checkpoints with passive ones (they never block
// the writer or readers) run by its own thread when a commit reports the log
// past the same size; the writer goes on meanwhile.
//
// Closing the writer's connection still runs the last checkpoint, as before.
//
// Thread-safety: made and destroyed on the writer's thread; the hook it
// installs runs there too (inside commits) and starts the checkpointer's
// thread when the first checkpoint is due; the rest is that thread's.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <thread>

#include "core/mutex.h"
#include "docpipe/status.h"
#include "store/sqlite_db.h"

namespace docpipe::store {

class WalCheckpointer {
 public:
  // The log size, in pages, past which a checkpoint is asked for: SQLite's
  // own automatic threshold.
  static constexpr int kCheckpointPages = 1000;

  // Takes over the checkpoints of `writer`, a connection in WAL mode to a
  // database file, which must outlive the checkpointer.
  static Result<std::unique_ptr<WalCheckpointer>> Start(SqliteDb& writer);

  // Stops the thread (a checkpoint under way finishes) and gives the
  // writer's checkpoints back to SQLite.
  ~WalCheckpointer();

  WalCheckpointer(std::unique_ptr<SqliteDb> db, sqlite3* writer) : db_(std::move(db)), writer_(writer) {}
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints run by the thread so far (for tests).
  int checkpoints() const;

 private:
  static int OnCommit(void* self, sqlite3* writer, const char* database, int log_pages);
  void Run();

  std::unique_ptr<SqliteDb> db_;  // the checkpointer's own connection
  sqlite3* writer_;
  mutable Mutex mutex_;
  std::condition_variable wake_;
  bool requested_ DOCPIPE_GUARDED_BY(mutex_) = false;
  bool stopping_ DOCPIPE_GUARDED_BY(mutex_) = false;
  int checkpoints_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  int copied_ DOCPIPE_GUARDED_BY(mutex_) = 0;  // log pages the last checkpoint had copied
  std::thread thread_;  // the writer's thread starts and joins it
};

}  // namespace docpipe::store
