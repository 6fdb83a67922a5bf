// Store::Open: picks the backend from the location's scheme.
#include <string_view>

#include "core/redact.h"
#include "docpipe/store.h"
#include "store/pg_conn.h"
#include "store/pg_store.h"
#include "store/sqlite_store.h"

namespace docpipe {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool IsPostgres(std::string_view location) {
  return StartsWith(location, "postgresql://") || StartsWith(location, "postgres://");
}

}  // namespace

std::string Store::DisplayLocation(const std::string& location) {
  return RedactCredentials(location);
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& location, const StoreOptions& options) {
  if (IsPostgres(location)) {
    DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<store::PgStore> store, store::PgStore::Make(location, options));
    return std::unique_ptr<Store>(std::move(store));
  }
  std::string path = location;
  constexpr std::string_view kSqliteScheme = "sqlite://";
  if (StartsWith(location, kSqliteScheme)) path = location.substr(kSqliteScheme.size());
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteStore> store, store::SqliteStore::Make(path, options));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace docpipe
