#include "server/vector_stage.h"


#include "core/available_cpus.h"
#include "docpipe/chunker.h"
#include <utility>

namespace docpipe::server {
namespace {

// Remote embedding requests in flight at once (each holds a request thread, not a core).
constexpr int kRemoteSlots = 16;

}  // namespace

Result<std::unique_ptr<VectorStage>> VectorStage::Make(const ServerConfig& config) {
  auto stage = std::make_unique<VectorStage>();
  if (config.embed_model.empty() && config.embed_url.empty()) return stage;
  TextEmbedderOptions options;
  options.model_folder = config.embed_model;
  Result<EmbedPrecision> precision = ParseEmbedPrecision(config.embed_precision);
  if (!precision.ok()) return precision.status().WithContext("embed-precision");
  options.precision = *precision;
  options.url = config.embed_url;
  options.remote_model = config.embed_remote_model;
  options.api_key = config.embed_api_key;
  Result<std::shared_ptr<TextEmbedder>> embedder = MakeTextEmbedder(options);
  if (!embedder.ok()) {
    return embedder.status().WithContext(config.embed_model.empty() ? "embed-url " + config.embed_url
                                                                     : "embed-model " + config.embed_model);
  }
  stage->embedder_ = std::move(embedder).value();
  stage->served_ = DescribeServedModel(stage->embedder_->Identity(), config.embed_model);
  stage->slots_ = config.embed_model.empty() ? kRemoteSlots : AvailableCpus();
  return stage;
}

template <typename Call>
Result<EmbeddingMatrix> VectorStage::InSlot(Call embed) {
  if (!embedder_) return Status::Unsupported("no embedding model is configured (start the server with --embed-model)");
  {
    MutexLock lock(mutex_);
    ++waiting_;
    while (busy_ >= slots_) lock.Wait(freed_);
    --waiting_;
    ++busy_;
  }
  Result<EmbeddingMatrix> result = embed();
  MutexLock lock(mutex_);
  --busy_;
  freed_.notify_one();
  return result;
}

Result<EmbeddingMatrix> VectorStage::Embed(const std::vector<std::string>& texts) {
  return InSlot([&] { return embedder_->Embed(texts); });
}

Result<EmbeddingMatrix> VectorStage::EmbedTokens(const std::vector<std::vector<int32_t>>& content) {
  return InSlot([&] { return embedder_->EmbedTokens(content); });
}

int64_t VectorStage::CountModelTokens(const std::vector<std::string>& texts) const {
  int64_t tokens = 0;
  for (const std::string& text : texts) {
    Result<std::vector<int32_t>> ids = Status::Unsupported("no embedder");
    if (embedder_) ids = embedder_->Tokenize(text);
    tokens += ids.ok() ? static_cast<int64_t>(ids->size()) : CountTokens(text);
  }
  return tokens;
}

int VectorStage::waiting() const {
  MutexLock lock(mutex_);
  return waiting_;
}

}  // namespace docpipe::server
