#include "docpipe/ingest.h"

#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/available_cpus.h"
#include "core/sha256.h"
#include "core/stopwatch.h"
#include "pipeline/chunk_enrichment.h"
#include "pipeline/document_conversion.h"
#include "pipeline/ingest_item.h"
#include "pipeline/ingest_through.h"
#include "pipeline/input_listing.h"
#include "pipeline/stage_chain.h"
#include "pipeline/stage_registry.h"
#include "pipeline/store_sink.h"
#include "pipeline/store_stage.h"

namespace docpipe {
namespace {

using pipeline::Fate;
using pipeline::Item;
using pipeline::ItemPtr;

int ResolveWorkers(int requested) {
  return requested > 0 ? requested : AvailableCpus();
}

void HashInput(Item& item) {
  Stopwatch watch;
  std::error_code error;
  auto size = std::filesystem::file_size(item.path, error);
  Result<std::string> sha = Sha256File(item.path);
  item.hash_seconds = watch.Seconds();
  if (!sha.ok()) {
    item.fate = Fate::kFailed;
    item.status = sha.status();
    return;
  }
  item.sha256 = std::move(sha).value();
  item.bytes = error ? 0 : static_cast<int64_t>(size);
  item.type = DetectInputType(item.path);
  if (item.type == InputType::kUnsupported) item.fate = Fate::kUnsupported;
}

// Largest files first (stable for equal sizes): a long document that starts
// last leaves the other workers idle at the end of the run.
void OrderLargestFirst(std::vector<std::string>& files) {
  std::vector<std::pair<uintmax_t, std::string>> sized;
  sized.reserve(files.size());
  for (std::string& file : files) {
    std::error_code error;
    const uintmax_t size = std::filesystem::file_size(file, error);
    sized.emplace_back(error ? 0 : size, std::move(file));
  }
  std::stable_sort(sized.begin(), sized.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < files.size(); ++i) files[i] = std::move(sized[i].second);
}

bool Cancelled(const IngestOptions& options) { return options.cancel && options.cancel->cancelled(); }

// Where a run executes, for `docpipe runs`: the host and process tell a run
// still going from one that was killed; a SLURM task says which.
void AddRunner(nlohmann::json& config) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) config["host"] = host;
  config["pid"] = static_cast<int64_t>(getpid());
  for (const char* name : {"SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"}) {
    if (const char* value = std::getenv(name); value != nullptr) config["slurm"][name] = value;
  }
}

std::string ConfigJson(const IngestOptions& options, int workers, const TextEmbedder* embedder) {
  nlohmann::json config = {
      {"workers", workers},
      {"shard", options.shard.ToString()},
      {"store_batch_documents", options.store_batch_documents},
      {"store_writers", options.store_writers},
      {"bulk_load", options.bulk_load},
      {"page_timeout_seconds", options.pdf.page_timeout_seconds},
      {"document_timeout_seconds", options.pdf.document_timeout_seconds},
      {"max_pages", options.pdf.max_pages},
      {"pdf_memory_bytes", options.pdf.worker_memory_bytes},
      {"detect_tables", options.pdf.detect_tables},
      {"ocr", {{"mode", OcrModeName(options.ocr.mode)}, {"languages", options.ocr.languages},
               {"dpi", options.ocr.dpi}}},
      {"chunk", {{"target_tokens", options.chunk.target_tokens},
                 {"max_tokens", options.chunk.max_tokens},
                 {"overlap_tokens", options.chunk.overlap_tokens},
                 {"min_tokens", options.chunk.min_tokens}}},
      {"include", options.include_globs},
      {"exclude", options.exclude_globs},
      {"extract", options.enrich.kinds.ToString()},
      {"taxonomy", options.enrich.taxonomy_file},
  };
  // The server's URL is left out: it may carry credentials. The API key never goes anywhere.
  if (!options.enrich.llm_url.empty()) {
    config["llm"] = {{"model", options.enrich.llm_model},
                     {"protocol", options.enrich.llm_protocol},
                     {"concurrency", options.enrich.llm_concurrency},
                     {"batch", options.enrich.llm_batch},
                     {"timeout_seconds", options.enrich.llm_timeout_seconds},
                     {"retries", options.enrich.llm_retries}};
  }
  if (embedder != nullptr) {
    // The identity, not the options: a remote URL may carry credentials.
    const EmbedderIdentity& identity = embedder->Identity();
    config["embedder"] = {{"name", identity.name},
                          {"dimension", identity.dimension},
                          {"weights_sha256", identity.weights_hash},
                          {"normalized", identity.normalized}};
  }
  AddRunner(config);
  return config.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The run's body; `run_id` is set once the run is recorded in the store.
Result<IngestReport> RunIngest(Store& store, pipeline::StoreSink& sink, const IngestOptions& options,
                               const IngestProgressCallback& progress, int64_t& run_id);

}  // namespace

namespace pipeline {

// A run that stops on an error is recorded as failed with the error (a run
// without an end is one that was killed).
Result<IngestReport> IngestThrough(Store& store, StoreSink& sink, const IngestOptions& options,
                                   const IngestProgressCallback& progress) {
  int64_t run_id = 0;
  Result<IngestReport> report = RunIngest(store, sink, options, progress, run_id);
  if (!report.ok() && run_id > 0) {
    const nlohmann::json metrics = {{"error", report.status().ToString()}};
    (void)store.FinishRun(run_id, metrics.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return report;
}

}  // namespace pipeline

Result<IngestReport> Ingest(Store& store, const IngestOptions& options, const IngestProgressCallback& progress) {
  if (options.store_writers < 1) return Status::InvalidArgument("store writers must be at least 1");
  if (options.bulk_load) DOCPIPE_RETURN_IF_ERROR(store.BeginBulkLoad());
  const auto run = [&]() -> Result<IngestReport> {
    DOCPIPE_ASSIGN_OR_RETURN(
        std::unique_ptr<pipeline::StoreSink> sink,
        pipeline::StoreSink::Make(store, pipeline::StoreSink::kDefaultMaxQueuedDocuments, options.store_writers));
    return pipeline::IngestThrough(store, *sink, options, progress);
  };
  Result<IngestReport> report = run();  // the sink has stopped: every batch is written
  // Also after an error: the index is not left missing by this loader.
  Status finished = options.bulk_load ? store.FinishBulkLoad() : Status::Ok();
  if (report.ok() && !finished.ok()) return finished;
  return report;
}

namespace {

Result<IngestReport> RunIngest(Store& store, pipeline::StoreSink& sink, const IngestOptions& options,
                               const IngestProgressCallback& progress, int64_t& run_id) {
  Stopwatch wall;
  if (options.store_batch_documents < 1) return Status::InvalidArgument("store batch size must be at least 1");
  if (options.range_pages < 1) return Status::InvalidArgument("pages per range must be at least 1");
  if (options.piece_chunks < 1) return Status::InvalidArgument("chunks per piece must be at least 1");
  DOCPIPE_ASSIGN_OR_RETURN(InputListing listing, ListInputs(options));
  OrderLargestFirst(listing.files);

  IngestReport report;
  report.workers = ResolveWorkers(options.workers);
  report.inputs = static_cast<int64_t>(listing.files.size());
  for (InputProblem& problem : listing.problems) {
    ++report.documents_failed;
    report.failures.push_back(std::move(problem));
  }

  Stopwatch setup;
  DOCPIPE_ASSIGN_OR_RETURN(std::shared_ptr<const PdfEngine> engine, PdfEngine::Make(options.ocr));
  report.pdf_engine_setup_seconds = setup.Seconds();
  pipeline::WorkerResources resources(engine);
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<pipeline::ChunkEnrichment> enrichment,
                           pipeline::ChunkEnrichment::Make(options.enrich, store));
  // Enough documents at the LLM to keep its request slots full while workers
  // convert the next ones; past this many, a worker waits for an answer.
  pipeline::DocumentsAtLlm<ItemPtr> at_llm(std::max(4, 2 * report.workers + options.enrich.llm_concurrency));

  std::shared_ptr<TextEmbedder> embedder = options.embedder;
  if (!embedder && WantsEmbedder(options.embed)) {
    DOCPIPE_ASSIGN_OR_RETURN(embedder, MakeTextEmbedder(options.embed));
  }
  const std::string embedding_key = embedder ? embedder->Identity().Key() : std::string();
  if (embedder) report.embedder = embedder->Identity().name;

  DOCPIPE_ASSIGN_OR_RETURN(run_id, store.BeginRun(ConfigJson(options, report.workers, embedder.get())));
  // The skip check and the store stage are different serial stages, which run at the
  // same time; a Store is used by one thread at a time, so the skip check reads through a
  // connection of its own and never waits for a batch being written.
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Store> reader, store.OpenReader());
  pipeline::StoreStage store_stage(sink, *enrichment, embedder.get(), options, report, progress, report.inputs);
  std::unordered_set<std::string> seen_in_run;  // identical files within one run are stored once
  Status store_error;  // the skip check's; read after the run
  // The source (its own stage) stops on a failure of the skip check or the store stage.
  std::atomic<bool> skip_check_failed{false};
  size_t next = 0;

  auto source = [&]() -> ItemPtr {
    if (next == listing.files.size() || store_stage.failed() || skip_check_failed.load(std::memory_order_relaxed) ||
        Cancelled(options)) {
      return nullptr;
    }
    auto item = std::make_unique<Item>();
    item->path = listing.files[next++];
    return item;
  };
  auto hash = [](ItemPtr item) {
    HashInput(*item);
    return item;
  };
  auto skip_check = [&](ItemPtr item) {
    if (item->fate != Fate::kConvert) return item;
    if (!seen_in_run.insert(item->sha256).second) {
      item->fate = Fate::kSkip;
      return item;
    }
    Result<std::optional<DocumentRecord>> stored = reader->FindBySha256(item->sha256);
    if (!stored.ok()) {
      if (store_error.ok()) store_error = stored.status();
      skip_check_failed.store(true, std::memory_order_relaxed);
      item->fate = Fate::kSkip;
    } else if (stored->has_value()) {
      item->stored = true;
      // With another embedder's vectors (or none) it is embedded again.
      if (!embedder || (*stored)->embedding_key == embedding_key) item->fate = Fate::kSkip;
    }
    return item;
  };
  std::atomic<int64_t> cancelled_items{0};  // documents dropped half-way on request
  auto convert = [&](ItemPtr item) {
    if (item->fate == Fate::kConvert && Cancelled(options)) item->fate = Fate::kCancelled;
    if (item->fate == Fate::kConvert) pipeline::ConvertInput(*item, resources, options, report.workers);
    if (item->fate == Fate::kCancelled) cancelled_items.fetch_add(1);
    return item;
  };
  auto embed = [&](ItemPtr item) {
    if (item->fate == Fate::kConvert && embedder && !item->chunks.empty()) {
      pipeline::EmbedChunks(*item, *embedder);
    }
    return item;
  };
  // A document handed to the LLM leaves the chain here (null goes on) and
  // comes back to the store stage through `at_llm`.
  auto enrich = [&](ItemPtr item) -> ItemPtr {
    if (item->fate != Fate::kConvert || item->chunks.empty()) return item;
    if (!enrichment->uses_llm()) {
      if (!store_stage.TagAndWritePieces(*item)) pipeline::TagChunks(*item, *enrichment);
      return item;
    }
    at_llm.Hand(std::move(item), [&](Item* handed, std::function<void()> on_done) {
      enrichment->Submit(handed->chunks, [handed, on_done = std::move(on_done)](std::vector<EnrichmentResult> results) {
        handed->enrichments = std::move(results);
        on_done();
      });
    });
    return nullptr;
  };
  auto accept = [&](ItemPtr item) {
    if (item) store_stage.Accept(*item);
    for (ItemPtr& enriched : at_llm.TakeFinished()) store_stage.Accept(*enriched);
  };

  pipeline::StageRegistry stages;
  // At most four documents per worker are held at once (plus those at the
  // LLM, bounded by `at_llm`).
  pipeline::StageChain<ItemPtr> chain(stages, static_cast<size_t>(report.workers) * 4);
  chain.Then("hash", pipeline::StageMode::kParallel, hash)
      .Then("skip_check", pipeline::StageMode::kSerial, skip_check)
      .Then("convert", pipeline::StageMode::kParallel, convert)
      .Then("embed", pipeline::StageMode::kParallel, embed)
      .Then("enrich", pipeline::StageMode::kParallel, enrich);
  tbb::task_arena arena(report.workers);
  // The chain ends in "store_queue": batching and handing over to the sink,
  // whose writer thread is the "store" stage.
  arena.execute([&] { chain.Run(source, "store_queue", accept); });
  // The hand-over's last work, counted with it: every document at the LLM
  // is waited for, even after a store error (the enricher must not be
  // destroyed with answers outstanding), and the last batches are written.
  std::vector<ItemPtr> from_llm = at_llm.TakeAll();
  Stopwatch last_writes;
  for (ItemPtr& enriched : from_llm) store_stage.Accept(*enriched);
  Status stored = store_stage.Finish();
  stages.Add("store_queue").Record(last_writes.Seconds(), static_cast<int64_t>(from_llm.size()));
  stages.Add("store").Record(store_stage.store_seconds(), store_stage.documents_stored());
  DOCPIPE_RETURN_IF_ERROR(store_error);
  DOCPIPE_RETURN_IF_ERROR(stored);
  DOCPIPE_RETURN_IF_ERROR(enrichment->FlushCache());
  enrichment->FillReport(report.enrichment);
  report.pdf_worker_setup_seconds = resources.setup_seconds();
  if (engine->ocr_model()) {
    report.ocr_session_setup_seconds = engine->ocr_model()->session_setup_seconds();
    report.ocr_sessions = engine->ocr_model()->sessions_made();
  }
  report.cancelled = Cancelled(options) && (next < listing.files.size() || cancelled_items.load() > 0);
  report.stages = stages.Figures();
  if (options.bulk_load) {
    // Every batch is in: the index the load deferred is built now, within the
    // run's time (Ingest() finishes the bulk load again after an error, a no-op here).
    Stopwatch build;
    DOCPIPE_RETURN_IF_ERROR(store.FinishBulkLoad());
    report.index_build_seconds = build.Seconds();
  }
  report.wall_seconds = wall.Seconds();
  DOCPIPE_RETURN_IF_ERROR(store.FinishRun(run_id, report.ToJson()));
  return report;
}

}  // namespace
}  // namespace docpipe
