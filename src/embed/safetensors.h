// A memory-mapped .safetensors file: an 8-byte little-endian header length, a
// JSON header naming each tensor's dtype, shape and byte range, then the raw data.
//
// F32 tensors are used in place from the mapping (zero copy); F16 and BF16
// tensors are widened to F32 once, at load, into a WeightArena the model owns.
// Immutable after Open(); safe to read from any number of threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "docpipe/status.h"
#include "embed/mapped_file.h"

namespace docpipe::embed {

struct TensorInfo {
  std::string dtype;  // "F32", "F16", "BF16", or whatever the file says
  std::vector<int64_t> shape;
  size_t begin = 0;  // byte range inside the data section
  size_t end = 0;
};

// Owns the F32 copies of tensors that were not stored as aligned F32.
class WeightArena {
 public:
  float* Allocate(size_t count);
  size_t bytes() const { return bytes_; }

 private:
  std::vector<std::unique_ptr<float[]>> blocks_;
  size_t bytes_ = 0;
};

class SafetensorsFile {
 public:
  SafetensorsFile() = default;

  static Result<std::unique_ptr<SafetensorsFile>> Open(const std::string& path);

  const TensorInfo* Find(const std::string& name) const;
  const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
  const MappedFile& file() const { return *file_; }

  // The tensor as F32 values, checking that its shape is exactly `shape`.
  // Errors name the tensor, the file and what was expected.
  Result<const float*> Floats(const std::string& name, const std::vector<int64_t>& shape,
                              WeightArena& arena) const;

  // The common prefix ("", "bert.", "0.auto_model.", ...) under which `suffix`
  // is stored, or NotFound listing nothing closer.
  Result<std::string> PrefixOf(const std::string& suffix) const;

 private:
  std::unique_ptr<MappedFile> file_;
  std::map<std::string, TensorInfo> tensors_;
  size_t data_offset_ = 0;  // where the data section starts in the file
};

// IEEE half and bfloat16 to float, exact.
float HalfToFloat(uint16_t bits);
float BFloat16ToFloat(uint16_t bits);

std::string ShapeString(const std::vector<int64_t>& shape);

}  // namespace docpipe::embed
