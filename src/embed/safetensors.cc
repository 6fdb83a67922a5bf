#include "embed/safetensors.h"

#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>

namespace docpipe::embed {
namespace {

constexpr size_t kMaxHeaderBytes = 100u << 20;  // the format's own limit

size_t ElementSize(const std::string& dtype) {
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
  return 0;
}

Result<TensorInfo> ParseTensor(const std::string& name, const nlohmann::json& entry, size_t data_size) {
  TensorInfo info;
  try {
    info.dtype = entry.at("dtype").get<std::string>();
    info.shape = entry.at("shape").get<std::vector<int64_t>>();
    const auto offsets = entry.at("data_offsets").get<std::vector<size_t>>();
    if (offsets.size() != 2) return Status::Corrupt("tensor " + name + ": data_offsets needs 2 values");
    info.begin = offsets[0];
    info.end = offsets[1];
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt("tensor " + name + ": " + e.what());
  }
  size_t count = 1;
  for (int64_t dim : info.shape) {
    if (dim < 0) return Status::Corrupt("tensor " + name + ": negative dimension");
    count *= static_cast<size_t>(dim);
  }
  const size_t element = ElementSize(info.dtype);
  if (info.begin > info.end || info.end > data_size)
    return Status::Corrupt("tensor " + name + ": byte range outside the file");
  if (element != 0 && info.end - info.begin != count * element)
    return Status::Corrupt("tensor " + name + ": byte range does not match its shape " +
                           ShapeString(info.shape));
  return info;
}

}  // namespace

float* WeightArena::Allocate(size_t count) {
  blocks_.push_back(std::make_unique<float[]>(count));
  bytes_ += count * sizeof(float);
  return blocks_.back().get();
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf / nan
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal half: renormalise
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

float BFloat16ToFloat(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

Result<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  auto st = std::make_unique<SafetensorsFile>();
  DOCPIPE_ASSIGN_OR_RETURN(st->file_, MappedFile::Open(path));
  const MappedFile& file = *st->file_;
  if (file.size() < 8) return Status::Corrupt(path + ": too short for a safetensors file");
  uint64_t header_bytes = 0;
  for (int i = 7; i >= 0; --i) header_bytes = (header_bytes << 8) | file.data()[i];
  if (header_bytes > kMaxHeaderBytes || header_bytes > file.size() - 8)
    return Status::Corrupt(path + ": safetensors header length out of range");
  st->data_offset_ = 8 + header_bytes;
  const size_t data_size = file.size() - st->data_offset_;
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(file.bytes().substr(8, header_bytes));
  } catch (const nlohmann::json::exception& e) {
    return Status::Corrupt(path + ": safetensors header is not JSON: " + e.what());
  }
  if (!header.is_object()) return Status::Corrupt(path + ": safetensors header is not an object");
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    auto info = ParseTensor(name, entry, data_size);
    if (!info.ok()) return info.status().WithContext(path);
    st->tensors_.emplace(name, std::move(info).value());
  }
  return st;
}

const TensorInfo* SafetensorsFile::Find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

Result<std::string> SafetensorsFile::PrefixOf(const std::string& suffix) const {
  for (const auto& [name, info] : tensors_) {
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return name.substr(0, name.size() - suffix.size());
  }
  return Status::NotFound("tensor " + suffix + " not found in " + file_->path());
}

Result<const float*> SafetensorsFile::Floats(const std::string& name, const std::vector<int64_t>& shape,
                                             WeightArena& arena) const {
  const TensorInfo* info = Find(name);
  if (info == nullptr) return Status::NotFound("tensor " + name + " not found in " + file_->path());
  if (info->shape != shape)
    return Status::Corrupt("tensor " + name + " in " + file_->path() + " has shape " +
                           ShapeString(info->shape) + ", expected " + ShapeString(shape));
  const unsigned char* raw = file_->data() + data_offset_ + info->begin;
  const size_t bytes = info->end - info->begin;
  if (info->dtype == "F32") {
    if (reinterpret_cast<uintptr_t>(raw) % alignof(float) == 0) return reinterpret_cast<const float*>(raw);
    float* copy = arena.Allocate(bytes / 4);  // misaligned data section: copy once
    std::memcpy(copy, raw, bytes);
    return static_cast<const float*>(copy);
  }
  if (info->dtype != "F16" && info->dtype != "BF16")
    return Status::Unsupported("tensor " + name + " in " + file_->path() + " has dtype " + info->dtype +
                               "; supported: F32, F16, BF16");
  const size_t count = bytes / 2;
  float* out = arena.Allocate(count);
  const bool half = info->dtype == "F16";
  for (size_t i = 0; i < count; ++i) {
    const uint16_t bits = static_cast<uint16_t>(raw[2 * i] | (raw[2 * i + 1] << 8));
    out[i] = half ? HalfToFloat(bits) : BFloat16ToFloat(bits);
  }
  return static_cast<const float*>(out);
}

}  // namespace docpipe::embed
