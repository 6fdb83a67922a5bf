// What only the PostgreSQL backend does: its versioned schema and the
// databases it refuses, concurrent writers, a connection cut mid-batch, and
// servers that refuse the password, answer nothing, or are not there.
#include "store/pg_store.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "../store_test_util.h"
#include "docpipe/store.h"
#include "pg_test_database.h"
#include "store/pg_schema.h"
#include "store/pg_store.h"

namespace docpipe::store {
namespace {

using ::docpipe::testing::PgExec;
using ::docpipe::testing::PgQuery;
using ::docpipe::testing::PgTestDatabase;
using testing::MakeWrite;

std::unique_ptr<PgStore> OpenPg(const std::string& url, StoreOptions options = {}) {
  auto store = PgStore::Make(url, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(PgStoreTest, SchemaIsVersionedAndReopeningChangesNothing) {
  PgTestDatabase db;
  ASSERT_NE(OpenPg(db.url()), nullptr);
  EXPECT_EQ(PgQuery(db.url(), "SELECT version FROM schema_version"), std::to_string(PgLatestSchemaVersion()));
  EXPECT_EQ(PgQuery(db.url(), "SELECT value FROM docpipe_meta WHERE key = 'application'"), "docpipe");
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM pg_indexes WHERE indexname = 'chunks_tsv'"), "1");
  ASSERT_NE(OpenPg(db.url()), nullptr);
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM schema_version"), "1");
}

// Documents stored before streamed writes existed are complete, and found.
TEST(PgStoreTest, VersionThreeDatabaseGainsDocumentState) {
  PgTestDatabase db;
  {
    auto conn = PgConn::Connect(db.url(), 10);
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    ASSERT_TRUE(PgMigrate(**conn, PgMigrations().first(3)).ok());
  }
  PgExec(db.url(),
         "INSERT INTO documents(path, sha256, kind, status, created_at, updated_at) "
         "VALUES ('old.md', 'sha-old', 'text', 'ok', now(), now())");
  auto store = OpenPg(db.url());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(PgQuery(db.url(), "SELECT max(version) FROM schema_version"),
            std::to_string(PgLatestSchemaVersion()));
  auto old = store->FindBySha256("sha-old");
  ASSERT_TRUE(old.ok() && old->has_value()) << old.status().ToString();
  EXPECT_EQ((*old)->state, DocumentState::kComplete);
  EXPECT_EQ(store->Counts()->documents, 1);
}

TEST(PgStoreTest, ConcurrentFirstOpensAllSucceed) {
  PgTestDatabase db;
  std::vector<std::thread> threads;
  std::vector<Status> results(4);
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = Store::Open(db.url()).status(); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(PgQuery(db.url(), "SELECT version FROM schema_version"), std::to_string(PgLatestSchemaVersion()));
}

TEST(PgStoreTest, NewerSchemaIsRefusedAndUntouched) {
  PgTestDatabase db;
  {
    auto store = OpenPg(db.url());
    std::vector<DocumentWrite> writes = {MakeWrite("a.pdf", "a", {"text"})};
    ASSERT_TRUE(store->PutDocuments(writes).ok());
  }
  PgExec(db.url(), "UPDATE schema_version SET version = 99");
  auto store = Store::Open(db.url());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnsupported) << store.status().ToString();
  EXPECT_NE(store.status().message().find("newer docpipe"), std::string::npos);
  EXPECT_EQ(PgQuery(db.url(), "SELECT version FROM schema_version"), "99");
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents"), "1");
}

// A document deleted by any client, not only through the store, takes its
// chunks and their tag, entity and vector rows with it.
TEST(PgStoreTest, DeletingDocumentsFromAnyClientRemovesTheirChunksAndRows) {
  PgTestDatabase db;
  {
    auto store = OpenPg(db.url());
    std::vector<DocumentWrite> writes = {MakeWrite("a.pdf", "a", {"one", "two"}),
                                         MakeWrite("b.pdf", "b", {"three"})};
    ASSERT_TRUE(store->PutDocuments(writes).ok());
  }
  PgExec(db.url(),
         "INSERT INTO embedders(key, name, dimension, weights_hash, normalized) VALUES ('k', 'm', 1, 'h', true);"
         "INSERT INTO chunk_tags(chunk_id, axis, label, confidence, source, producer) "
         "  SELECT id, 'domain', 'x', 1, 'llm', 'p' FROM chunks;"
         "INSERT INTO chunk_entities(chunk_id, type, text, start, \"end\", confidence, source) "
         "  SELECT id, 'person', 'x', 0, 1, 1, 'llm' FROM chunks;"
         "INSERT INTO chunk_vectors(chunk_id, embedder_id, vector) "
         "  SELECT c.id, e.id, '\\x0000803f' FROM chunks c, embedders e;");
  PgExec(db.url(), "DELETE FROM documents WHERE path = 'a.pdf'");
  const std::string b_chunks = "(SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id)";
  EXPECT_EQ(PgQuery(db.url(), "SELECT string_agg(text, ',') FROM chunks"), "three");
  for (const char* table : {"chunk_tags", "chunk_entities", "chunk_vectors"}) {
    EXPECT_EQ(PgQuery(db.url(), fmt::format("SELECT count(*) FROM {} WHERE chunk_id IN {}", table, b_chunks)), "1")
        << table;
    EXPECT_EQ(PgQuery(db.url(), fmt::format("SELECT count(*) FROM {}", table)), "1") << table;
  }
  PgExec(db.url(), "DELETE FROM chunks");
  for (const char* table : {"chunk_tags", "chunk_entities", "chunk_vectors"}) {
    EXPECT_EQ(PgQuery(db.url(), fmt::format("SELECT count(*) FROM {}", table)), "0") << table;
  }
}

// PostgreSQL text cannot hold invalid UTF-8, so these two paths are stored
// as one: the later write replaces the earlier, as for any repeated path.
TEST(PgStoreTest, PathsEqualOnceStoredReplaceEachOtherInOneBatch) {
  PgTestDatabase db;
  auto store = OpenPg(db.url());
  std::vector<DocumentWrite> writes = {MakeWrite(std::string("x\xff.md"), "one", {"first"}),
                                       MakeWrite(std::string("x\xfe.md"), "two", {"second"})};
  Status status = store->PutDocuments(writes);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents"), "1");
  EXPECT_EQ(PgQuery(db.url(), "SELECT sha256 FROM documents"), "two");
  EXPECT_EQ(PgQuery(db.url(), "SELECT string_agg(text, ',') FROM chunks"), "second");
}

TEST(PgStoreTest, ExecEachReturnsEveryResultInOrderAcrossGroups) {
  PgTestDatabase db;
  auto conn = PgConn::Connect(db.url(), 10);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  std::vector<PgParams> each;
  for (int i = 0; i < 600; ++i) each.push_back({std::to_string(i)});
  std::vector<PgRows> rows;
  Status status = (*conn)->ExecEach("SELECT $1::int * 2", each, "doubling", rows);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(rows.size(), 600u);
  for (int i = 0; i < 600; ++i) ASSERT_EQ(rows[static_cast<size_t>(i)].Int(0, 0), 2 * i);
}

TEST(PgStoreTest, ExecEachStopsAtTheFailedStatementAndTheConnectionStaysUsable) {
  PgTestDatabase db;
  auto conn = PgConn::Connect(db.url(), 10);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  PgExec(db.url(), "CREATE TABLE seen(v int)");
  ASSERT_TRUE((*conn)->Exec("BEGIN").ok());
  std::vector<PgParams> each;
  for (int i : {4, 2, 0, 1}) each.push_back({std::to_string(i)});
  std::vector<PgRows> rows;
  Status status = (*conn)->ExecEach("INSERT INTO seen VALUES (8 / $1::int) RETURNING v", each, "dividing", rows);
  EXPECT_EQ(rows.size(), 2u) << "the third statement failed";
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("dividing"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("division by zero"), std::string::npos) << status.ToString();
  ASSERT_TRUE((*conn)->Exec("ROLLBACK").ok());
  auto count = (*conn)->Exec("SELECT count(*) FROM seen");
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(count->Int(0, 0), 0);
}

TEST(PgStoreTest, ForeignDocumentsTableIsRefusedAndUntouched) {
  PgTestDatabase db;
  PgExec(db.url(), "CREATE TABLE documents(title text); INSERT INTO documents VALUES ('theirs')");
  auto store = Store::Open(db.url());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorrupt) << store.status().ToString();
  EXPECT_EQ(PgQuery(db.url(), "SELECT to_regclass('schema_version') IS NULL"), "t");
  EXPECT_EQ(PgQuery(db.url(), "SELECT title FROM documents"), "theirs");
}

TEST(PgStoreTest, EmptyDatabaseIsNotFoundForReadersAndWithoutCreate) {
  PgTestDatabase db;
  EXPECT_EQ(Store::Open(db.url(), StoreOptions{.read_only = true}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Store::Open(db.url(), StoreOptions{.create_if_missing = false}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(PgQuery(db.url(), "SELECT to_regclass('schema_version') IS NULL"), "t");
}

TEST(PgStoreTest, ConnectionCutBeforeCommitIsRetriedAndEndsAllIn) {
  PgTestDatabase db;
  auto store = OpenPg(db.url());
  std::vector<DocumentWrite> writes;
  for (int i = 0; i < 5; ++i) {
    writes.push_back(MakeWrite("doc" + std::to_string(i) + ".pdf", "sha" + std::to_string(i), {"one", "two", "3"}));
  }
  int cuts = 0;
  const std::string admin = db.url();
  store->SetBeforeCommitForTesting([&](int pid) {
    if (cuts++ > 0) return;
    // Another connection ends this one's server process, as a restart or a network cut would.
    EXPECT_EQ(PgQuery(admin, "SELECT pg_terminate_backend(" + std::to_string(pid) + ")"), "t");
  });
  Status status = store->PutDocuments(writes);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(store->last_write_attempts(), 2);
  EXPECT_EQ(cuts, 2);
  for (const DocumentWrite& write : writes) EXPECT_GT(write.record.id, 0);
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents"), "5");
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM chunks"), "15");
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(DISTINCT path) FROM documents"), "5");
}

TEST(PgStoreTest, ConnectionCutOnEveryAttemptLeavesNothingAndTheStoreRecovers) {
  PgTestDatabase db;
  auto store = OpenPg(db.url());
  const std::string admin = db.url();
  store->SetBeforeCommitForTesting(
      [&](int pid) { PgExec(admin, "SELECT pg_terminate_backend(" + std::to_string(pid) + ")"); });
  std::vector<DocumentWrite> writes = {MakeWrite("a.pdf", "a", {"alpha"}), MakeWrite("b.pdf", "b", {"beta"})};
  Status status = store->PutDocuments(writes);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_EQ(store->last_write_attempts(), 3);
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents"), "0");
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM chunks"), "0");

  store->SetBeforeCommitForTesting(nullptr);
  ASSERT_TRUE(store->PutDocuments(writes).ok());
  EXPECT_EQ(store->last_write_attempts(), 1);
  EXPECT_EQ(store->Counts()->documents, 2);
}

TEST(PgStoreTest, ConcurrentWritersOfTheSameDocumentsLeaveOneCopyOfEach) {
  PgTestDatabase db;
  ASSERT_NE(OpenPg(db.url()), nullptr);
  constexpr int kWriters = 4, kDocuments = 24, kBatch = 6;
  std::vector<std::thread> threads;
  std::vector<Status> results(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto store = Store::Open(db.url());
      if (!store.ok()) {
        results[w] = store.status();
        return;
      }
      // Each writer goes through the documents from a different starting point.
      for (int start = 0; start < kDocuments; start += kBatch) {
        std::vector<DocumentWrite> writes;
        for (int i = 0; i < kBatch; ++i) {
          const int d = (start + i + w * 5) % kDocuments;
          writes.push_back(MakeWrite("shared/" + std::to_string(d) + ".pdf", "sha-" + std::to_string(d),
                                     {"first chunk of " + std::to_string(d), "second chunk"}));
        }
        Status status = (*store)->PutDocuments(writes);
        if (!status.ok()) {
          results[w] = status;
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : results) EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents"), std::to_string(kDocuments));
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM chunks"), std::to_string(2 * kDocuments));
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM (SELECT document_id FROM chunks GROUP BY document_id "
                              "HAVING count(*) <> 2) AS odd"),
            "0");
}

TEST(PgStoreTest, WriterWaitsForAnotherWriterUpToTheLockTimeout) {
  PgTestDatabase db;
  auto impatient = OpenPg(db.url(), StoreOptions{.lock_timeout_ms = 100});
  auto patient = OpenPg(db.url());
  // A raw connection holds the documents table, as another writer's long transaction would.
  PGconn* raw = PQconnectdb(db.url().c_str());
  ASSERT_EQ(PQstatus(raw), CONNECTION_OK);
  PQclear(PQexec(raw, "BEGIN; LOCK TABLE documents IN EXCLUSIVE MODE"));

  std::vector<DocumentWrite> first = {MakeWrite("x.pdf", "x", {"x"})};
  Status status = impatient->PutDocuments(first);
  EXPECT_EQ(status.code(), StatusCode::kTimeout) << status.ToString();
  EXPECT_EQ(impatient->last_write_attempts(), 1) << "a lock wait is not retried";

  std::thread release([raw] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    PQclear(PQexec(raw, "COMMIT"));
  });
  std::vector<DocumentWrite> second = {MakeWrite("y.pdf", "y", {"y"})};
  Status waited = patient->PutDocuments(second);  // waits up to the default lock timeout
  release.join();
  PQfinish(raw);
  EXPECT_TRUE(waited.ok()) << waited.ToString();
  EXPECT_EQ(PgQuery(db.url(), "SELECT count(*) FROM documents"), "1");
}

TEST(PgStoreTest, WrongPasswordIsPermissionDeniedWithoutShowingIt) {
  const std::string url = ::docpipe::testing::PgServerUrl();
  const size_t colon = url.find(':', url.find("://") + 3);
  const std::string wrong = url.substr(0, colon + 1) + "not-the-password" + url.substr(url.find('@'));
  auto store = Store::Open(wrong);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kPermissionDenied) << store.status().ToString();
  EXPECT_NE(store.status().message().find("password authentication failed"), std::string::npos);
  EXPECT_EQ(store.status().message().find("not-the-password"), std::string::npos) << store.status().message();
}

// A TCP port on the loopback that accepts connections (the kernel completes
// them into the backlog) but never says a word, like a hung server.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 8);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(PgStoreTest, ServerThatNeverAnswersIsUnavailableAfterTheConnectTimeout) {
  SilentServer silent;
  const std::string url =
      "postgresql://docpipe:secret@127.0.0.1:" + std::to_string(silent.port()) + "/kb?connect_timeout=1";
  auto store = Store::Open(url);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
  EXPECT_NE(store.status().message().find("did not answer"), std::string::npos) << store.status().message();
  EXPECT_EQ(store.status().message().find("secret"), std::string::npos) << store.status().message();
}

TEST(PgStoreTest, NothingListeningIsUnavailable) {
  SilentServer closed;
  const int port = closed.port();
  closed.Close();
  auto store = Store::Open("postgresql://docpipe@127.0.0.1:" + std::to_string(port) + "/kb");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
  EXPECT_NE(store.status().message().find("cannot connect"), std::string::npos) << store.status().message();
}

TEST(PgStoreTest, MissingDatabaseIsNotFound) {
  auto store = Store::Open(::docpipe::testing::PgUrlForDatabase(::docpipe::testing::PgServerUrl(), "no_such_db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound) << store.status().ToString();
}

}  // namespace
}  // namespace docpipe::store
