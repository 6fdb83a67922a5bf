// SHA-256 of memory and of files: the content key that makes ingest idempotent.
// Sha256 objects are single-threaded; the free functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "docpipe/status.h"

namespace docpipe {

class Sha256 {
 public:
  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  std::string HexDigest();  // finishes the hash; the object is spent afterwards

 private:
  void Transform(const uint8_t block[64]);
  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  uint64_t total_bytes_ = 0;
  size_t buffered_ = 0;
};

std::string Sha256Hex(std::string_view data);

// Hash of a file's bytes, read in large blocks.
Result<std::string> Sha256File(const std::string& path);

}  // namespace docpipe
