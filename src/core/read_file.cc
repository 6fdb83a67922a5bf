#include "core/read_file.h"

#include <filesystem>
#include <fstream>

namespace docpipe {

Result<std::string> ReadFileBytes(const std::string& path, int64_t max_bytes) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) return Status::IoError("cannot read " + path + ": " + error.message());
  if (max_bytes >= 0 && static_cast<int64_t>(size) > max_bytes) {
    return Status::ResourceExhausted("file of " + std::to_string(size) + " bytes is larger than the limit of " +
                                     std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path);
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

}  // namespace docpipe
