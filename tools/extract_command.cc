// `docpipe extract`: one structured record per input document, from an LLM,
// following the user's JSON Schema; JSONL in input order.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "command.h"
#include "docpipe/extract.h"
#include "docpipe/extract_input.h"
#include "docpipe/ingest.h"
#include "docpipe/llm_client.h"
#include "docpipe/shard.h"
#include "docpipe/store.h"
#include "llm_flags.h"
#include "progress_bar.h"

namespace docpipe::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct ExtractFlags {
  std::vector<std::string> inputs;
  std::string schema_file;
  std::string output = "-";
  std::string db;          // also store the records there; without inputs, read the documents from there
  std::string cache_file;  // default: OUTPUT.cache when OUTPUT is a file, else DB.extract-cache for a DB file
  bool no_cache = false;
  bool evidence = false;
  LlmFlags llm;
  int context_tokens = 8192;
  int workers = 0;    // files converted at once; 0: the CPUs this process may run on
  std::string shard;  // "K/N" or "slurm"; empty: every input
  std::string merge = "rules";  // or "llm": marked fields of long documents combined by the model
};

// Results arrive in any order on the LLM client's thread; rows leave in input order.
class OrderedRows {
 public:
  explicit OrderedRows(std::FILE* out) : out_(out) {}

  size_t Reserve() {
    std::lock_guard<std::mutex> lock(mutex_);
    rows_.emplace_back();
    return rows_.size() - 1;
  }
  void Fill(size_t slot, std::string row, std::optional<StoredExtraction> stored = std::nullopt) {
    std::lock_guard<std::mutex> lock(mutex_);
    rows_[slot] = std::move(row);
    if (stored) stored_.push_back(std::move(*stored));
    ++filled_;
    changed_.notify_all();
  }
  // Writes the rows ready in order; with `all`, waits until every reserved row is filled.
  size_t Flush(bool all) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (all) changed_.wait(lock, [&] { return filled_ == rows_.size(); });
    while (written_ < rows_.size() && rows_[written_]) {
      std::fputs(rows_[written_]->c_str(), out_);
      std::fputc('\n', out_);
      rows_[written_].reset();
      ++written_;
    }
    std::fflush(out_);
    return filled_;
  }
  // The store writes that came in since the last call (the store is used by the main thread only).
  std::vector<StoredExtraction> TakeStored() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(stored_, {});
  }
  // Blocks while more than `limit` rows are outstanding: documents wait converted, not in memory by
  // thousands.
  void WaitBelow(size_t limit) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return rows_.size() - filled_ <= limit; });
  }

 private:
  std::FILE* out_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::optional<std::string>> rows_;  // guarded by mutex_
  std::vector<StoredExtraction> stored_;          // guarded by mutex_
  size_t filled_ = 0, written_ = 0;               // guarded by mutex_
};

std::string Row(const std::string& path, const std::string& sha256, const ExtractionResult& result,
                bool evidence) {
  json row = {{"path", path},
              {"sha256", sha256},
              {"status", ExtractionStatusName(result.status)},
              {"record", json::parse(result.record_json)}};
  if (evidence) row["evidence"] = json::parse(result.evidence_json);
  if (result.status == ExtractionStatus::kFailed) row["error"] = result.failure;
  return row.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<ExtractionSchema> ReadSchema(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read the schema file " + file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Result<ExtractionSchema> schema = ParseExtractionSchema(text);
  if (!schema.ok()) return Status::InvalidArgument(file + ": " + schema.status().message());
  return schema;
}

void PrintReport(const ExtractorStats& stats, int64_t unreadable, double seconds) {
  std::fprintf(
      stderr,
      "docpipe extract: %lld document(s): %lld ok, %lld failed; %lld request(s) (%lld repair(s), %lld "
      "gave up), %lld cache hit(s), tokens in %lld / out %lld; %.1f s\n",
      static_cast<long long>(stats.documents + unreadable), static_cast<long long>(stats.succeeded),
      static_cast<long long>(stats.failed + unreadable), static_cast<long long>(stats.requests),
      static_cast<long long>(stats.repairs), static_cast<long long>(stats.request_failures),
      static_cast<long long>(stats.cache_hits), static_cast<long long>(stats.tokens_in),
      static_cast<long long>(stats.tokens_out), seconds);
}

// The id of the stored document with this content, or 0: a file not ingested yet gets its row, not a stored
// record.
int64_t StoredId(Store* store, const std::string& sha256) {
  if (store == nullptr) return 0;
  Result<std::optional<DocumentRecord>> found = store->FindBySha256(sha256);
  return found.ok() && found->has_value() ? (*found)->id : 0;
}

struct Setup {
  ExtractionSchema schema;
  std::vector<std::string> paths;
  std::unique_ptr<Store> store;
  std::vector<DocumentRecord> stored_documents;  // the inputs when no paths are given
  std::unique_ptr<ExtractionInputReader> files;  // reads `paths` ahead, in parallel
  std::unique_ptr<LlmClient> client;
  std::unique_ptr<ExtractionCache> cache;
  std::unique_ptr<Extractor> extractor;
};

// This task's share of the stored documents, keyed by their stored path: every task lists the same
// documents, so together they take each exactly once.
std::vector<DocumentRecord> StoredShare(std::vector<DocumentRecord> documents, const ShardSpec& shard) {
  std::erase_if(documents, [&](const DocumentRecord& document) { return !InShard(document.path, shard); });
  return documents;
}

Status Prepare(const ExtractFlags& flags, Setup& setup) {
  DOCPIPE_ASSIGN_OR_RETURN(setup.schema, ReadSchema(flags.schema_file));
  if (flags.inputs.empty() && flags.db.empty()) {
    return Status::InvalidArgument("give input paths, or --db to extract over the documents stored there");
  }
  ShardSpec shard;
  if (!flags.shard.empty()) {
    Result<ShardSpec> parsed = ParseShard(flags.shard, ProcessEnvironment());
    if (!parsed.ok()) return Status::InvalidArgument("--shard: " + parsed.status().message());
    shard = *parsed;
  }
  if (!flags.db.empty()) {
    StoreOptions store_options;
    store_options.create_if_missing = !flags.inputs.empty();
    DOCPIPE_ASSIGN_OR_RETURN(setup.store, Store::Open(flags.db, store_options));
    if (flags.inputs.empty()) {
      DOCPIPE_ASSIGN_OR_RETURN(std::vector<DocumentRecord> stored, setup.store->ListDocuments());
      setup.stored_documents = StoredShare(std::move(stored), shard);
    }
  }
  if (!flags.inputs.empty()) {
    IngestOptions listing;
    listing.inputs = flags.inputs;
    listing.shard = shard;  // as `ingest --shard` splits the same inputs
    DOCPIPE_ASSIGN_OR_RETURN(setup.paths, CollectInputs(listing));
    DOCPIPE_ASSIGN_OR_RETURN(setup.files, ExtractionInputReader::Make(setup.paths, {}, flags.workers));
  }
  DOCPIPE_ASSIGN_OR_RETURN(setup.client, MakeLlmClient(flags.llm));
  std::string cache_file = flags.cache_file;
  if (cache_file.empty() && flags.output != "-") cache_file = flags.output + ".cache";
  if (cache_file.empty() && !flags.db.empty() && !IsServerDatabase(flags.db))
    cache_file = flags.db + ".extract-cache";
  if (!flags.no_cache && !cache_file.empty()) {
    DOCPIPE_ASSIGN_OR_RETURN(setup.cache, OpenExtractionCacheFile(cache_file));
  }
  ExtractorOptions options;
  options.schema = setup.schema;
  options.client = setup.client.get();
  options.cache = setup.cache.get();
  options.context_tokens = flags.context_tokens;
  options.evidence = flags.evidence;
  options.merge_llm = flags.merge == "llm";
  DOCPIPE_ASSIGN_OR_RETURN(setup.extractor, Extractor::Make(options));
  return Status::Ok();
}

int RunExtract(const ExtractFlags& flags) {
  Clock::time_point start = Clock::now();
  Setup setup;
  if (Status status = Prepare(flags, setup); !status.ok()) {
    FailCommand("extract", status, /*not_found_is_usage=*/true);
    return -1;
  }
  std::FILE* out = flags.output == "-" ? stdout : std::fopen(flags.output.c_str(), "w");
  if (out == nullptr) {
    FailCommand("extract", Status::IoError("cannot write " + flags.output));
    return -1;
  }
  OrderedRows rows(out);
  ProgressBar progress;
  int64_t unreadable = 0, store_failures = 0;
  auto store_ready = [&] {
    for (const StoredExtraction& stored : rows.TakeStored()) {
      if (Status put = setup.store->PutExtraction(stored); !put.ok()) {
        ++store_failures;
        std::fprintf(stderr, "docpipe extract: storing the record of document %lld: %s\n",
                     static_cast<long long>(stored.document_id), put.ToString().c_str());
      }
    }
  };
  const bool from_store = setup.paths.empty();
  const size_t total = from_store ? setup.stored_documents.size() : setup.paths.size();
  for (size_t i = 0; i < total; ++i) {
    rows.WaitBelow(static_cast<size_t>(flags.llm.concurrency) * 4);
    size_t slot = rows.Reserve();
    Result<ExtractionInput> input =
        from_store ? ReadStoredExtractionInput(*setup.store, setup.stored_documents[i]) : setup.files->Next();
    const std::string path = from_store ? setup.stored_documents[i].path : setup.paths[i];
    if (!input.ok()) {
      ++unreadable;
      ExtractionResult failed;
      failed.failure = input.status().ToString();
      rows.Fill(slot, Row(path, "", failed, flags.evidence));
    } else {
      int64_t document_id =
          from_store ? setup.stored_documents[i].id : StoredId(setup.store.get(), input->sha256);
      std::string sha256 = input->sha256;
      setup.extractor->Extract(std::move(input->document), [=, &rows, &flags, &setup](ExtractionResult r) {
        std::optional<StoredExtraction> stored;
        if (document_id > 0) stored = ToStoredExtraction(document_id, setup.schema, flags.llm.model, r);
        rows.Fill(slot, Row(path, sha256, r, flags.evidence), std::move(stored));
      });
    }
    if (setup.store) store_ready();
    size_t done = rows.Flush(false);
    progress.Update(static_cast<int64_t>(done), static_cast<int64_t>(total), 0,
                    std::chrono::duration<double>(Clock::now() - start).count());
  }
  rows.Flush(true);
  if (setup.store) store_ready();
  progress.Clear();
  if (out != stdout) std::fclose(out);
  ExtractorStats stats = setup.extractor->stats();
  PrintReport(stats, unreadable, std::chrono::duration<double>(Clock::now() - start).count());
  if (store_failures > 0) return kExitError;
  return stats.failed + unreadable > 0 ? kExitInputFailed : kExitOk;
}

void AddOptions(CLI::App* cmd, ExtractFlags& flags) {
  cmd->add_option("inputs", flags.inputs, "Files and directories to read (none: the documents in --db)");
  cmd->add_option(
      "--db", flags.db,
      "Store the records with the stored documents (matched by content); without inputs, extract over "
      "the documents stored there");
  cmd->add_option("--schema", flags.schema_file, "JSON Schema file of the record (see docs/extract.md)")
      ->required();
  cmd->add_option("-o,--output", flags.output, "JSONL output file (\"-\": standard output)")
      ->capture_default_str();
  cmd->add_option("--cache", flags.cache_file,
                  "Answer cache file (default: OUTPUT.cache; resumes a killed run)");
  cmd->add_flag("--no-cache", flags.no_cache, "Neither read nor write the answer cache");
  cmd->add_flag("--evidence", flags.evidence, "Add the chunk ids and pages each value was found in");
  cmd->add_option("--merge", flags.merge,
                  "Long documents: rules, or llm to have the model combine the parts' values of the top-level "
                  "fields the schema marks \"x-merge\": \"llm\"")
      ->capture_default_str()
      ->check(CLI::IsMember({"rules", "llm"}));
  AddLlmFlags(cmd, flags.llm, "LLM server base URL (Ollama, or OpenAI-compatible ending in /v1)")->required();
  cmd->add_option("--shard", flags.shard,
                  "Take only task K's share of the inputs (or of the stored documents), K/N (0-based), or "
                  "\"slurm\" for the job array's SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT");
  cmd->add_option("--workers", flags.workers, "Files converted at once (0: the CPUs this process may run on)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--llm-context-tokens", flags.context_tokens,
                  "The model's context; a longer document is mapped over groups of chunks and merged")
      ->capture_default_str()
      ->check(CLI::Range(512, 10000000));
}

void RegisterExtract(CLI::App& app) {
  auto flags = std::make_shared<ExtractFlags>();
  CLI::App* cmd = app.add_subcommand(
      "extract", "Extract one structured record per document with an LLM, per a JSON Schema");
  cmd->footer(
      "Writes one JSON object per input, in input order: path, sha256, status (ok or failed), record, error, "
      "and\n"
      "with --evidence the chunks and pages each value was found in. Answers are validated against the "
      "schema and\n"
      "repaired once; a document that still fails is marked failed with the reason. Validated answers are "
      "cached,\n"
      "so a re-run (or a run after a crash) sends nothing for unchanged documents. Exit code 1 when any "
      "failed.");
  AddOptions(cmd, *flags);
  cmd->callback([flags] {
    int code = RunExtract(*flags);
    if (code >= 0) SetExitCode(code);
  });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterExtract);

}  // namespace docpipe::cli
