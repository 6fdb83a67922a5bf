// How the docpipe executable sets SQLite up for the whole process.
//
// SQLite keeps memory statistics by default (sqlite3_memory_used, the soft
// heap limit), and to keep them exact every allocation and free inside SQLite
// takes a global mutex: 5-8% of the CPU of a store write with tag and entity
// rows (bench/store --enrichment). docpipe reads none of those statistics.
//
// A process-wide choice that belongs to the program, not to a library:
// sqlite3_config takes effect only before SQLite is first used, and only when
// no other thread uses SQLite meanwhile, so the executable calls this first
// thing in main(). Later calls, and calls after SQLite started, change nothing.
#pragma once

namespace docpipe::store {

void SkipSqliteMemoryStatistics();

}  // namespace docpipe::store
