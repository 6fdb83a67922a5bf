// Reading a whole file into memory, bounded. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "docpipe/status.h"

namespace docpipe {

// The file's bytes; kResourceExhausted, before reading, when the file holds
// more than `max_bytes` (negative: no limit), kIoError when it cannot be read.
Result<std::string> ReadFileBytes(const std::string& path, int64_t max_bytes = -1);

}  // namespace docpipe
