// `docpipe ingest`: files and directories into a store.
#include <signal.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "command.h"
#include "docpipe/ingest.h"
#include "docpipe/llm_client.h"
#include "docpipe/shard.h"
#include "docpipe/store.h"
#include "docpipe/tagging.h"
#include "docpipe/text_embedder.h"
#include "llm_flags.h"
#include "ocr_flags.h"
#include "pdf_flags.h"
#include "progress_bar.h"

namespace docpipe::cli {
namespace {

struct IngestFlags {
  IngestOptions options;
  std::string db = "docpipe.sqlite";
  std::string extract = "tags,entities";
  std::string ocr_mode = "auto";
  std::string shard;  // "K/N" or "slurm"; empty: every input
  LlmFlags llm;       // copied into options.enrich once parsed
  bool json = false;
};

// --shard, and under a scheduler the CPUs it gave this task as the default
// worker count, so the process never runs more threads than it was given.
bool ApplyScheduler(IngestFlags& flags) {
  const EnvironmentLookup environment = ProcessEnvironment();
  if (!flags.shard.empty()) {
    Result<ShardSpec> shard = ParseShard(flags.shard, environment);
    if (!shard.ok()) {
      std::fprintf(stderr, "docpipe ingest: %s\n", shard.status().message().c_str());
      SetExitCode(kExitUsage);
      return false;
    }
    flags.options.shard = *shard;
  }
  if (flags.options.workers == 0) {
    if (std::optional<int> cpus = ScheduledCpus(environment)) flags.options.workers = *cpus;
  }
  return true;
}

// The run's token, for the signal handler. The first Ctrl-C (SIGINT) or
// SIGTERM (what `kill`, systemd and SLURM's scancel or time limit send) cancels
// the run: what is stored stays, the partial report is printed. The handler
// then gives the signal back to its default, so a second one ends the process
// at once.
CancelToken* interrupt_token = nullptr;
volatile sig_atomic_t stopped_by = 0;

void CancelOnSignal(int signal_number) {
  stopped_by = signal_number;
  if (interrupt_token != nullptr) interrupt_token->Cancel();
  signal(signal_number, SIG_DFL);  // async-signal-safe
}

// Cancels `token` on SIGINT and SIGTERM while alive; restores the default handlers after.
class InterruptCancels {
 public:
  explicit InterruptCancels(CancelToken& token) {
    interrupt_token = &token;
    struct sigaction action {};
    action.sa_handler = CancelOnSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
  }
  ~InterruptCancels() {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    interrupt_token = nullptr;
  }
  InterruptCancels(const InterruptCancels&) = delete;
  InterruptCancels& operator=(const InterruptCancels&) = delete;
};

void RunIngest(IngestFlags& flags) {
  if (!ApplyScheduler(flags)) return;
  Result<ExtractKinds> kinds = ExtractKinds::Parse(flags.extract);
  if (!kinds.ok()) {
    std::fprintf(stderr, "docpipe ingest: --extract: %s\n", kinds.status().ToString().c_str());
    SetExitCode(kExitUsage);
    return;
  }
  flags.options.enrich.kinds = *kinds;
  Result<OcrMode> ocr_mode = ParseOcrMode(flags.ocr_mode);
  if (!ocr_mode.ok()) {
    std::fprintf(stderr, "docpipe ingest: --ocr: %s\n", ocr_mode.status().ToString().c_str());
    SetExitCode(kExitUsage);
    return;
  }
  flags.options.ocr.mode = *ocr_mode;
  if (!flags.options.enrich.llm_url.empty()) flags.options.enrich.llm_api_key = ApiKeyFromEnvironment();
  if (!flags.options.embed.url.empty()) flags.options.embed.api_key = EmbedApiKeyFromEnvironment();
  Result<std::unique_ptr<Store>> store = Store::Open(flags.db);
  if (!store.ok()) {
    std::fprintf(stderr, "docpipe ingest: cannot open store %s: %s\n", Store::DisplayLocation(flags.db).c_str(),
                 store.status().ToString().c_str());
    SetExitCode(kExitError);
    return;
  }
  ProgressBar bar;
  IngestProgressCallback progress;
  if (bar.enabled()) {
    progress = [&bar](const IngestProgress& p) {
      bar.Update(p.files_done, p.files_total, p.pages_done, p.elapsed_seconds);
    };
  }
  flags.options.cancel = std::make_shared<CancelToken>();
  Result<IngestReport> report = [&] {
    InterruptCancels interrupt(*flags.options.cancel);
    return Ingest(**store, flags.options, progress);
  }();
  bar.Clear();
  if (!report.ok()) {
    std::fprintf(stderr, "docpipe ingest: %s\n", report.status().ToString().c_str());
    SetExitCode(report.status().code() == StatusCode::kNotFound ||
                        report.status().code() == StatusCode::kInvalidArgument
                    ? kExitUsage
                    : kExitError);
    return;
  }
  if (flags.json) {
    std::printf("%s\n", report->ToJson().c_str());
  } else {
    std::fputs(report->ToText().c_str(), stderr);
  }
  if (report->cancelled) {
    std::fputs("docpipe ingest: cancelled; what is reported above is stored, run again to finish\n", stderr);
    SetExitCode(stopped_by == SIGTERM ? kExitTerminated : kExitCancelled);
    return;
  }
  SetExitCode(report->any_failed() ? kExitInputFailed : kExitOk);
}

void RegisterIngest(CLI::App& app) {
  auto flags = std::make_shared<IngestFlags>();
  IngestOptions& o = flags->options;
  CLI::App* cmd = app.add_subcommand("ingest", "Convert, chunk and store documents (PDF, text, Markdown)");
  cmd->footer(
      "Idempotent: documents already stored with the same content are skipped; a changed file\n"
      "replaces its old chunks; a killed run can simply be run again.\n"
      "Every chunk gets tags (domain, task, modifiers) and entities, from the LLM given with --llm or from the\n"
      "built-in heuristic tagger; each row says which (llm, heuristic, or fallback when the LLM failed for it).\n"
      "LLM answers are cached in the store by model, prompt version and text, so the same text is never sent\n"
      "twice. The API key, if the server needs one, is read from DOCPIPE_LLM_API_KEY and never printed.\n"
      "With --embed-model (a sentence-transformers folder, run natively) or --embed-url (an OpenAI-compatible\n"
      "or Ollama server; key from DOCPIPE_EMBED_API_KEY) every chunk gets a vector, stored with the model's\n"
      "identity; documents embedded by another model are embedded again. Search them with --mode vector.\n"
      "Ctrl-C stops the run within a second: what is stored stays, the partial report is printed, and a\n"
      "second run finishes the rest.\n"
      "Exit status: 0 all inputs ok, 1 some inputs failed (listed), 2 usage error, 3 store error,\n"
      "130 cancelled by Ctrl-C.");
  cmd->add_option("inputs", o.inputs, "Files and directories (recursive); - reads paths from stdin");
  cmd->add_option("--db", flags->db, "Store location: a SQLite file or a postgresql:// URL")->capture_default_str();
  cmd->add_option("--workers,-j", o.workers, "Worker threads (0 = SLURM_CPUS_PER_TASK under SLURM, else the CPUs this process may run on)")
      ->capture_default_str();
  cmd->add_option("--shard", flags->shard,
                  "Take only task K's share of the inputs, K/N (0-based), or \"slurm\" for the job array's "
                  "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT");
  cmd->add_option("--list", o.list_files, "File with one input path per line (repeatable)");
  cmd->add_option("--include", o.include_globs, "Glob for files to take from directories (repeatable)");
  cmd->add_option("--exclude", o.exclude_globs, "Glob for files to skip in directories (repeatable)");
  AddPdfOptions(cmd, &o.pdf);
  cmd->add_option("--max-tokens", o.chunk.max_tokens, "Largest chunk, in tokens")->capture_default_str();
  cmd->add_option("--target-tokens", o.chunk.target_tokens, "Preferred chunk size, in tokens")->capture_default_str();
  cmd->add_option("--overlap-tokens", o.chunk.overlap_tokens, "Tokens repeated between neighbouring chunks")
      ->capture_default_str();
  cmd->add_option("--batch", o.store_batch_documents, "Documents per store transaction")->capture_default_str();
  cmd->add_option("--db-writers", o.store_writers,
                  "Store connections writing batches at the same time (PostgreSQL; SQLite takes them in turn)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--bulk-load", o.bulk_load,
                "Build the full-text index once at the end instead of batch by batch (PostgreSQL; search stays "
                "exact meanwhile, only slower)");
  cmd->add_option("--range-pages", o.range_pages,
                  "Pages per unit of parallel work within a large document (the chunks do not depend on it)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--piece-chunks", o.piece_chunks,
                  "Least chunks per committed piece of a large document (whole page ranges; the "
                  "document is partial, invisible to search, until its last piece)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  IngestEnrichOptions& e = o.enrich;
  AddLlmFlags(cmd, flags->llm,
              "LLM server base URL for tags and entities: Ollama (http://host:11434) or OpenAI-compatible "
              "(a URL ending in /v1); none: the built-in heuristic tagger",
              /*with_json_mode=*/false);
  cmd->add_option("--llm-batch", e.llm_batch, "Chunks per LLM request")->capture_default_str()->check(CLI::Range(1, 256));
  cmd->add_option("--extract", flags->extract, "What to extract from each chunk: tags, entities, or tags,entities")
      ->capture_default_str();
  cmd->add_option("--taxonomy", e.taxonomy_file, "Taxonomy JSON file replacing the built-in one")
      ->check(CLI::ExistingFile);
  TextEmbedderOptions& m = o.embed;
  cmd->add_option("--embed-model", m.model_folder, "Sentence-transformers model folder to embed chunks with")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--embed-precision", m.precision, "fp32, bf16 or int8 for the model's linear layers")
      ->transform(CLI::CheckedTransformer(std::map<std::string, EmbedPrecision>{
          {"fp32", EmbedPrecision::kFloat32}, {"bf16", EmbedPrecision::kBFloat16}, {"int8", EmbedPrecision::kInt8}}))
      ->option_text("fp32|bf16|int8");
  cmd->add_option("--embed-max-seq-length", m.max_seq_length, "Tokens per chunk the model sees (0: the model's own)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--embed-url", m.url,
                  "Embedding server base URL: OpenAI-compatible (ending in /v1: TEI, vLLM, llama.cpp, OpenAI) "
                  "or Ollama (http://host:11434)");
  cmd->add_option("--embed-remote-model", m.remote_model, "Model name on the embedding server");
  cmd->add_option("--embed-protocol", m.protocol, "auto (openai when the URL ends in /v1, else ollama), openai, ollama")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "openai", "ollama"}));
  cmd->add_option("--embed-batch", m.batch_size, "Texts per embedding server request")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--embed-timeout", m.timeout_seconds, "Seconds per embedding server request attempt")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  AddOcrOptions(cmd, &flags->ocr_mode, &o.ocr);
  cmd->add_flag("--json", flags->json, "Print the run report as JSON on stdout");
  cmd->callback([flags] {
    IngestEnrichOptions& enrich = flags->options.enrich;
    enrich.llm_url = flags->llm.url;
    enrich.llm_model = flags->llm.model;
    enrich.llm_protocol = flags->llm.protocol;
    enrich.llm_concurrency = flags->llm.concurrency;
    enrich.llm_timeout_seconds = flags->llm.timeout_seconds;
    enrich.llm_retries = flags->llm.retries;
    if (flags->options.inputs.empty() && flags->options.list_files.empty()) {
      std::fprintf(stderr, "docpipe ingest: give at least one input (file, directory, --list FILE or -)\n");
      SetExitCode(kExitUsage);
      return;
    }
    if (!flags->options.embed.model_folder.empty() && !flags->options.embed.url.empty()) {
      std::fprintf(stderr, "docpipe ingest: give either --embed-model or --embed-url, not both\n");
      SetExitCode(kExitUsage);
      return;
    }
    if (!flags->options.embed.url.empty() && flags->options.embed.remote_model.empty()) {
      std::fprintf(stderr, "docpipe ingest: --embed-url needs --embed-remote-model (the model name on the server)\n");
      SetExitCode(kExitUsage);
      return;
    }
    RunIngest(*flags);
  });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterIngest);

}  // namespace docpipe::cli
