// Opening stores: creation, reopening, migrations, and refusing files that are
// not docpipe stores without changing a byte of them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "docpipe/store.h"
#include "store/sqlite_schema.h"
#include "store_test_util.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;
using testing::RawExec;
using testing::RawQuery;
using testing::ReadBytes;
using testing::TempDir;
using testing::WriteBytes;

TEST(StoreOpenTest, CreatesSchemaAndReopens) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  {
    auto store = Store::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<DocumentWrite> writes = {MakeWrite("a.pdf", "sha-a", {"first chunk"})};
    ASSERT_TRUE((*store)->PutDocuments(writes).ok());
  }
  EXPECT_EQ(RawQuery(path, "PRAGMA application_id"), std::to_string(kApplicationId));
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(RawQuery(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawQuery(path, "SELECT value FROM docpipe_meta WHERE key = 'application'"), "docpipe");

  auto reopened = Store::Open("sqlite://" + path);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto found = (*reopened)->FindByPath("a.pdf");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->sha256, "sha-a");
}

TEST(StoreOpenTest, ReaderSeesCommittedWritesAndCannotWrite) {
  TempDir dir;
  auto store = Store::Open(dir.File("store.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto reader = (*store)->OpenReader();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto before = (*reader)->FindBySha256("sha-a");
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->has_value());

  std::vector<DocumentWrite> writes = {MakeWrite("a.pdf", "sha-a", {"first chunk"})};
  ASSERT_TRUE((*store)->PutDocuments(writes).ok());
  auto after = (*reader)->FindBySha256("sha-a");
  ASSERT_TRUE(after.ok());
  ASSERT_TRUE(after->has_value());
  EXPECT_EQ((*after)->path, "a.pdf");

  std::vector<DocumentWrite> more = {MakeWrite("b.pdf", "sha-b", {"second"})};
  EXPECT_EQ((*reader)->PutDocuments(more).code(), StatusCode::kInvalidArgument);
}

TEST(StoreOpenTest, MigrationsAreIdempotent) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  for (int i = 0; i < 3; ++i) {
    auto store = Store::Open(path);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
  }
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM docpipe_meta"), "1");
}

TEST(StoreOpenTest, MigrateAppliesEachStepOnceInOrder) {
  TempDir dir;
  const std::string path = dir.File("steps.db");
  const Migration steps[] = {
      {1, "CREATE TABLE log(step INTEGER); INSERT INTO log VALUES (1);"},
      {2, "INSERT INTO log VALUES (2);"},
  };
  {
    auto db = SqliteDb::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(db.ok());
    Status first = Migrate(**db, std::span<const Migration>(steps, 1));
    ASSERT_TRUE(first.ok()) << first.ToString();
  }
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), "1");
  for (int i = 0; i < 2; ++i) {  // the second pass finds nothing to do
    auto db = SqliteDb::Open(path, SQLITE_OPEN_READWRITE);
    ASSERT_TRUE(db.ok());
    Status all = Migrate(**db, steps);
    ASSERT_TRUE(all.ok()) << all.ToString();
  }
  // A build that knows fewer steps refuses the newer database.
  auto db = SqliteDb::Open(path, SQLITE_OPEN_READWRITE);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Migrate(**db, std::span<const Migration>(steps, 1)).code(), StatusCode::kUnsupported);
  EXPECT_EQ(RawQuery(path, "SELECT group_concat(step) FROM log"), "1,2");
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), "2");
}

TEST(StoreOpenTest, FailedMigrationStepLeavesThePreviousVersion) {
  TempDir dir;
  const std::string path = dir.File("steps.db");
  const Migration steps[] = {
      {1, "CREATE TABLE log(step INTEGER);"},
      {2, "INSERT INTO log VALUES (2); INSERT INTO no_such_table VALUES (1);"},
  };
  auto db = SqliteDb::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE(Migrate(**db, steps).ok());
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), "1");
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM log"), "0");
}

TEST(StoreOpenTest, ConcurrentFirstOpensAllSucceed) {
  TempDir dir;
  const std::string path = dir.File("race.db");
  std::vector<Status> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      auto store = Store::Open(path);
      results[i] = store.status();
      if (!store.ok()) return;
      std::vector<DocumentWrite> writes = {MakeWrite("doc" + std::to_string(i), "sha" + std::to_string(i), {"t"})};
      results[i] = (*store)->PutDocuments(writes);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(RawQuery(path, "PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM documents"), "4");
}

TEST(StoreOpenTest, EmptyFileIsAdopted) {
  TempDir dir;
  const std::string path = dir.File("empty.db");
  WriteBytes(path, "");
  auto store = Store::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(RawQuery(path, "PRAGMA application_id"), std::to_string(kApplicationId));
}

TEST(StoreOpenTest, TextFileIsRefusedAndUntouched) {
  TempDir dir;
  const std::string path = dir.File("notes.txt");
  const std::string bytes = "These are my notes.\nNot a database at all.\n";
  WriteBytes(path, bytes);
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find("not a docpipe store"), std::string::npos);
  EXPECT_EQ(ReadBytes(path), bytes);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(StoreOpenTest, PdfFileIsRefusedAndUntouched) {
  TempDir dir;
  const std::string path = dir.File("paper.pdf");
  std::string bytes = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
  bytes += std::string(300, '\0');
  bytes += "%%EOF\n";
  WriteBytes(path, bytes);
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(ReadBytes(path), bytes);
}

TEST(StoreOpenTest, ForeignSqliteDatabaseIsRefusedAndUntouched) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RawExec(path, "CREATE TABLE contacts(name TEXT, phone TEXT); INSERT INTO contacts VALUES ('Ada', '123');");
  const std::string bytes = ReadBytes(path);
  ASSERT_FALSE(bytes.empty());
  for (bool read_only : {false, true}) {
    auto store = Store::Open(path, StoreOptions{.read_only = read_only});
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), StatusCode::kCorrupt);
    EXPECT_NE(store.status().message().find("another application"), std::string::npos)
        << store.status().message();
  }
  EXPECT_EQ(ReadBytes(path), bytes);
  EXPECT_EQ(RawQuery(path, "SELECT count(*) FROM sqlite_schema"), "1");
}

TEST(StoreOpenTest, DatabaseWithAnotherApplicationIdIsRefusedAndUntouched) {
  TempDir dir;
  const std::string path = dir.File("geo.gpkg");
  RawExec(path, "PRAGMA application_id = 1196444487;");  // GeoPackage's "GPKG"
  const std::string bytes = ReadBytes(path);
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(ReadBytes(path), bytes);
}

TEST(StoreOpenTest, NewerSchemaIsRefusedAndUntouched) {
  TempDir dir;
  const std::string path = dir.File("future.db");
  ASSERT_TRUE(Store::Open(path).ok());
  const int newer = LatestSchemaVersion() + 1;
  RawExec(path, "PRAGMA user_version = " + std::to_string(newer) + "; PRAGMA wal_checkpoint(TRUNCATE);");
  const std::string bytes = ReadBytes(path);
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(store.status().message().find("newer docpipe (schema " + std::to_string(newer)), std::string::npos)
      << store.status().message();
  EXPECT_EQ(ReadBytes(path), bytes);
}

TEST(StoreOpenTest, DirectoryIsInvalid) {
  TempDir dir;
  auto store = Store::Open(dir.path().string());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
}

TEST(StoreOpenTest, MissingStoreWithoutCreateIsNotFound) {
  TempDir dir;
  const std::string path = dir.File("absent.db");
  auto store = Store::Open(path, StoreOptions{.create_if_missing = false});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
  auto read_only = Store::Open(path, StoreOptions{.read_only = true});
  ASSERT_FALSE(read_only.ok());
  EXPECT_EQ(read_only.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path));
}

// A directory nobody may write to. Permission bits do not stop root, so when
// they turn out not to bite, a sysfs location (which refuses new files even
// to root) stands in.
std::string UnwritableLocation(const TempDir& dir) {
  std::filesystem::path locked = dir.path() / "locked";
  std::filesystem::create_directory(locked);
  chmod(locked.c_str(), 0555);
  std::string probe = (locked / "probe").string();
  WriteBytes(probe, "x");
  if (!std::filesystem::exists(probe)) return (locked / "store.db").string();
  std::filesystem::remove(probe);
  return "/sys/docpipe-store-test.db";
}

TEST(StoreOpenTest, UnwritableLocationIsAClearIoError) {
  TempDir dir;
  const std::string path = UnwritableLocation(dir);
  auto store = Store::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError) << store.status().ToString();
  EXPECT_NE(store.status().message().find(path), std::string::npos) << store.status().message();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(StoreOpenTest, ReadOnlyStoreReadsButRefusesWrites) {
  TempDir dir;
  const std::string path = dir.File("store.db");
  {
    auto store = Store::Open(path);
    ASSERT_TRUE(store.ok());
    std::vector<DocumentWrite> writes = {MakeWrite("a.pdf", "sha-a", {"searchable words here"})};
    ASSERT_TRUE((*store)->PutDocuments(writes).ok());
  }
  auto store = Store::Open(path, StoreOptions{.read_only = true});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto hits = (*store)->Search("searchable", {});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ(hits->size(), 1u);
  std::vector<DocumentWrite> writes = {MakeWrite("b.pdf", "sha-b", {"more"})};
  Status status = (*store)->PutDocuments(writes);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("read-only"), std::string::npos);
  EXPECT_FALSE((*store)->BeginRun("{}").ok());
}

}  // namespace
}  // namespace docpipe::store
