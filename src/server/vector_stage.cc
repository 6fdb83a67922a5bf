#include "server/vector_stage.h"

#include <utility>

namespace docpipe::server {

Result<std::unique_ptr<VectorStage>> VectorStage::Make(const ServerConfig& config) {
  auto stage = std::make_unique<VectorStage>();
  if (!config.embed_url.empty()) {
    return Status::Unsupported("embed-url: remote embedders need a docpipe built with the text embedder");
  }
  if (config.embed_model.empty()) return stage;
  EmbeddingModelOptions options;
  options.folder = config.embed_model;
  Result<std::shared_ptr<const EmbeddingModel>> model = EmbeddingModel::Load(options);
  if (!model.ok()) return model.status().WithContext("embed-model " + config.embed_model);
  stage->model_ = std::move(model).value();
  stage->source_ = config.embed_model;
  stage->identity_ = stage->model_->Identity();  // hashes the weights now, not on the first request
  stage->identity_.source = config.embed_model;
  return stage;
}

Result<EmbeddingMatrix> VectorStage::Embed(const std::vector<std::string>& texts) {
  if (!model_) return Status::Unsupported("no embedding model is configured (start the server with --embed-model)");
  std::unique_ptr<EmbeddingSession> session;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      session = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!session) {
    DOCPIPE_ASSIGN_OR_RETURN(session, EmbeddingSession::Make(model_));
  }
  Result<EmbeddingMatrix> result = session->Embed(texts);
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(session));
  return result;
}

size_t VectorStage::CountTokens(const std::string& text) const {
  return model_ ? model_->Tokenize(text).size() : 0;
}

}  // namespace docpipe::server
