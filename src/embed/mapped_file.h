// A read-only memory mapping of a whole file; the weights are used in place.
// Immutable after Open(); safe to read from any number of threads.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "docpipe/status.h"

namespace docpipe::embed {

class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path);

  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  std::string_view bytes() const { return {reinterpret_cast<const char*>(data_), size_}; }

 private:
  const unsigned char* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

// The whole file as a string, for small JSON and text files.
Result<std::string> ReadSmallFile(const std::string& path);

}  // namespace docpipe::embed
