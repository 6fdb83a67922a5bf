// The native engine behind the TextEmbedder interface: one shared model, and a
// pool of sessions so that concurrent callers each get scratch buffers of
// their own without making new ones for every call.

#include "core/mutex.h"
#include "docpipe/embedder.h"
#include "embed/text_embedders.h"

namespace docpipe::embed {
namespace {

class NativeTextEmbedder final : public TextEmbedder {
 public:
  explicit NativeTextEmbedder(std::shared_ptr<const EmbeddingModel> model) : model_(std::move(model)) {}

  const EmbedderIdentity& Identity() const override { return model_->Identity(); }

  Result<EmbeddingMatrix> Embed(const std::vector<std::string>& texts) override {
    DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<EmbeddingSession> session, Borrow());
    Result<EmbeddingMatrix> vectors = session->Embed(texts);
    Return(std::move(session));
    return vectors;
  }

  Result<std::vector<int32_t>> Tokenize(const std::string& text) const override { return model_->Tokenize(text); }

  Result<EmbeddingMatrix> EmbedTokens(const std::vector<std::vector<int32_t>>& content) override {
    DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<EmbeddingSession> session, Borrow());
    Result<EmbeddingMatrix> vectors = session->EmbedTokens(content);
    Return(std::move(session));
    return vectors;
  }

 private:
  Result<std::unique_ptr<EmbeddingSession>> Borrow() {
    {
      MutexLock lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<EmbeddingSession> session = std::move(idle_.back());
        idle_.pop_back();
        return session;
      }
    }
    return EmbeddingSession::Make(model_);
  }

  void Return(std::unique_ptr<EmbeddingSession> session) {
    MutexLock lock(mutex_);
    idle_.push_back(std::move(session));
  }

  std::shared_ptr<const EmbeddingModel> model_;
  Mutex mutex_;
  // At most one per caller that ever ran at once.
  std::vector<std::unique_ptr<EmbeddingSession>> idle_ DOCPIPE_GUARDED_BY(mutex_);
};

}  // namespace

Result<std::shared_ptr<TextEmbedder>> MakeNativeTextEmbedder(const TextEmbedderOptions& options) {
  EmbeddingModelOptions model_options;
  model_options.folder = options.model_folder;
  model_options.max_seq_length = options.max_seq_length;
  model_options.precision = options.precision;
  DOCPIPE_ASSIGN_OR_RETURN(std::shared_ptr<const EmbeddingModel> model, EmbeddingModel::Load(model_options));
  model->Identity();  // hash the weights now, not inside the first caller's batch
  return std::shared_ptr<TextEmbedder>(std::make_shared<NativeTextEmbedder>(std::move(model)));
}

}  // namespace docpipe::embed
