// The LLM server flags that `docpipe ingest`, `tag` and `extract` share
// (--llm, --llm-model, --llm-protocol, --llm-json-mode, --llm-concurrency,
// --llm-timeout, --llm-retries) and the client made from them.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "docpipe/llm_client.h"

namespace docpipe::cli {

struct LlmFlags {
  std::string url;
  std::string model = "llama3.1:8b";
  std::string protocol = "auto";
  std::string json_mode = "schema";
  int concurrency = 8;
  double timeout_seconds = 120;
  int retries = 3;
};

// Adds the flags; `url_help` says what the URL is for in this command, and
// --llm-json-mode is offered only where the command asks for structured output.
// Returns the --llm option, for the command to mark required where it is.
CLI::Option* AddLlmFlags(CLI::App* cmd, LlmFlags& flags, const std::string& url_help,
                         bool with_json_mode = true);

// A client for the server the flags name; the key comes from the environment.
Result<std::unique_ptr<LlmClient>> MakeLlmClient(const LlmFlags& flags);

}  // namespace docpipe::cli
