// The enrichment of every ingest path (`docpipe ingest`, the server's /ingest
// and /documents): the heuristic tagger run inline, or one LlmClient +
// Enricher with the store's cache, and the queue of documents whose chunks are
// with the LLM.
//
// Thread-safety: Tag(), TagHeuristic(), Submit(), stats() and the
// DocumentsAtLlm methods may be called from any thread; FlushCache() and
// FillReport() from one thread at a time (the store writer after each of the
// run's batches, then the caller of Ingest() once every batch is written).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "docpipe/document.h"
#include "docpipe/ingest.h"
#include "docpipe/llm_client.h"
#include "docpipe/llm_enricher.h"
#include "docpipe/status.h"
#include "docpipe/store.h"
#include "core/mutex.h"

namespace docpipe::pipeline {

// The LLM client the enrichment options describe (ingest and the server make
// theirs here); options out of range are kInvalidArgument naming the flag.
Result<std::unique_ptr<LlmClient>> MakeEnrichmentClient(const IngestEnrichOptions& options);

class ChunkEnrichment {
 public:
  // Makes the client (when options.llm_url is set), the enricher and, for
  // the LLM, the store-backed cache. Bad options are kInvalidArgument.
  static Result<std::unique_ptr<ChunkEnrichment>> Make(const IngestEnrichOptions& options, Store& store);

  bool uses_llm() const { return client_ != nullptr; }
  const LlmClient* client() const { return client_.get(); }
  // Tags the chunks and waits for the results: the heuristic tagger on the
  // calling thread, or the LLM (every request in flight at once). The
  // results' ids count from `first_id` (chunks may be one range of a
  // document's chunks).
  std::vector<EnrichmentResult> Tag(std::span<const Chunk> chunks, size_t first_id = 0);
  // The heuristic tagger even where the LLM is used (a request that asks to skip it).
  std::vector<EnrichmentResult> TagHeuristic(std::span<const Chunk> chunks);
  // Hands the chunks to the LLM and returns at once; `done` runs exactly once,
  // on the client's I/O thread or (all cached) on this one.
  void Submit(const std::vector<Chunk>& chunks, std::function<void(std::vector<EnrichmentResult>)> done);
  // Writes the LLM results the cache has queued.
  Status FlushCache();
  // Request, retry, cache and breaker counters of the run so far.
  void FillReport(IngestEnrichmentReport& report) const;
  // Chunks tagged, by the LLM, from the cache, by the fallback, over both taggers.
  EnrichmentStats stats() const;

 private:
  // Destroyed in reverse: the client first, which joins its I/O thread, so no
  // completion can still be running in the enricher when it goes (ingest
  // destroys this only after every document came back, so the client has
  // nothing left to cancel); then the enricher; then the cache both used.
  std::unique_ptr<StoreEnrichmentCache> cache_;
  std::unique_ptr<Enricher> heuristic_;  // TagHeuristic()'s; the same as enricher_ without an LLM
  std::unique_ptr<Enricher> llm_;        // with the client; null without one
  Enricher* enricher_ = nullptr;          // llm_ or heuristic_
  std::unique_ptr<LlmClient> client_;
  std::string producer_;
  mutable Mutex seconds_mutex_;
  double seconds_ DOCPIPE_GUARDED_BY(seconds_mutex_) = 0;
};

// Documents whose chunks are with the LLM. A worker hands a document over and
// moves on; the LLM's completion parks it in `finished_`, from where the store
// stage takes it. At most `max_documents` are out at once: past that, the
// handing worker waits, which is the pipeline's backpressure when the LLM is
// the bottleneck.
template <typename ItemPtr>
class DocumentsAtLlm {
 public:
  explicit DocumentsAtLlm(int max_documents) : max_documents_(max_documents) {}

  // Blocks while the queue is full, then calls `submit(item, on_done)`; the
  // caller's submit must arrange for `on_done` to be called exactly once.
  template <typename SubmitFn>
  void Hand(ItemPtr item, SubmitFn submit) {
    {
      MutexLock lock(mutex_);
      while (outstanding_ >= max_documents_) lock.Wait(room_);
      ++outstanding_;
    }
    auto* raw = item.release();
    submit(raw, [this, raw] {
      MutexLock lock(mutex_);
      finished_.emplace_back(raw);
      --outstanding_;
      room_.notify_all();
    });
  }

  // Documents finished so far, without waiting.
  std::vector<ItemPtr> TakeFinished() {
    MutexLock lock(mutex_);
    return std::exchange(finished_, {});
  }

  // Waits for every handed document; returns those not yet taken.
  std::vector<ItemPtr> TakeAll() {
    MutexLock lock(mutex_);
    while (outstanding_ > 0) lock.Wait(room_);
    return std::exchange(finished_, {});
  }

 private:
  const int max_documents_;
  Mutex mutex_;
  std::condition_variable room_;
  int outstanding_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  std::vector<ItemPtr> finished_ DOCPIPE_GUARDED_BY(mutex_);
};

}  // namespace docpipe::pipeline
