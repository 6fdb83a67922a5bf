// `docpipe tag`: tags and entities for a piece of text, printed as JSON.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.h"
#include "llm_flags.h"
#include "docpipe/llm_client.h"
#include "docpipe/llm_enricher.h"
#include "docpipe/tagging.h"
#include "docpipe/taxonomy.h"

namespace docpipe::cli {
namespace {

struct TagFlags {
  LlmFlags llm;
  std::vector<std::string> texts;
  std::string extract = "tags,entities";
  std::string taxonomy_file;
  int batch = 1;
};

int Fail(const std::string& what, const Status& status, int code) {
  std::fprintf(stderr, "docpipe tag: %s: %s\n", what.c_str(), status.ToString().c_str());
  return code;
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
  if (!flags.llm.url.empty()) {
    Result<std::unique_ptr<LlmClient>> made = MakeLlmClient(flags.llm);
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
  AddLlmFlags(cmd, flags->llm, "LLM server base URL (none: heuristic tagger)");
  cmd->add_option("--extract", flags->extract, "What to extract: tags, entities, or tags,entities")->capture_default_str();
  cmd->add_option("--llm-batch", flags->batch, "Texts per LLM request")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--taxonomy", flags->taxonomy_file, "Taxonomy JSON file replacing the built-in one");
  cmd->callback([flags] { SetExitCode(RunTag(*flags)); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterTag);

}  // namespace docpipe::cli
