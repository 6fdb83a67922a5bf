// MakeTextEmbedder: the native engine for a folder, a remote client for a URL.
#include "docpipe/text_embedder.h"

#include <fmt/format.h>

#include <cstdlib>

#include "embed/text_embedders.h"

namespace docpipe {

Result<std::vector<int32_t>> TextEmbedder::Tokenize(const std::string&) const {
  return Status::Unsupported("the embedding model \"" + Identity().name + "\" is remote; its tokenizer is not known here");
}

Result<EmbeddingMatrix> TextEmbedder::EmbedTokens(const std::vector<std::vector<int32_t>>&) {
  return Status::Unsupported("the embedding model \"" + Identity().name +
                             "\" is remote; it takes texts, not token ids");
}

Result<std::shared_ptr<TextEmbedder>> MakeTextEmbedder(const TextEmbedderOptions& options) {
  if (!options.model_folder.empty() && !options.url.empty()) {
    return Status::InvalidArgument("give either an embedding model folder or an embedding server URL, not both");
  }
  if (!options.model_folder.empty()) return embed::MakeNativeTextEmbedder(options);
  if (!options.url.empty()) return embed::MakeRemoteEmbedder(options);
  return Status::InvalidArgument("no embedder given: name a model folder or a server URL");
}

Result<std::shared_ptr<TextEmbedder>> MakeTextEmbedderFromSource(const std::string& source,
                                                                 const std::string& api_key) {
  TextEmbedderOptions options;
  const size_t hash = source.rfind('#');
  const bool remote = source.starts_with("http://") || source.starts_with("https://");
  if (remote && hash != std::string::npos) {
    if (source.find("***") != std::string::npos) {
      return Status::InvalidArgument(fmt::format(
          "{} needs credentials that are not kept in the store; give the server again with --embed-url "
          "and --embed-remote-model (or the key in DOCPIPE_EMBED_API_KEY)",
          source));
    }
    options.url = source.substr(0, hash);
    options.remote_model = source.substr(hash + 1);
    options.api_key = api_key;
  } else {
    options.model_folder = source;
    for (EmbedPrecision precision : {EmbedPrecision::kInt8, EmbedPrecision::kBFloat16}) {
      const std::string suffix = "#" + std::string(EmbedPrecisionName(precision));
      if (source.ends_with(suffix)) {
        options.model_folder = source.substr(0, source.size() - suffix.size());
        options.precision = precision;
      }
    }
  }
  return MakeTextEmbedder(options);
}

std::string EmbedApiKeyFromEnvironment() {
  const char* key = std::getenv("DOCPIPE_EMBED_API_KEY");
  return key == nullptr ? std::string() : std::string(key);
}

}  // namespace docpipe
