// Schema 7 takes over the document jobs that servers before it kept in a table
// of their own (server_jobs, made outside the migrations, in SQLite stores
// only): same ids, states and reports, and new ids go on after them.
#include <gtest/gtest.h>

#include "docpipe/store.h"
#include "earlier_server_jobs.h"
#include "store/sqlite_schema.h"
#include "store_test_util.h"

namespace docpipe::store {
namespace {

using testing::RawExec;
using testing::RawQuery;
using testing::TempDir;

TEST(StoreJobsMigrationTest, JobsOfTheServersOwnTableMoveIntoTheStore) {
  TempDir dir;
  const std::string path = dir.File("kb.sqlite");
  {
    auto db = SqliteDb::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(Migrate(**db, DocpipeMigrations().first(6)).ok());
  }
  RawExec(path, docpipe::testing::kEarlierServerJobsTable);
  RawExec(path, R"sql(
    INSERT INTO server_jobs(id, state, source, path, report) VALUES (7, 'done', 'path', '/docs/earlier.md',
                                                                    '{"documents": {"ok": 1}}');
    INSERT INTO server_jobs(id, state, source, path) VALUES (9, 'queued', 'upload', '/up/next.pdf');
  )sql");

  auto store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM sqlite_master WHERE name = 'server_jobs'"), "0");
  auto done = (*store)->FindJob(7);
  ASSERT_TRUE(done.ok() && done->has_value()) << done.status().ToString();
  EXPECT_EQ((*done)->kind, "document");
  EXPECT_EQ((*done)->state, "done");
  EXPECT_EQ((*done)->request_json, R"({"source":"path","path":"/docs/earlier.md"})");
  EXPECT_EQ((*done)->result_json, R"({"documents": {"ok": 1}})");
  auto unfinished = (*store)->UnfinishedJobs("document");
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ((*unfinished)[0].id, 9);
  // The moved jobs take the states the old table refused.
  EXPECT_TRUE((*store)->UpdateJob(7, "cancelled", "{}", "").ok());
  auto next = (*store)->AddJob("document", R"({"source": "upload", "path": "/up/x.pdf"})");
  ASSERT_TRUE(next.ok());
  EXPECT_GT(*next, 9);
}

}  // namespace
}  // namespace docpipe::store
