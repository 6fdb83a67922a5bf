// The OpenAI-compatible endpoints, shaped as the official SDKs parse them:
//   POST /v1/embeddings     input as text(s) or token ids, encoding_format
//                           float or base64, dimensions, user (ignored)
//   GET  /v1/models         the loaded embedder as a model list
//   GET  /v1/models/{id}    one model, or 404 model_not_found
// Errors are {"error": {"message", "type", "param", "code"}}.
//
// Thread-safety: the handlers may run on any number of request threads.
#pragma once

#include <string>

#include "server/http_service.h"
#include "server/server_metrics.h"
#include "server/vector_stage.h"

namespace docpipe::server {

Reply OpenAiEmbeddings(VectorStage& vectors, ServerMetrics& metrics, const std::string& body);
Reply OpenAiModels(const VectorStage& vectors);
Reply OpenAiModel(const VectorStage& vectors, const std::string& id);

// A Status as an OpenAI error reply. `param` names the request field at
// fault (empty: null). Limits are 400, as the API answers them.
Reply OpenAiError(const Status& status, const std::string& param);

}  // namespace docpipe::server
