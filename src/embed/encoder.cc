#include "embed/encoder.h"

#include "embed/kernels.h"

namespace docpipe::embed {

float* Workspace::Get(size_t slot, size_t count) {
  if (slot >= buffers_.size()) buffers_.resize(slot + 1);
  std::vector<float>& buffer = buffers_[slot];
  if (buffer.size() < count) {
    buffer.clear();
    buffer.shrink_to_fit();
    buffer.resize(count + count / 4);  // headroom so slightly longer batches reuse it
  }
  return buffer.data();
}

std::byte* Workspace::Bytes(size_t count) {
  if (raw_.size() < count + 64) raw_.resize(count + count / 4 + 64);
  void* start = raw_.data();
  size_t space = raw_.size();
  return static_cast<std::byte*>(std::align(64, count, start, space));
}

size_t Workspace::bytes() const {
  size_t total = raw_.capacity();
  for (const auto& buffer : buffers_) total += buffer.capacity() * sizeof(float);
  return total;
}

const float* WeightBinder::Bind(std::initializer_list<std::string> names, const std::vector<int64_t>& shape) {
  if (!status_.ok()) return nullptr;
  for (const std::string& name : names) {
    if (file_.Find(prefix_ + name) == nullptr) continue;
    auto floats = file_.Floats(prefix_ + name, shape, arena_);
    if (!floats.ok()) {
      status_ = floats.status();
      return nullptr;
    }
    return *floats;
  }
  status_ = Status::NotFound("tensor " + prefix_ + *names.begin() + " " + ShapeString(shape) +
                             " not found in " + file_.file().path());
  return nullptr;
}

const float* WeightBinder::BindOptional(const std::string& name, const std::vector<int64_t>& shape) {
  if (file_.Find(prefix_ + name) == nullptr) return nullptr;
  return Bind(name, shape);
}

void SelfAttention(const AttentionArgs& a, float* scores) {
  const size_t n = a.length;
  for (size_t h = 0; h < a.heads; ++h) {
    const size_t column = h * a.head_dim;
    // scores[n, n] = scale · q_h k_hᵀ
    GemmNT(n, n, a.head_dim, a.scale, a.q + column, a.ld, a.k + column, a.ld, scores, n);
    if (a.buckets != nullptr) {
      for (size_t i = 0; i < n; ++i) {
        float* row = scores + i * n;
        const int32_t* bucket = a.buckets + a.bucket_center - i;  // bucket[j] is for j - i
        for (size_t j = 0; j < n; ++j) row[j] += a.bias[static_cast<size_t>(bucket[j]) * a.heads + h];
      }
    }
    SoftmaxRows(scores, n, n);
    // ctx_h[n, head_dim] = scores · v_h
    GemmNN(n, a.head_dim, n, scores, n, a.v + column, a.v_ld, a.ctx + column, a.ctx_ld);
  }
}

}  // namespace docpipe::embed
