// The PostgreSQL server of the test run (started by the pg_server ctest
// fixture, scripts/pg_test_server) and fresh databases on it, one per test.
#pragma once

#include <string>

namespace docpipe::testing {

// The server's URL (a superuser, database "postgres"), read from the file the
// fixture wrote; fails the test when it is missing.
std::string PgServerUrl();

// `url` with its database name replaced by `database`.
std::string PgUrlForDatabase(const std::string& url, const std::string& database);

// A database created for one test and dropped (with its connections) after it.
class PgTestDatabase {
 public:
  PgTestDatabase();
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string url_;
};

// Runs SQL through a separate connection; fails the test on error. Query
// returns the first column of the first row ("" when none or NULL).
void PgExec(const std::string& url, const std::string& sql);
std::string PgQuery(const std::string& url, const std::string& sql);

}  // namespace docpipe::testing
