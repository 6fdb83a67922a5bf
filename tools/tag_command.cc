// `docpipe tag`: tags and entities for a piece of text, printed as JSON.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.h"
#include "docpipe/llm_client.h"
#include "docpipe/llm_enricher.h"
#include "docpipe/tagging.h"
#include "docpipe/taxonomy.h"

namespace docpipe::cli {
namespace {

struct TagFlags {
  std::vector<std::string> texts;
  std::string llm_url;
  std::string llm_model = "llama3.1:8b";
  std::string llm_protocol = "auto";
  std::string json_mode = "schema";
  std::string extract = "tags,entities";
  std::string taxonomy_file;
  int concurrency = 8;
  int batch = 1;
  double timeout_seconds = 120;
  int retries = 3;
};

int Fail(const std::string& what, const Status& status, int code) {
  std::fprintf(stderr, "docpipe tag: %s: %s\n", what.c_str(), status.ToString().c_str());
  return code;
}

Result<std::unique_ptr<LlmClient>> MakeClient(const TagFlags& flags) {
  LlmClientOptions options;
  options.base_url = flags.llm_url;
  options.model = flags.llm_model;
  DOCPIPE_ASSIGN_OR_RETURN(options.protocol, ParseLlmProtocol(flags.llm_protocol, flags.llm_url));
  options.json_mode = flags.json_mode == "object" ? JsonMode::kJsonObject : JsonMode::kJsonSchema;
  options.api_key = ApiKeyFromEnvironment();
  options.max_in_flight = flags.concurrency;
  options.max_retries = flags.retries;
  options.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(flags.timeout_seconds * 1000));
  return LlmClient::Make(options);
}

int RunTag(TagFlags flags) {
  if (flags.texts.size() == 1 && flags.texts[0] == "-") {
    flags.texts[0].assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  Result<ExtractKinds> kinds = ExtractKinds::Parse(flags.extract);
  if (!kinds.ok()) return Fail("--extract", kinds.status(), kExitUsage);
  EnricherOptions options;
  options.kinds = *kinds;
  options.batch_size = flags.batch;
  if (!flags.taxonomy_file.empty()) {
    Result<std::shared_ptr<const Taxonomy>> taxonomy = Taxonomy::FromFile(flags.taxonomy_file);
    if (!taxonomy.ok()) return Fail("--taxonomy", taxonomy.status(), kExitUsage);
    options.taxonomy = *taxonomy;
  }
  std::unique_ptr<LlmClient> client;
  if (!flags.llm_url.empty()) {
    Result<std::unique_ptr<LlmClient>> made = MakeClient(flags);
    if (!made.ok()) return Fail("--llm", made.status(), kExitUsage);
    client = std::move(made).value();
    options.client = client.get();
  }
  Result<std::unique_ptr<Enricher>> enricher = Enricher::Make(options);
  if (!enricher.ok()) return Fail("options", enricher.status(), kExitUsage);
  std::vector<EnrichmentInput> inputs;
  for (size_t i = 0; i < flags.texts.size(); ++i) inputs.push_back({std::to_string(i), flags.texts[i]});
  std::vector<EnrichmentResult> results = (*enricher)->Enrich(std::move(inputs)).get();

  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < results.size(); ++i) {
    nlohmann::json item = nlohmann::json::parse(EnrichmentResultToJson(results[i]));
    item["text"] = flags.texts[i];
    out.push_back(std::move(item));
  }
  const nlohmann::json& printed = out.size() == 1 ? out[0] : out;
  std::printf("%s\n", printed.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  EnrichmentStats stats = (*enricher)->stats();
  if (stats.fallbacks > 0) {
    std::fprintf(stderr, "docpipe tag: the LLM failed for %lld of %lld text(s); heuristic fallback used\n",
                 static_cast<long long>(stats.fallbacks), static_cast<long long>(stats.chunks));
  }
  return kExitOk;
}

void RegisterTag(CLI::App& app) {
  auto flags = std::make_shared<TagFlags>();
  CLI::App* cmd = app.add_subcommand("tag", "Tag a text (domain, task, modifiers) and find its entities; prints JSON");
  cmd->footer(
      "Without --llm the built-in heuristic tagger answers. With --llm, an Ollama server (http://host:11434) or an\n"
      "OpenAI-compatible one (a URL ending in /v1) is asked; the API key, if any, comes from DOCPIPE_LLM_API_KEY.\n"
      "Every result says what produced it: \"llm\", \"heuristic\", or \"fallback\" (the LLM failed for that text).\n"
      "Entity offsets are byte offsets into the text.");
  cmd->add_option("text", flags->texts, "Text(s) to tag; \"-\" reads one text from standard input")->required();
  cmd->add_option("--llm", flags->llm_url, "LLM server base URL (none: heuristic tagger)");
  cmd->add_option("--llm-model", flags->llm_model, "Model name on the LLM server")->capture_default_str();
  cmd->add_option("--llm-protocol", flags->llm_protocol, "auto, ollama, ollama-generate or openai")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "ollama", "ollama-chat", "ollama-generate", "openai"}));
  cmd->add_option("--llm-json-mode", flags->json_mode,
                  "OpenAI-compatible servers: schema (response_format json_schema) or object (json_object)")
      ->capture_default_str()
      ->check(CLI::IsMember({"schema", "object"}));
  cmd->add_option("--extract", flags->extract, "What to extract: tags, entities, or tags,entities")->capture_default_str();
  cmd->add_option("--llm-concurrency", flags->concurrency, "Most LLM requests in flight at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--llm-batch", flags->batch, "Texts per LLM request")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--llm-timeout", flags->timeout_seconds, "Seconds per LLM request attempt")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--llm-retries", flags->retries, "Retries per request on connection errors, timeouts, 429, 5xx")
      ->capture_default_str()
      ->check(CLI::Range(0, 20));
  cmd->add_option("--taxonomy", flags->taxonomy_file, "Taxonomy JSON file replacing the built-in one");
  cmd->callback([flags] { SetExitCode(RunTag(*flags)); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterTag);

}  // namespace docpipe::cli
