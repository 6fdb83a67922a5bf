#include "pg_test_database.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

namespace docpipe::testing {
namespace {

struct RawConn {
  explicit RawConn(const std::string& url) : conn(PQconnectdb(url.c_str())) {
    if (PQstatus(conn) != CONNECTION_OK) ADD_FAILURE() << "cannot connect: " << PQerrorMessage(conn);
    PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  }
  ~RawConn() { PQfinish(conn); }
  PGconn* conn;
};

}  // namespace

std::string PgServerUrl() {
  std::ifstream file(DOCPIPE_PG_URL_FILE);
  std::string url;
  std::getline(file, url);
  if (url.empty()) ADD_FAILURE() << "no test server URL in " << DOCPIPE_PG_URL_FILE << " (the pg_server fixture)";
  return url;
}

std::string PgUrlForDatabase(const std::string& url, const std::string& database) {
  const size_t start = url.find('/', url.find('@'));
  const size_t end = url.find('?', start);
  return url.substr(0, start + 1) + database + url.substr(end);
}

PgTestDatabase::PgTestDatabase() {
  static std::atomic<int> counter{0};
  name_ = "docpipe_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  PgExec(PgServerUrl(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  PgExec(PgServerUrl(), "CREATE DATABASE " + name_);
  url_ = PgUrlForDatabase(PgServerUrl(), name_);
}

PgTestDatabase::~PgTestDatabase() { PgExec(PgServerUrl(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }

void PgExec(const std::string& url, const std::string& sql) {
  RawConn raw(url);
  PGresult* result = PQexec(raw.conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    ADD_FAILURE() << "SQL failed: " << sql << ": " << PQresultErrorMessage(result);
  }
  PQclear(result);
}

std::string PgQuery(const std::string& url, const std::string& sql) {
  RawConn raw(url);
  PGresult* result = PQexec(raw.conn, sql.c_str());
  std::string value;
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << "query failed: " << sql << ": " << PQresultErrorMessage(result);
  } else if (PQntuples(result) > 0 && !PQgetisnull(result, 0, 0)) {
    value = PQgetvalue(result, 0, 0);
  }
  PQclear(result);
  return value;
}

}  // namespace docpipe::testing
