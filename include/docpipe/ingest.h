// Ingest: files and directories in, documents and chunks in a Store out.
//
// Documents flow through named stages (hash, skip_check, convert, embed,
// enrich, store; src/pipeline/stage_chain.h) on a pool of `workers` threads
// joined by a bounded pipeline, so memory stays flat however many inputs there
// are. The largest files enter first, so the long ones do not trail the run.
// The pages of a PDF are tasks any idle worker may take (ConvertPdfInArena),
// and so are the page ranges of a large document's structure, chunking,
// tagging and embedding, so a single large document is worked on by all
// workers; its chunks are the same whatever the number of workers. Each worker owns its expensive
// resources (a MuPDF context, a Tesseract instance) for the whole run. The
// store is written by one stage at a time, in batches, one transaction per batch.
//
// Enrichment tags every stored chunk and finds its entities. Without an LLM
// the heuristic tagger runs inline on the worker that chunked the document.
// With one, each document's chunks are handed to an Enricher (one LlmClient per
// run) and the worker moves on; the finished document reaches the store stage
// when its last answer arrives, so no worker waits on the network unless the
// bounded number of documents at the LLM is reached (backpressure). LLM answers
// are cached in the store by (model, prompt version, text hash).
//
// With an embedder, each worker embeds the chunks it made (the native engine
// keeps one session per worker; a remote server gets one request per batch
// from each worker) and the vectors are stored with the chunks.
//
// Ingest is idempotent: a document whose content (sha256) is already stored is
// skipped (unless its vectors are from another embedder); a changed file at a known path replaces its old chunks; a run killed
// at any moment and re-run ends with exactly the rows of a clean run.
//
// Cancellation: when `cancel` is cancelled (from any thread, or a signal
// handler), no new document is started, documents being converted stop between
// pages and are not stored, what is converted is stored, and Ingest() returns
// the partial report with `cancelled` set.
//
// Thread-safety: Ingest() is a blocking call; the progress callback is called
// from one pipeline thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "docpipe/cancel_token.h"
#include "docpipe/chunker.h"
#include "docpipe/document.h"
#include "docpipe/pdf.h"
#include "docpipe/shard.h"
#include "docpipe/status.h"
#include "docpipe/store.h"
#include "docpipe/tagging.h"
#include "docpipe/text_embedder.h"

namespace docpipe {

// How chunks are tagged and their entities found.
struct IngestEnrichOptions {
  std::string llm_url;  // LLM server base URL; empty: the heuristic tagger
  std::string llm_model = "llama3.1:8b";
  std::string llm_protocol = "auto";  // as ParseLlmProtocol() reads it
  std::string llm_api_key;  // read at the edge (ApiKeyFromEnvironment()); never reported or stored
  int llm_concurrency = 8;  // LLM requests in flight at most
  int llm_batch = 1;        // chunks per LLM request
  double llm_timeout_seconds = 120;  // per request attempt
  int llm_retries = 3;
  ExtractKinds kinds;
  std::string taxonomy_file;  // a taxonomy JSON file; empty: the built-in taxonomy
};

struct IngestOptions {
  std::vector<std::string> inputs;    // files and directories; "-" reads paths from stdin
  std::vector<std::string> list_files;  // files holding one input path per line
  std::vector<std::string> include_globs;  // directory walks keep files matching one of these (all when empty)
  std::vector<std::string> exclude_globs;  // ... and drop files matching any of these
  ShardSpec shard;  // this task's share of the listed inputs (docpipe/shard.h); all by default
  int workers = 0;                // 0 = the CPUs this process may run on (its CPU affinity mask)
  int store_batch_documents = 32;  // documents per store transaction
  // Connections writing batches at the same time (PostgreSQL; with SQLite
  // they take turns). Batches of one path are still written in order.
  int store_writers = 1;
  // Store::BeginBulkLoad() for the run: the full-text index is built once at
  // the end (by the last of several concurrent bulk loaders) instead of
  // being kept up to date batch by batch. Ingest() only.
  bool bulk_load = false;
  PdfOptions pdf;
  OcrOptions ocr;  // scanned pages: recognised by default (OcrMode::kAuto)
  ChunkOptions chunk;
  IngestEnrichOptions enrich;
  // Dense vectors for every stored chunk, when `embed` names a model folder or
  // a server (or `embedder` is given, which is used as it is). A stored
  // document whose vectors came from another embedder is re-processed and
  // re-embedded instead of skipped.
  TextEmbedderOptions embed;
  std::shared_ptr<TextEmbedder> embedder;
  // Pages per unit of parallel work in a large document's structure, chunking,
  // tagging and embedding; the chunks do not depend on it.
  int range_pages = 64;
  // A document of several page ranges is committed in pieces of whole ranges,
  // each of at least this many chunks (the last may be smaller), so the store
  // holds it as partial between them (docs/ingest.md). Fewer, larger pieces
  // cost the single store writer less: each transaction writes the pages it
  // touched again.
  int piece_chunks = 1024;
  std::shared_ptr<CancelToken> cancel;  // null: the run cannot be cancelled
};

// Busy time (summed over threads) and units handled by one named stage of the
// ingest pipeline in one run.
struct StageFigures {
  std::string name;
  double busy_seconds = 0;
  int64_t units = 0;
};

// One input that did not make it, and why.
struct InputProblem {
  std::string path;
  std::string reason;
};

// What enrichment did in one run. Chunk counts are of the chunks stored in
// this run, by what produced their tags and entities.
struct IngestEnrichmentReport {
  std::string producer;      // "heuristic" or "llm:<model>"
  int64_t chunks = 0;        // chunks enriched and stored
  int64_t llm = 0;           // by the LLM (cache hits included)
  int64_t heuristic = 0;     // by the heuristic tagger, no LLM configured
  int64_t fallback = 0;      // by the heuristic tagger after the LLM failed for them
  int64_t cache_hits = 0;    // LLM results taken from the store's cache, no request made
  int64_t llm_requests = 0;  // requests sent (batches, repairs and singles)
  int64_t retries = 0;       // HTTP attempts repeated after errors
  int64_t errors = 0;        // requests the client gave up on
  int64_t invalid_outputs = 0;  // model replies that failed validation
  int64_t breaker_trips = 0;    // times the circuit breaker opened
  double seconds = 0;        // worker time spent tagging or handing chunks to the LLM
  double llm_client_cpu_seconds = 0;  // the LLM client's I/O thread
};

struct IngestReport {
  int64_t inputs = 0;           // files considered
  int64_t documents_ok = 0;     // converted and stored in this run
  int64_t documents_skipped = 0;  // already stored with the same content
  int64_t documents_failed = 0;
  int64_t unsupported = 0;      // files of a type docpipe does not read (found in directories)
  int64_t pages = 0;            // pages of the documents stored in this run
  int64_t pages_needing_ocr = 0;
  int64_t pages_ocr = 0;        // pages (or image parts of pages) recognised by OCR
  int64_t chunks = 0;
  int64_t bytes = 0;
  double wall_seconds = 0;
  // With bulk_load, finishing the load once the last batch is in: building the
  // full-text index when this is the last loader (PostgreSQL), next to nothing
  // otherwise. Part of wall_seconds.
  double index_build_seconds = 0;
  int workers = 0;
  bool cancelled = false;       // stopped on request; what is counted here is stored
  StageSeconds busy;            // summed over workers: where the time went
  std::vector<StageFigures> stages;  // the pipeline's stages in order; "store" is the single writer
  double hash_seconds = 0;
  double pdf_engine_setup_seconds = 0;  // base MuPDF context
  double pdf_worker_setup_seconds = 0;  // all per-worker contexts together
  double ocr_session_setup_seconds = 0;  // one Tesseract instance, on average (made once per worker)
  int ocr_sessions = 0;                  // Tesseract instances made
  std::vector<InputProblem> low_confidence_pages;  // OCR'd pages below OcrOptions::low_confidence
  OcrCounts ocr_counts;  // pictures read and skipped (by reason), low-confidence words dropped
  std::vector<InputProblem> unread_script_pages;  // "page N: script Han is not among the languages (eng)"
  std::vector<InputProblem> failures;       // failed documents with reasons
  std::vector<InputProblem> page_problems;  // pages that failed alone ("page 7: timeout ...")
  std::vector<InputProblem> unsupported_files;
  IngestEnrichmentReport enrichment;
  std::string embedder;  // EmbedderIdentity name of the vectors made; empty: none
  int64_t vectors = 0;   // chunk vectors made and stored in this run

  bool any_failed() const { return documents_failed > 0; }
  std::string ToJson() const;   // the --json report
  std::string ToText() const;   // the human summary printed at the end of a run
};

struct IngestProgress {
  int64_t files_total = 0;  // known once inputs are listed
  int64_t files_done = 0;
  int64_t pages_done = 0;
  double elapsed_seconds = 0;
};

using IngestProgressCallback = std::function<void(const IngestProgress&)>;

// Lists the input files (walking directories recursively, applying globs,
// reading list files) in a stable order. A missing input is an error; an
// unreadable directory entry is reported as a failure by Ingest().
Result<std::vector<std::string>> CollectInputs(const IngestOptions& options);

// Runs the whole ingest into `store`. Errors in single documents are counted
// in the report; only a failure of the store itself (or bad options) is an
// error Status.
Result<IngestReport> Ingest(Store& store, const IngestOptions& options,
                            const IngestProgressCallback& progress = {});

}  // namespace docpipe
