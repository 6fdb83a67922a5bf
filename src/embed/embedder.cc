// EmbeddingModel, EmbeddingSession and EmbedInParallel: the public face of
// the engine over ModelState.
#include "docpipe/embedder.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <numeric>

#include "embed/kernels.h"
#include "embed/model_state.h"

namespace docpipe {

using embed::ModelState;

EmbeddingModel::EmbeddingModel() = default;
EmbeddingModel::~EmbeddingModel() = default;

Result<std::shared_ptr<const EmbeddingModel>> EmbeddingModel::Load(const EmbeddingModelOptions& options) {
  if (options.max_batch_texts < 1 || options.max_batch_tokens < 1)
    return Status::InvalidArgument("max_batch_texts and max_batch_tokens must be positive");
  auto state = embed::LoadModelState(options);
  if (!state.ok()) return state.status();
  auto model = std::make_shared<EmbeddingModel>();
  model->state_ = std::move(state).value();
  model->batch_texts_ = static_cast<size_t>(options.max_batch_texts);
  model->batch_tokens_ = static_cast<size_t>(options.max_batch_tokens);
  return std::shared_ptr<const EmbeddingModel>(std::move(model));
}

const EmbeddingModelInfo& EmbeddingModel::info() const { return state_->info; }

const EmbedderIdentity& EmbeddingModel::Identity() const { return state_->Identity(); }

std::vector<int32_t> EmbeddingModel::Tokenize(std::string_view text) const {
  std::vector<int32_t> ids;
  embed::TokenizeText(*state_, text, ids);
  return ids;
}

int32_t EmbeddingModel::vocab_size() const { return state_->tokenizer->vocab_size(); }

// Buffers a session reuses from batch to batch.
struct EmbeddingSession::Scratch {
  std::vector<std::vector<int32_t>> ids;  // per text
  std::vector<size_t> order;              // text indices by token count
  embed::TokenBatch batch;
  embed::Workspace workspace;
  std::vector<float> states;  // [tokens, hidden]
  std::vector<float> head_a;  // [texts, widest head layer]
  std::vector<float> head_b;
};

EmbeddingSession::EmbeddingSession() = default;
EmbeddingSession::~EmbeddingSession() = default;

Result<std::unique_ptr<EmbeddingSession>> EmbeddingSession::Make(
    std::shared_ptr<const EmbeddingModel> model) {
  if (model == nullptr) return Status::InvalidArgument("EmbeddingSession needs a loaded model");
  auto session = std::make_unique<EmbeddingSession>();
  session->model_ = std::move(model);
  session->scratch_ = std::make_unique<Scratch>();
  return session;
}

size_t EmbeddingSession::scratch_bytes() const {
  const Scratch& s = *scratch_;
  return s.workspace.bytes() +
         (s.states.capacity() + s.head_a.capacity() + s.head_b.capacity()) * sizeof(float);
}

namespace {

template <typename T>
T* Grow(std::vector<T>& buffer, size_t count) {
  if (buffer.size() < count) buffer.resize(count);
  return buffer.data();
}

size_t WidestHeadLayer(const ModelState& state) {
  size_t width = static_cast<size_t>(state.spec.hidden * state.spec.pooling.Modes());
  for (const auto& dense : state.dense) width = std::max(width, dense.out);
  return width;
}

}  // namespace

Result<EmbeddingMatrix> EmbeddingSession::Embed(const std::vector<std::string>& texts) {
  Scratch& s = *scratch_;
  if (s.ids.size() < texts.size()) s.ids.resize(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) embed::TokenizeText(model_->state(), texts[i], s.ids[i]);
  return EncodeIds(texts.size());
}

Result<EmbeddingMatrix> EmbeddingSession::EmbedTokens(const std::vector<std::vector<int32_t>>& content) {
  const int32_t vocab = model_->vocab_size();
  for (size_t i = 0; i < content.size(); ++i) {
    for (int32_t id : content[i]) {
      if (id < 0 || id >= vocab)
        return Status::InvalidArgument("token id " + std::to_string(id) + " of input " + std::to_string(i) +
                                       " is outside the model's vocabulary [0, " + std::to_string(vocab) + ")");
    }
  }
  Scratch& s = *scratch_;
  if (s.ids.size() < content.size()) s.ids.resize(content.size());
  for (size_t i = 0; i < content.size(); ++i) embed::FrameTokens(model_->state(), content[i], s.ids[i]);
  return EncodeIds(content.size());
}

EmbeddingMatrix EmbeddingSession::EncodeIds(size_t count) {
  const ModelState& state = model_->state();
  Scratch& s = *scratch_;
  s.order.resize(count);
  std::iota(s.order.begin(), s.order.end(), size_t{0});
  std::stable_sort(s.order.begin(), s.order.end(),
                   [&s](size_t a, size_t b) { return s.ids[a].size() < s.ids[b].size(); });

  EmbeddingMatrix result;
  result.rows = count;
  result.dimension = state.dimension;
  result.values.resize(result.rows * result.dimension);
  const size_t hidden = state.encoder->hidden();
  const size_t pooled_width = hidden * static_cast<size_t>(state.spec.pooling.Modes());
  const size_t head_width = WidestHeadLayer(state);
  size_t next = 0;
  while (next < s.order.size()) {  // consecutive texts by length form a batch
    s.batch.Clear();
    const size_t first = next;
    while (next < s.order.size() && next - first < model_->batch_texts()) {
      const auto& ids = s.ids[s.order[next]];
      if (next > first && s.batch.tokens() + ids.size() > model_->batch_tokens()) break;
      s.batch.ids.insert(s.batch.ids.end(), ids.begin(), ids.end());
      s.batch.offsets.push_back(s.batch.ids.size());
      ++next;
    }
    float* states = Grow(s.states, s.batch.tokens() * hidden);
    state.encoder->Forward(s.batch, s.workspace, states);
    flops_ += state.encoder->Flops(s.batch);
    float* a = Grow(s.head_a, s.batch.texts() * head_width);
    float* b = Grow(s.head_b, s.batch.texts() * head_width);
    for (size_t t = 0; t < s.batch.texts(); ++t)
      embed::PoolText(state.spec.pooling, states + s.batch.offsets[t] * hidden, s.batch.Length(t), hidden,
                      a + t * pooled_width);
    const float* vectors = embed::ApplyHead(state, s.batch.texts(), a, b);
    for (size_t t = 0; t < s.batch.texts(); ++t)
      std::memcpy(result.Row(s.order[first + t]).data(), vectors + t * state.dimension,
                  state.dimension * sizeof(float));
  }
  return result;
}

Result<EmbeddingMatrix> EmbedInParallel(std::shared_ptr<const EmbeddingModel> model,
                                        const std::vector<std::string>& texts, int threads) {
  if (model == nullptr) return Status::InvalidArgument("EmbedInParallel needs a loaded model");
  const size_t dimension = model->Identity().dimension;
  EmbeddingMatrix result;
  result.rows = texts.size();
  result.dimension = dimension;
  result.values.resize(result.rows * dimension);
  // Group texts of similar size so each task's batches carry little spread.
  std::vector<size_t> order(texts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&texts](size_t a, size_t b) { return texts[a].size() < texts[b].size(); });
  const size_t chunk = std::max<size_t>(model->batch_texts(), 1);
  const size_t chunks = (texts.size() + chunk - 1) / chunk;
  tbb::enumerable_thread_specific<std::unique_ptr<EmbeddingSession>> sessions;
  std::mutex error_mutex;
  Status error;
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, chunks, [&](size_t c) {
      auto& session = sessions.local();
      if (session == nullptr) session = std::move(EmbeddingSession::Make(model)).value();
      std::vector<std::string> part;
      for (size_t i = c * chunk; i < std::min(texts.size(), (c + 1) * chunk); ++i)
        part.push_back(texts[order[i]]);
      auto vectors = session->Embed(part);
      if (!vectors.ok()) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error.ok()) error = vectors.status();
        return;
      }
      for (size_t i = 0; i < part.size(); ++i)
        std::memcpy(result.Row(order[c * chunk + i]).data(), vectors->Row(i).data(),
                    dimension * sizeof(float));
    });
  });
  if (!error.ok()) return error;
  return result;
}

}  // namespace docpipe
