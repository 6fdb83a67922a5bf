#include "store/sqlite_process_policy.h"

#include <sqlite3.h>

namespace docpipe::store {

void SkipSqliteMemoryStatistics() {
  // SQLITE_MISUSE once SQLite is initialised: then the default stays.
  (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

}  // namespace docpipe::store
