#include "docpipe/ingest.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_set>

#include "core/sha256.h"
#include "core/stopwatch.h"
#include "docpipe/document_problems.h"
#include "docpipe/formats.h"
#include "docpipe/text_document.h"
#include "pipeline/chunk_enrichment.h"
#include "pipeline/input_listing.h"

namespace docpipe {
namespace {

// What happens to one input after the skip check.
enum class Fate { kConvert, kSkip, kUnsupported, kFailed };

// One input travelling through the pipeline; owned by whichever stage holds it.
struct Item {
  std::string path;
  InputType type = InputType::kUnsupported;
  std::string sha256;
  int64_t bytes = 0;
  Fate fate = Fate::kConvert;
  Status status;  // why it failed, when fate == kFailed
  Document document;
  std::vector<Chunk> chunks;
  std::vector<EnrichmentResult> enrichments;  // one per chunk once enriched
  EmbeddingMatrix vectors;                    // one per chunk when embedding
  double hash_seconds = 0;
  bool stored = false;  // the same content is already stored (and stays, whatever happens now)
};
using ItemPtr = std::unique_ptr<Item>;

int ResolveWorkers(int requested) {
  if (requested > 0) return requested;
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
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

// Per-worker resources, created on first use by each thread and kept for the run.
class WorkerResources {
 public:
  WorkerResources(std::shared_ptr<const PdfEngine> engine) : engine_(std::move(engine)) {}

  Result<PdfWorker*> Pdf() {
    std::unique_ptr<PdfWorker>& worker = pdf_workers_.local();
    if (!worker) {
      Stopwatch watch;
      DOCPIPE_ASSIGN_OR_RETURN(worker, PdfWorker::Make(engine_));
      std::lock_guard lock(mutex_);
      setup_seconds_ += watch.Seconds();
    }
    return worker.get();
  }

  double setup_seconds() const {
    std::lock_guard lock(mutex_);
    return setup_seconds_;
  }

 private:
  std::shared_ptr<const PdfEngine> engine_;
  tbb::enumerable_thread_specific<std::unique_ptr<PdfWorker>> pdf_workers_;
  mutable std::mutex mutex_;
  double setup_seconds_ = 0;
};

void ConvertInput(Item& item, WorkerResources& resources, const IngestOptions& options, int workers) {
  Result<Document> document = Status::Internal("unreachable");
  if (item.type == InputType::kPdf && workers > 1) {
    // Pages go to whichever worker is idle: a large scan is shared by all of
    // them, while every worker stays on its own document when all are busy.
    document = ConvertPdfInArena(item.path, options.pdf, [&resources] { return resources.Pdf(); });
  } else if (item.type == InputType::kPdf) {
    Result<PdfWorker*> worker = resources.Pdf();
    if (!worker.ok()) {
      document = worker.status();
    } else {
      document = (*worker)->Convert(item.path, options.pdf);
    }
  } else {
    document = ConvertFile(item.path, {.limits = {}, .pdf = options.pdf}, [&resources] { return resources.Pdf(); });
  }
  if (!document.ok()) {
    item.fate = Fate::kFailed;
    item.status = document.status();
    return;
  }
  item.document = std::move(document).value();
  Stopwatch watch;
  item.chunks = ChunkDocument(item.document, options.chunk);
  item.document.seconds.chunk = watch.Seconds();
}

// Embeds the chunks on the calling worker; a failure fails the document alone.
void EmbedChunks(Item& item, TextEmbedder& embedder) {
  std::vector<std::string> texts;
  texts.reserve(item.chunks.size());
  for (const Chunk& chunk : item.chunks) texts.push_back(chunk.text);
  Stopwatch watch;
  Result<EmbeddingMatrix> vectors = embedder.Embed(texts);
  item.document.seconds.embed = watch.Seconds();
  if (!vectors.ok()) {
    item.fate = Fate::kFailed;
    item.status = vectors.status().WithContext("embedding its chunks");
    return;
  }
  item.vectors = std::move(vectors).value();
}

DocumentWrite MakeWrite(Item& item, const TextEmbedder* embedder) {
  DocumentWrite write;
  DocumentRecord& record = write.record;
  record.path = item.path;
  record.sha256 = item.sha256;
  record.bytes = item.bytes;
  if (item.fate == Fate::kFailed) {
    record.status = DocumentStatus::kFailed;
    record.error = item.status.ToString();
    return write;
  }
  const Document& document = item.document;
  record.pages = static_cast<int>(document.pages.size());
  record.kind = document.kind;
  record.metadata = document.metadata;
  record.seconds = document.seconds;
  for (const Page& page : document.pages) {
    if (page.needs_ocr) record.pages_needing_ocr.push_back(page.number);
  }
  record.page_errors = DocumentProblems(document);
  write.chunks = std::move(item.chunks);
  write.enrichments = std::move(item.enrichments);
  if (embedder != nullptr) {
    write.embedder = embedder->Identity();
    write.vectors = std::move(item.vectors);
  }
  return write;
}

// The single store stage: batches documents into transactions and keeps the report.
class StoreStage {
 public:
  StoreStage(Store& store, pipeline::ChunkEnrichment& enrichment, const TextEmbedder* embedder,
             const IngestOptions& options, IngestReport& report, const IngestProgressCallback& progress,
             int64_t files_total)
      : store_(store),
        enrichment_(enrichment),
        embedder_(embedder),
        options_(options),
        report_(report),
        progress_(progress) {
    progress_state_.files_total = files_total;
  }

  void Accept(Item& item) {
    ++progress_state_.files_done;
    report_.busy.open += item.hash_seconds;
    report_.hash_seconds += item.hash_seconds;
    switch (item.fate) {
      case Fate::kSkip: ++report_.documents_skipped; break;
      case Fate::kUnsupported:
        ++report_.unsupported;
        report_.unsupported_files.push_back({item.path, UnsupportedReason(item.path)});
        break;
      case Fate::kFailed: AcceptFailed(item); break;
      case Fate::kConvert: AcceptConverted(item); break;
    }
    if (progress_) {
      progress_state_.elapsed_seconds = watch_.Seconds();
      progress_(progress_state_);
    }
  }

  // Writes what is batched; a store failure ends the run.
  Status Flush() {
    if (batch_.empty()) return Status::Ok();
    Stopwatch watch;
    Status status = store_.PutDocuments(batch_);
    // The LLM's answers for these chunks go to the cache table right after
    // them, so a run killed later does not ask again.
    if (status.ok()) status = enrichment_.FlushCache();
    report_.busy.store += watch.Seconds();
    batch_.clear();
    batch_chunks_ = 0;
    return status;
  }

  const Status& status() const { return status_; }

 private:
  void AcceptFailed(Item& item) {
    ++report_.documents_failed;
    report_.failures.push_back({item.path, item.status.ToString()});
    // The failure is recorded in the store too, unless the content is stored
    // already: a failed re-embedding must not replace a good record.
    if (!item.sha256.empty() && !item.stored) Enqueue(MakeWrite(item, nullptr));
  }

  void AcceptConverted(Item& item) {
    const Document& document = item.document;
    ++report_.documents_ok;
    report_.bytes += item.bytes;
    report_.pages += static_cast<int64_t>(document.pages.size());
    progress_state_.pages_done += static_cast<int64_t>(document.pages.size());
    report_.chunks += static_cast<int64_t>(item.chunks.size());
    CountEnrichments(item.enrichments);
    report_.busy.open += document.seconds.open;
    report_.busy.extract += document.seconds.extract;
    report_.busy.structure += document.seconds.structure;
    report_.busy.chunk += document.seconds.chunk;
    report_.busy.embed += document.seconds.embed;
    report_.vectors += static_cast<int64_t>(item.vectors.rows);
    report_.busy.render += document.seconds.render;
    report_.busy.ocr += document.seconds.ocr;
    for (const Page& page : document.pages) {
      if (page.needs_ocr) ++report_.pages_needing_ocr;
      if (page.ocr_confidence >= 0) {
        ++report_.pages_ocr;
        if (page.ocr_confidence < options_.ocr.low_confidence) {
          report_.low_confidence_pages.push_back(
              {item.path, "page " + std::to_string(page.number) + ": OCR confidence " +
                              std::to_string(static_cast<int>(page.ocr_confidence * 100 + 0.5f)) + "%"});
        }
      }
    }
    for (std::string& problem : DocumentProblems(document)) {
      report_.page_problems.push_back({item.path, std::move(problem)});
    }
    Enqueue(MakeWrite(item, embedder_));
  }

  void CountEnrichments(const std::vector<EnrichmentResult>& results) {
    IngestEnrichmentReport& counts = report_.enrichment;
    counts.chunks += static_cast<int64_t>(results.size());
    for (const EnrichmentResult& result : results) {
      switch (result.source) {
        case EnrichmentSource::kLlm: ++counts.llm; break;
        case EnrichmentSource::kHeuristic: ++counts.heuristic; break;
        case EnrichmentSource::kFallback: ++counts.fallback; break;
      }
    }
  }

  void Enqueue(DocumentWrite write) {
    batch_chunks_ += write.chunks.size();
    batch_.push_back(std::move(write));
    // Bound memory by chunks too: one batch of huge documents must not grow without limit.
    if (static_cast<int>(batch_.size()) >= options_.store_batch_documents || batch_chunks_ >= 8192) {
      if (status_.ok()) status_ = Flush();
    }
  }

  Store& store_;
  pipeline::ChunkEnrichment& enrichment_;
  const TextEmbedder* embedder_;
  const IngestOptions& options_;
  IngestReport& report_;
  const IngestProgressCallback& progress_;
  IngestProgress progress_state_;
  Stopwatch watch_;
  std::vector<DocumentWrite> batch_;
  size_t batch_chunks_ = 0;
  Status status_;
};

std::string ConfigJson(const IngestOptions& options, int workers, const TextEmbedder* embedder) {
  nlohmann::json config = {
      {"workers", workers},
      {"shard", options.shard.ToString()},
      {"store_batch_documents", options.store_batch_documents},
      {"page_timeout_seconds", options.pdf.page_timeout_seconds},
      {"document_timeout_seconds", options.pdf.document_timeout_seconds},
      {"max_pages", options.pdf.max_pages},
      {"pdf_memory_bytes", options.pdf.worker_memory_bytes},
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
  return config.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<IngestReport> Ingest(Store& store, const IngestOptions& options, const IngestProgressCallback& progress) {
  Stopwatch wall;
  if (options.store_batch_documents < 1) return Status::InvalidArgument("store batch size must be at least 1");
  DOCPIPE_ASSIGN_OR_RETURN(InputListing listing, ListInputs(options));

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
  WorkerResources resources(engine);
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

  DOCPIPE_ASSIGN_OR_RETURN(int64_t run_id, store.BeginRun(ConfigJson(options, report.workers, embedder.get())));
  // The skip check and the store stage are different serial filters, which TBB runs at the
  // same time; a Store is used by one thread at a time, so the skip check reads through a
  // connection of its own and never waits for a batch being written.
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<Store> reader, store.OpenReader());
  StoreStage store_stage(store, *enrichment, embedder.get(), options, report, progress, report.inputs);
  std::unordered_set<std::string> seen_in_run;  // identical files within one run are stored once
  Status store_error;
  size_t next = 0;

  auto source = [&](tbb::flow_control& control) -> ItemPtr {
    if (next == listing.files.size() || !store_stage.status().ok() || !store_error.ok()) {
      control.stop();
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
      item->fate = Fate::kSkip;
    } else if (stored->has_value()) {
      item->stored = true;
      // With another embedder's vectors (or none) it is embedded again.
      if (!embedder || (*stored)->embedding_key == embedding_key) item->fate = Fate::kSkip;
    }
    return item;
  };
  // Converts and enriches. A document handed to the LLM leaves the pipeline
  // here (null goes on) and comes back to the store stage through `at_llm`.
  auto convert = [&](ItemPtr item) -> ItemPtr {
    if (item->fate == Fate::kConvert) ConvertInput(*item, resources, options, report.workers);
    if (item->fate == Fate::kConvert && embedder && !item->chunks.empty()) EmbedChunks(*item, *embedder);
    if (item->fate != Fate::kConvert || item->chunks.empty()) return item;
    if (!enrichment->uses_llm()) {
      item->enrichments = enrichment->Tag(item->chunks);
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

  tbb::task_arena arena(report.workers);
  arena.execute([&] {
    // Tokens in flight bound the memory: at most four documents per worker are held at once
    // (plus those at the LLM, bounded by `at_llm`). The serial stages take documents in
    // whatever order they finish: in input order, one slow document would hold back every
    // token behind it and leave workers idle.
    tbb::parallel_pipeline(
        static_cast<size_t>(report.workers) * 4,
        tbb::make_filter<void, ItemPtr>(tbb::filter_mode::serial_in_order, source) &
            tbb::make_filter<ItemPtr, ItemPtr>(tbb::filter_mode::parallel, hash) &
            tbb::make_filter<ItemPtr, ItemPtr>(tbb::filter_mode::serial_out_of_order, skip_check) &
            tbb::make_filter<ItemPtr, ItemPtr>(tbb::filter_mode::parallel, convert) &
            tbb::make_filter<ItemPtr, void>(tbb::filter_mode::serial_out_of_order, accept));
  });
  // Every document at the LLM is waited for, even after a store error: the
  // enricher must not be destroyed with answers outstanding.
  for (ItemPtr& enriched : at_llm.TakeAll()) store_stage.Accept(*enriched);

  DOCPIPE_RETURN_IF_ERROR(store_error);
  DOCPIPE_RETURN_IF_ERROR(store_stage.status());
  DOCPIPE_RETURN_IF_ERROR(store_stage.Flush());
  DOCPIPE_RETURN_IF_ERROR(enrichment->FlushCache());
  enrichment->FillReport(report.enrichment);
  report.pdf_worker_setup_seconds = resources.setup_seconds();
  if (engine->ocr_model()) {
    report.ocr_session_setup_seconds = engine->ocr_model()->session_setup_seconds();
    report.ocr_sessions = engine->ocr_model()->sessions_made();
  }
  report.wall_seconds = wall.Seconds();
  DOCPIPE_RETURN_IF_ERROR(store.FinishRun(run_id, report.ToJson()));
  return report;
}

}  // namespace docpipe
