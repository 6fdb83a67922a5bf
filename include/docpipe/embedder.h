// The native sentence-embedding engine: a sentence-transformers model folder
// (BERT family: MiniLM, bge, e5, gte; T5 encoders: gtr-t5, sentence-t5) run
// in-process, with no Python and no external runtime.
//
// EmbeddingModel is the loaded model: weights memory-mapped from
// model.safetensors (F32 used in place; F16/BF16 widened once), the
// tokenizer, and the Pooling / Dense / Normalize head. It is immutable and
// shared by every thread through std::shared_ptr<const EmbeddingModel>.
//
// EmbeddingSession is one worker's state (token and scratch buffers reused
// across calls). A session is used by one thread at a time; make one per
// worker. BLAS runs on the calling thread, so N workers with N sessions use
// N cores: the embed stage never oversubscribes the process's thread budget.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/embed_precision.h"
#include "docpipe/embedding.h"
#include "docpipe/status.h"

namespace docpipe {

namespace embed {
class ModelState;
}

struct EmbeddingModelOptions {
  std::string folder;           // the sentence-transformers model folder
  int max_seq_length = 0;       // tokens per text; 0 keeps the folder's own limit
  int max_batch_texts = 32;     // texts per encoder call after sorting by length
  int max_batch_tokens = 8192;  // tokens per encoder call
  // The encoder's linear layers at fp32, bf16 or int8 (see embed_precision.h).
  // bf16 on a CPU without AVX-512 BF16 is an Unsupported error at load.
  EmbedPrecision precision = EmbedPrecision::kFloat32;
};

// What was loaded, for reports and `docpipe embed --info`.
struct EmbeddingModelInfo {
  std::string architecture;  // "bert" or "t5"
  std::string tokenizer;     // "wordpiece" or "sentencepiece"
  std::string pooling;       // e.g. "mean", "cls", "mean+max"
  int layers = 0;
  int hidden = 0;
  int max_seq_length = 0;
  int dense_layers = 0;
  bool normalize = false;
  size_t mapped_bytes = 0;   // size of the weight files mapped
  size_t widened_bytes = 0;  // F32 copies made of F16/BF16 tensors
  std::string precision;     // "fp32", "bf16" or "int8"
  std::string kernel;        // the GEMM behind the linear layers, e.g. "openblas-sgemm", "int8-avx512-vnni"
  size_t weight_bytes = 0;   // weights the encoder reads: packed copies and float32 tensors used in place
};

class EmbeddingModel {
 public:
  EmbeddingModel();
  ~EmbeddingModel();
  EmbeddingModel(const EmbeddingModel&) = delete;
  EmbeddingModel& operator=(const EmbeddingModel&) = delete;

  // Loads and checks the folder. A missing or unsupported file, tensor or
  // architecture is an error that names it and lists what is supported.
  static Result<std::shared_ptr<const EmbeddingModel>> Load(const EmbeddingModelOptions& options);

  const EmbeddingModelInfo& info() const;

  // Name, dimension and weights hash. The SHA-256 of the weights is computed
  // on the first call (once, thread-safe) since it reads every mapped byte.
  // A reduced precision is part of the identity: the name gains "@int8" or
  // "@bf16", the hash covers it, and the source gains "#int8" or "#bf16", so
  // its vectors are never mixed with float32 vectors of the same folder.
  const EmbedderIdentity& Identity() const;

  // The ids the model sees for `text`, special tokens included and truncated
  // to max_seq_length. Thread-safe.
  std::vector<int32_t> Tokenize(std::string_view text) const;

  // One past the largest token id of the model's vocabulary.
  int32_t vocab_size() const;

  // Batch limits from the options.
  size_t batch_texts() const { return batch_texts_; }
  size_t batch_tokens() const { return batch_tokens_; }

  const embed::ModelState& state() const { return *state_; }

 private:
  std::unique_ptr<embed::ModelState> state_;
  size_t batch_texts_ = 32;
  size_t batch_tokens_ = 8192;
};

class EmbeddingSession {
 public:
  EmbeddingSession();
  ~EmbeddingSession();
  EmbeddingSession(const EmbeddingSession&) = delete;
  EmbeddingSession& operator=(const EmbeddingSession&) = delete;

  static Result<std::unique_ptr<EmbeddingSession>> Make(std::shared_ptr<const EmbeddingModel> model);

  // One row per text, in the order given. Texts are sorted by length into
  // batches internally; a text's vector does not depend on its neighbours.
  Result<EmbeddingMatrix> Embed(const std::vector<std::string>& texts);

  // Like Embed(), for texts already tokenized: each row holds ids of the
  // model's vocabulary without special tokens, which are placed (and the row
  // truncated to max_seq_length) as for a text. An id outside
  // [0, vocab_size()) is kInvalidArgument.
  Result<EmbeddingMatrix> EmbedTokens(const std::vector<std::vector<int32_t>>& content);

  // Floating-point operations performed so far (encoder only), for GFLOP/s.
  double flops() const { return flops_; }
  // Bytes of scratch memory this session holds.
  size_t scratch_bytes() const;

  const EmbeddingModel& model() const { return *model_; }

 private:
  struct Scratch;
  // Runs the encoder and head over the first `count` id rows of the scratch.
  EmbeddingMatrix EncodeIds(size_t count);

  std::shared_ptr<const EmbeddingModel> model_;
  std::unique_ptr<Scratch> scratch_;
  double flops_ = 0;
};

// Embeds `texts` on `threads` worker threads (one session each, in a TBB
// arena of that size; 0 means one per core). Convenience for the CLI and
// benchmarks; the pipeline keeps its own sessions per worker instead.
Result<EmbeddingMatrix> EmbedInParallel(std::shared_ptr<const EmbeddingModel> model,
                                        const std::vector<std::string>& texts, int threads);

}  // namespace docpipe
