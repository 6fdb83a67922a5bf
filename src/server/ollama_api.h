// Ollama's embedding API beside the OpenAI one, so Ollama clients and tools
// configured for Ollama can use docpipe's encoder:
//   POST /api/embed        {"model", "input": text | [texts], "truncate",
//                           "dimensions", "options", "keep_alive"}
//                          -> {"model", "embeddings", "total_duration",
//                              "load_duration", "prompt_eval_count"}
//   POST /api/embeddings   legacy {"model", "prompt"} -> {"embedding"}
//   GET  /api/tags         the loaded embedder as Ollama lists local models
// Errors are {"error": "message"}, as Ollama answers them.
//
// Thread-safety: the handlers may run on any number of request threads.
#pragma once

#include <string>

#include "server/http_service.h"
#include "server/server_metrics.h"
#include "server/vector_stage.h"

namespace docpipe::server {

Reply OllamaEmbed(VectorStage& vectors, ServerMetrics& metrics, const std::string& body);
Reply OllamaLegacyEmbeddings(VectorStage& vectors, ServerMetrics& metrics, const std::string& body);
Reply OllamaTags(const VectorStage& vectors);

}  // namespace docpipe::server
