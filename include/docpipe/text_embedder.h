// A TextEmbedder turns texts into vectors, whichever model does it: the native
// engine running a sentence-transformers folder in-process, or a remote
// server speaking the OpenAI embeddings API (text-embeddings-inference, vLLM,
// llama.cpp, OpenAI) or Ollama's /api/embed.
//
// Thread-safety: Embed() may be called from any number of threads at once.
// The native embedder keeps one EmbeddingSession per concurrent caller (made
// on first need, then reused), so N callers use N cores; a remote embedder
// makes one HTTP request per batch on the calling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "docpipe/embed_precision.h"
#include "docpipe/embedding.h"
#include "docpipe/status.h"

namespace docpipe {

class TextEmbedder {
 public:
  virtual ~TextEmbedder() = default;
  // Name, dimension, weights hash (remote: of "url|model") and source.
  virtual const EmbedderIdentity& Identity() const = 0;
  // One row per text, in order. An empty list gives an empty matrix.
  virtual Result<EmbeddingMatrix> Embed(const std::vector<std::string>& texts) = 0;

  // The token ids the model runs for `text` (special tokens included,
  // truncated to its sequence limit). kUnsupported for a remote embedder,
  // whose tokenizer docpipe does not have.
  virtual Result<std::vector<int32_t>> Tokenize(const std::string& text) const;
  // Embeds texts given as token ids of the model's vocabulary, without special
  // tokens (see EmbeddingSession::EmbedTokens). kUnsupported for a remote embedder.
  virtual Result<EmbeddingMatrix> EmbedTokens(const std::vector<std::vector<int32_t>>& content);
};

struct TextEmbedderOptions {
  // Native engine: a sentence-transformers model folder.
  std::string model_folder;
  int max_seq_length = 0;  // 0: the folder's own limit
  EmbedPrecision precision = EmbedPrecision::kFloat32;  // the linear layers' precision

  // Remote server (when model_folder is empty): the base URL
  // ("http://localhost:8080/v1" for OpenAI-compatible servers,
  // "http://localhost:11434" for Ollama) and the model name it serves.
  std::string url;
  std::string remote_model;
  std::string protocol = "auto";  // "openai", "ollama", or "auto": openai when the URL path ends in /v1
  std::string api_key;            // sent as a bearer token; read at the edge, never stored
  int batch_size = 64;            // texts per request
  double timeout_seconds = 60;    // per request attempt
  int retries = 3;                // on connection errors, 429 and 5xx, with backoff
};

// True when the options name an embedder (a folder or a URL).
inline bool WantsEmbedder(const TextEmbedderOptions& options) {
  return !options.model_folder.empty() || !options.url.empty();
}

// Loads the folder, or checks the remote server by embedding one probe text
// (which also tells the dimension), so a wrong model or URL is one clear error
// before any work starts.
Result<std::shared_ptr<TextEmbedder>> MakeTextEmbedder(const TextEmbedderOptions& options);

// An embedder for a store's recorded source (EmbedderIdentity::source): a
// folder, a folder with "#int8" or "#bf16" (that precision), or "<url>#<model>". `api_key` is used for remote sources.
Result<std::shared_ptr<TextEmbedder>> MakeTextEmbedderFromSource(const std::string& source,
                                                                 const std::string& api_key = "");

// DOCPIPE_EMBED_API_KEY, or empty. Read once at the edge (CLI, server).
std::string EmbedApiKeyFromEnvironment();

}  // namespace docpipe
