#include "llm_flags.h"

#include <chrono>

namespace docpipe::cli {

CLI::Option* AddLlmFlags(CLI::App* cmd, LlmFlags& flags, const std::string& url_help, bool with_json_mode) {
  CLI::Option* url = cmd->add_option("--llm", flags.url, url_help);
  cmd->add_option("--llm-model", flags.model, "Model name on the LLM server")->capture_default_str();
  cmd->add_option("--llm-protocol", flags.protocol,
                  "auto (openai when the URL ends in /v1, else ollama), ollama, ollama-generate or openai")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "ollama", "ollama-chat", "ollama-generate", "openai"}));
  if (with_json_mode) {
    cmd->add_option("--llm-json-mode", flags.json_mode,
                    "OpenAI-compatible servers: schema (response_format json_schema) or object (json_object)")
        ->capture_default_str()
        ->check(CLI::IsMember({"schema", "object"}));
  }
  cmd->add_option("--llm-concurrency", flags.concurrency, "Most LLM requests in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--llm-timeout", flags.timeout_seconds, "Seconds per LLM request attempt")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--llm-retries", flags.retries,
                  "Retries per request on connection errors, timeouts, 429, 5xx")
      ->capture_default_str()
      ->check(CLI::Range(0, 20));
  return url;
}

Result<std::unique_ptr<LlmClient>> MakeLlmClient(const LlmFlags& flags) {
  LlmClientOptions options;
  options.base_url = flags.url;
  options.model = flags.model;
  DOCPIPE_ASSIGN_OR_RETURN(options.protocol, ParseLlmProtocol(flags.protocol, flags.url));
  options.json_mode = flags.json_mode == "object" ? JsonMode::kJsonObject : JsonMode::kJsonSchema;
  options.api_key = ApiKeyFromEnvironment();
  options.max_in_flight = flags.concurrency;
  options.max_retries = flags.retries;
  options.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(flags.timeout_seconds * 1000));
  return LlmClient::Make(options);
}

}  // namespace docpipe::cli
