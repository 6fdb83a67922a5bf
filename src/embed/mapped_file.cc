#include "embed/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace docpipe::embed {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path) {
  const int err = errno;
  std::string message = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(message));
  if (err == EACCES) return Status::PermissionDenied(std::move(message));
  return Status::IoError(std::move(message));
}

// Closes a descriptor on every path out of Open().
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
}

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  FdCloser fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) return ErrnoStatus("cannot open", path);
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) return ErrnoStatus("cannot stat", path);
  auto file = std::make_unique<MappedFile>();
  file->path_ = path;
  file->size_ = static_cast<size_t>(st.st_size);
  if (file->size_ == 0) return file;  // mmap refuses empty files; callers see size 0
  void* addr = ::mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (addr == MAP_FAILED) return ErrnoStatus("cannot map", path);
  file->data_ = static_cast<const unsigned char*>(addr);
  return file;
}

Result<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Status::NotFound("missing file " + path);
    return Status::IoError("cannot open " + path);
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read " + path);
  return buffer.str();
}

}  // namespace docpipe::embed
