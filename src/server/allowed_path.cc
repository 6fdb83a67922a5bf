#include "server/allowed_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace docpipe::server {
namespace {

namespace fs = std::filesystem;

bool Under(const fs::path& real, const std::vector<std::string>& roots) {
  for (const std::string& root : roots) {
    std::error_code error;
    fs::path base = fs::canonical(root, error);
    if (error) continue;
    auto [end, _] = std::mismatch(base.begin(), base.end(), real.begin(), real.end());
    if (end == base.end()) return true;
  }
  return false;
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

Result<std::string> ResolveAllowedFile(const std::string& path, const std::vector<std::string>& roots) {
  const Status outside = Status::PermissionDenied("path: " + path + " is outside the allowed directories");
  // The path as written first, so "../" tricks are named for what they are.
  std::error_code error;
  if (!Under(fs::weakly_canonical(path, error), roots) || error) return outside;
  Fd file{open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) {
    if (errno == ELOOP) return Status::PermissionDenied("path: " + path + " is a symbolic link");
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound("path: no file at " + path);
    return Status::PermissionDenied("path: cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat info {};
  if (fstat(file.fd, &info) != 0 || !S_ISREG(info.st_mode)) return Status::NotFound("path: no file at " + path);
  fs::path real = fs::read_symlink("/proc/self/fd/" + std::to_string(file.fd), error);
  if (error) return outside;
  if (!Under(real, roots)) return outside;
  return real.string();
}

}  // namespace docpipe::server
