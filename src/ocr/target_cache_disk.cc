// The on-disk layer of TargetCache. An entry file is a 128-byte header followed
// by the four float32 planes:
//   magic "DPDBTGT1" | u32 format | u32 height | u32 width | u32 planes |
//   u64 payload bytes | 64-byte hex key | zero padding
// The payload starts at byte 128, so the mapped planes are 64-byte aligned.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "ocr/target_cache_parts.h"

namespace docpipe::ocr {
namespace {

constexpr char kMagic[8] = {'D', 'P', 'D', 'B', 'T', 'G', 'T', '1'};
constexpr uint32_t kFormat = 1;
constexpr size_t kHeaderBytes = 128;
constexpr size_t kKeyChars = 64;

struct Header {
  char magic[8];
  uint32_t format;
  uint32_t height;
  uint32_t width;
  uint32_t planes;
  uint64_t payload_bytes;
  char key[kKeyChars];
  char padding[kHeaderBytes - 8 - 16 - 8 - kKeyChars];
};
static_assert(sizeof(Header) == kHeaderBytes);

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// A read-only file mapping, unmapped when the last DbTargetMaps view lets go.
class Mapping {
 public:
  Mapping(void* base, size_t size) : base_(base), size_(size) {}
  ~Mapping() { ::munmap(base_, size_); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const char* data() const { return static_cast<const char*>(base_); }

 private:
  void* base_;
  size_t size_;
};

Status MakeDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return Status::Ok();
  return Status::IoError(Errno("cannot create", path));
}

Status WriteAll(int fd, const void* data, size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IoError(Errno("cannot write", path));
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

bool ValidKey(const std::string& key) {
  if (key.size() != kKeyChars) return false;
  for (char c : key) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<TargetCache::Disk>> TargetCache::Disk::Make(const std::string& directory, bool durable) {
  if (directory.empty()) return Status::InvalidArgument("cache directory is empty");
  DOCPIPE_RETURN_IF_ERROR(MakeDirectory(directory));
  const std::string root = directory + "/db-targets-v1";
  DOCPIPE_RETURN_IF_ERROR(MakeDirectory(root));
  DOCPIPE_RETURN_IF_ERROR(MakeDirectory(root + "/tmp"));
  std::unique_ptr<Disk> disk(new Disk(root, durable));
  disk->RemoveStaleTemporaries();
  return disk;
}

std::string TargetCache::Disk::EntryPath(const std::string& key) const {
  return root_ + "/" + key.substr(0, 2) + "/" + key + ".dbt";
}

// Temporary names are "<key>.<pid>.<n>.tmp"; a file whose writer process is gone
// is what a killed writer leaves behind.
void TargetCache::Disk::RemoveStaleTemporaries() const {
  const std::string dir = root_ + "/tmp";
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return;
  while (const dirent* entry = ::readdir(handle)) {
    const std::string name = entry->d_name;
    const size_t first_dot = name.find('.');
    if (first_dot == std::string::npos || name.size() < 4 || name.substr(name.size() - 4) != ".tmp") continue;
    const long pid = std::strtol(name.c_str() + first_dot + 1, nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      ::unlink((dir + "/" + name).c_str());
    }
  }
  ::closedir(handle);
}

Result<std::optional<DbTargetMaps>> TargetCache::Disk::Read(const std::string& key) const {
  if (!ValidKey(key)) return Status::InvalidArgument("malformed cache key '" + key + "'");
  const std::string path = EntryPath(key);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<DbTargetMaps>();
    return Status::IoError(Errno("cannot open", path));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Status::IoError(Errno("cannot stat", path));
  const auto size = static_cast<size_t>(st.st_size);
  if (size < kHeaderBytes) return std::optional<DbTargetMaps>();
  // MAP_POPULATE maps the whole entry at once: readers use every page, and one call
  // is far cheaper than a page fault per 4 KiB.
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd.get(), 0);
  if (base == MAP_FAILED) return Status::IoError(Errno("cannot map", path));
  auto mapping = std::make_shared<Mapping>(base, size);
  Header header;
  std::memcpy(&header, mapping->data(), sizeof(header));
  const uint64_t plane = uint64_t{header.height} * header.width;
  const bool valid = std::memcmp(header.magic, kMagic, sizeof(kMagic)) == 0 && header.format == kFormat &&
                     header.planes == kDbPlaneCount && header.height >= 1 && header.width >= 1 &&
                     header.payload_bytes == plane * kDbPlaneCount * sizeof(float) &&
                     size == kHeaderBytes + header.payload_bytes &&
                     std::memcmp(header.key, key.data(), kKeyChars) == 0;
  if (!valid) return std::optional<DbTargetMaps>();
  const auto* planes = reinterpret_cast<const float*>(mapping->data() + kHeaderBytes);
  return std::optional<DbTargetMaps>(DbTargetMaps::View(static_cast<int>(header.height),
                                                        static_cast<int>(header.width), mapping, planes));
}

Status TargetCache::Disk::Write(const std::string& key, const DbTargetMaps& maps) const {
  if (!ValidKey(key)) return Status::InvalidArgument("malformed cache key '" + key + "'");
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = root_ + "/tmp/" + key + "." + std::to_string(::getpid()) + "." +
                          std::to_string(counter.fetch_add(1)) + ".tmp";
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.format = kFormat;
  header.height = static_cast<uint32_t>(maps.height());
  header.width = static_cast<uint32_t>(maps.width());
  header.planes = kDbPlaneCount;
  header.payload_bytes = maps.byte_size();
  std::memcpy(header.key, key.data(), kKeyChars);
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) return Status::IoError(Errno("cannot create", tmp));
    Status status = WriteAll(fd.get(), &header, sizeof(header), tmp);
    if (status.ok()) status = WriteAll(fd.get(), maps.data(), maps.byte_size(), tmp);
    if (status.ok() && durable_ && ::fsync(fd.get()) != 0) status = Status::IoError(Errno("cannot sync", tmp));
    if (status.ok() && ::close(fd.release()) != 0) status = Status::IoError(Errno("cannot close", tmp));
    if (!status.ok()) {
      ::unlink(tmp.c_str());
      return status;
    }
  }
  Status status = MakeDirectory(root_ + "/" + key.substr(0, 2));
  const std::string path = EntryPath(key);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) status = Status::IoError(Errno("cannot publish", path));
  if (!status.ok()) ::unlink(tmp.c_str());
  return status;
}

}  // namespace docpipe::ocr
