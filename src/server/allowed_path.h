// Server-side paths for POST /documents: a path is read only when it names a
// regular file, is not itself a symbolic link, and the file actually opened
// lies under one of the allowed directories (--allow-path). The check opens
// the file (O_NOFOLLOW) and asks the kernel where the opened file really is,
// so a symlink anywhere in the path, or one swapped in after an earlier
// check, cannot lead outside. Jobs run the check again just before reading.
//
// Thread-safety: pure functions (they read the file system).
#pragma once

#include <string>
#include <vector>

#include "docpipe/status.h"

namespace docpipe::server {

// The real path of the regular file at `path`; kPermissionDenied when it is
// outside `roots` or a symbolic link, kNotFound when there is no such file.
Result<std::string> ResolveAllowedFile(const std::string& path, const std::vector<std::string>& roots);

}  // namespace docpipe::server
