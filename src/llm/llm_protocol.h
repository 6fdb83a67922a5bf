// Wire formats of the supported LLM servers: the endpoint URL, the request
// body for a chat-style request, and the reply text extracted from a response.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "docpipe/llm_client.h"

namespace docpipe::llm_internal {

// base_url + "/api/chat" | "/api/generate" | "/chat/completions".
std::string EndpointUrl(const LlmClientOptions& options);

// The JSON body; kInvalidArgument when request.schema_json is not a JSON object.
Result<std::string> BuildRequestBody(const LlmClientOptions& options, const LlmRequest& request);

// The model's reply text from a 2xx response body; kCorrupt when the body is not the expected envelope.
Result<std::string> ParseReplyBody(LlmProtocol protocol, std::string_view body);

struct LlmUsage {
  int64_t prompt_tokens = 0, completion_tokens = 0;
};
// The token counts of a 2xx response body; zeros when absent or malformed.
LlmUsage ParseReplyUsage(LlmProtocol protocol, std::string_view body);

}  // namespace docpipe::llm_internal
