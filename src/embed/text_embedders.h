// The two TextEmbedder implementations, chosen by MakeTextEmbedder().
#pragma once

#include "docpipe/text_embedder.h"

namespace docpipe::embed {

// A sentence-transformers folder run in-process (native_text_embedder.cc).
Result<std::shared_ptr<TextEmbedder>> MakeNativeTextEmbedder(const TextEmbedderOptions& options);

// An OpenAI-compatible or Ollama server (remote_embedder.cc).
Result<std::shared_ptr<TextEmbedder>> MakeRemoteEmbedder(const TextEmbedderOptions& options);

}  // namespace docpipe::embed
