#include "llm/llm_protocol.h"

#include <nlohmann/json.hpp>

namespace docpipe::llm_internal {
namespace {

using nlohmann::json;

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

json Messages(const LlmRequest& request) {
  json messages = json::array();
  for (const LlmMessage& m : request.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  return messages;
}

// /api/generate takes one prompt: the conversation after the system message, turn by turn.
void FlattenForGenerate(const LlmRequest& request, json& body) {
  std::string prompt;
  int turns = 0;
  for (const LlmMessage& m : request.messages) turns += m.role != "system";
  for (const LlmMessage& m : request.messages) {
    if (m.role == "system") {
      body["system"] = m.content;
      continue;
    }
    if (!prompt.empty()) prompt += "\n\n";
    if (turns > 1) prompt += (m.role == "assistant" ? "Assistant: " : "User: ");
    prompt += m.content;
  }
  body["prompt"] = prompt;
}

}  // namespace

std::string EndpointUrl(const LlmClientOptions& options) {
  std::string base = TrimSlash(options.base_url);
  switch (options.protocol) {
    case LlmProtocol::kOllamaChat: return base + "/api/chat";
    case LlmProtocol::kOllamaGenerate: return base + "/api/generate";
    case LlmProtocol::kOpenAiChat: return base + "/chat/completions";
  }
  return base;
}

Result<std::string> BuildRequestBody(const LlmClientOptions& options, const LlmRequest& request) {
  json schema;
  if (!request.schema_json.empty()) {
    schema = json::parse(request.schema_json, nullptr, /*allow_exceptions=*/false);
    if (schema.is_discarded() || !schema.is_object()) {
      return Status::InvalidArgument("LLM request: schema is not a JSON object");
    }
  }
  json body = {{"model", options.model}};
  if (options.protocol == LlmProtocol::kOpenAiChat) {
    body["messages"] = Messages(request);
    body["temperature"] = options.temperature;
    if (options.json_mode == JsonMode::kJsonSchema && !schema.is_null()) {
      body["response_format"] = {{"type", "json_schema"},
                                 {"json_schema", {{"name", request.schema_name}, {"schema", schema}, {"strict", false}}}};
    } else {
      body["response_format"] = {{"type", "json_object"}};
    }
  } else {
    if (options.protocol == LlmProtocol::kOllamaChat) {
      body["messages"] = Messages(request);
    } else {
      FlattenForGenerate(request, body);
    }
    body["stream"] = false;
    body["format"] = schema.is_null() ? json("json") : schema;
    body["options"] = {{"temperature", options.temperature}};
  }
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<std::string> ParseReplyBody(LlmProtocol protocol, std::string_view body) {
  json reply = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || !reply.is_object()) return Status::Corrupt("LLM reply is not a JSON object");
  const json* content = nullptr;
  if (protocol == LlmProtocol::kOpenAiChat) {
    auto choices = reply.find("choices");
    if (choices != reply.end() && choices->is_array() && !choices->empty() && (*choices)[0].contains("message")) {
      const json& message = (*choices)[0]["message"];
      if (message.contains("content")) content = &message["content"];
    }
  } else if (protocol == LlmProtocol::kOllamaChat) {
    if (reply.contains("message") && reply["message"].is_object() && reply["message"].contains("content")) {
      content = &reply["message"]["content"];
    }
  } else if (reply.contains("response")) {
    content = &reply["response"];
  }
  if (content == nullptr || !content->is_string()) {
    return Status::Corrupt("LLM reply has no message content");
  }
  return content->get<std::string>();
}

LlmUsage ParseReplyUsage(LlmProtocol protocol, std::string_view body) {
  json reply = json::parse(body, nullptr, /*allow_exceptions=*/false);
  LlmUsage usage;
  if (reply.is_discarded() || !reply.is_object()) return usage;
  auto count = [](const json& object, const char* name) -> int64_t {
    auto it = object.find(name);
    return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  if (protocol == LlmProtocol::kOpenAiChat) {
    if (auto it = reply.find("usage"); it != reply.end() && it->is_object()) {
      usage.prompt_tokens = count(*it, "prompt_tokens");
      usage.completion_tokens = count(*it, "completion_tokens");
    }
  } else {
    usage.prompt_tokens = count(reply, "prompt_eval_count");
    usage.completion_tokens = count(reply, "eval_count");
  }
  return usage;
}

}  // namespace docpipe::llm_internal
