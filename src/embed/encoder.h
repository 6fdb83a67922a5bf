// The transformer encoders behind an embedding model, over packed batches.
//
// A TokenBatch packs the ids of several texts back to back with no padding:
// the per-token layers (projections, feed-forward, norms) run as single GEMMs
// over all tokens, and attention runs per text over its true length, so a
// text's result does not depend on what it is batched with.
// Encoders are immutable (weights are borrowed from the model) and shared by
// threads; each thread passes its own Workspace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "docpipe/status.h"
#include "embed/safetensors.h"

namespace docpipe::embed {

struct TokenBatch {
  std::vector<int32_t> ids;        // every text's ids, back to back
  std::vector<size_t> offsets{0};  // text i is ids[offsets[i], offsets[i + 1])

  size_t texts() const { return offsets.size() - 1; }
  size_t tokens() const { return ids.size(); }
  size_t Length(size_t i) const { return offsets[i + 1] - offsets[i]; }
  void Clear() {
    ids.clear();
    offsets.assign(1, 0);
  }
};

// Scratch buffers that only grow, so steady-state batches never allocate.
// Pointers from Get() stay valid until Get() is called again for that slot.
class Workspace {
 public:
  float* Get(size_t slot, size_t count);
  // Raw storage for one linear layer's quantised activations, 64-byte aligned.
  std::byte* Bytes(size_t count);
  size_t bytes() const;

 private:
  std::vector<std::vector<float>> buffers_;
  std::vector<std::byte> raw_;
};

class Encoder {
 public:
  virtual ~Encoder() = default;

  // Width of the token states Forward() writes.
  virtual size_t hidden() const = 0;

  // Final token states, [batch.tokens(), hidden()] row-major, into `out`.
  virtual void Forward(const TokenBatch& batch, Workspace& workspace, float* out) const = 0;

  // Multiply-adds ×2 that Forward() performs for `batch`, for GFLOP/s figures.
  virtual double Flops(const TokenBatch& batch) const = 0;

  // Bytes of weights Forward() reads: packed copies, plus the float32
  // tensors (tables, norms, biases) used in place.
  virtual size_t weight_bytes() const = 0;
};

// Binds named tensors under a prefix, remembering the first failure so a
// whole architecture's table can be bound before checking once.
class WeightBinder {
 public:
  WeightBinder(const SafetensorsFile& file, std::string prefix, WeightArena& arena)
      : file_(file), prefix_(std::move(prefix)), arena_(arena) {}

  // Binds the first of `names` (alternative spellings) present in the file.
  const float* Bind(std::initializer_list<std::string> names, const std::vector<int64_t>& shape);
  const float* Bind(const std::string& name, const std::vector<int64_t>& shape) {
    return Bind({name}, shape);
  }
  // Like Bind, but null without an error when no spelling is present.
  const float* BindOptional(const std::string& name, const std::vector<int64_t>& shape);

  const Status& status() const { return status_; }

 private:
  const SafetensorsFile& file_;
  std::string prefix_;
  WeightArena& arena_;
  Status status_;
};

// Multi-head self-attention of one text of `length` tokens. q/k/v rows are
// `ld` floats apart with head h at columns [h·head_dim, (h+1)·head_dim);
// ctx gets the same layout with rows `ctx_ld` floats apart. `scores` holds length² floats. When `buckets` is
// set (T5), scores[i][j] gains bias[buckets[j - i + bucket_center] · heads + h].
struct AttentionArgs {
  const float* q = nullptr;
  const float* k = nullptr;
  const float* v = nullptr;
  float* ctx = nullptr;
  size_t ld = 0;    // floats between rows of q and k
  size_t v_ld = 0;  // of v
  size_t ctx_ld = 0;
  size_t length = 0;
  size_t heads = 0;
  size_t head_dim = 0;
  float scale = 1.0f;
  const int32_t* buckets = nullptr;
  size_t bucket_center = 0;
  const float* bias = nullptr;
};
void SelfAttention(const AttentionArgs& args, float* scores);

}  // namespace docpipe::embed
