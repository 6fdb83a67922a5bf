// Enricher: tags and entities for batches of chunks, from an LLM when one is
// configured, from the heuristic tagger otherwise, never without an answer.
//
// For each chunk: a cache hit is returned as is; otherwise the chunk goes to
// the LLM (alone, or with up to `batch_size - 1` others in one request, each
// carrying its id). The reply is validated against the prompt's JSON schema
// and every entity's offsets are checked against the chunk text. An invalid
// reply gets one repair request (the model is shown its output and the
// validation error); a chunk whose id is missing from a batched reply is asked
// about alone. When all that fails, or the client gives up (retries spent,
// breaker open), the chunk gets the heuristic result marked kFallback, and the
// failure is counted. Validated LLM results go to the cache.
//
// Threading contract: Enrich() may be called from any thread and returns at
// once; cache lookups happen on the calling thread, network I/O on the
// client's I/O thread. `done` runs exactly once per Enrich() call, either on
// the calling thread (everything cached, or no LLM) or on the client's I/O
// thread, and must be short and non-blocking: hand the results to a queue.
// The pipeline is expected to keep several batches in flight (bounded by the
// client's max_in_flight) while its CPU workers carry on. stats() is safe at
// any time. Destroy the Enricher only after every `done` has run.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "docpipe/llm_cache.h"
#include "docpipe/llm_client.h"
#include "docpipe/status.h"
#include "docpipe/tagging.h"
#include "docpipe/taxonomy.h"

namespace docpipe {

struct EnrichmentInput {
  std::string id;    // unique within one Enrich() call; echoed in the result
  std::string text;  // UTF-8
};

struct EnricherOptions {
  ExtractKinds kinds;
  std::shared_ptr<const Taxonomy> taxonomy;  // null: Taxonomy::Default()
  LlmClient* client = nullptr;               // not owned; null: heuristic tagger only
  EnrichmentCache* cache = nullptr;          // not owned; may be null
  int batch_size = 1;                        // chunks per LLM request (--llm-batch)
  int max_entities = 64;                     // per chunk, asked of the model
};

struct EnrichmentStats {
  int64_t chunks = 0;
  int64_t llm_results = 0;        // answered by the LLM in this process
  int64_t cache_hits = 0;
  int64_t heuristic_results = 0;  // no LLM configured
  int64_t fallbacks = 0;          // LLM failed; heuristic stood in
  int64_t llm_requests = 0;       // requests sent (batches, repairs, singles)
  int64_t invalid_outputs = 0;    // replies that failed JSON parsing or schema validation
  int64_t repairs = 0;            // repair requests sent
  int64_t repairs_succeeded = 0;
  int64_t missing_ids = 0;        // chunks absent from a batched reply, then asked alone
  int64_t request_failures = 0;   // requests the client gave up on
  int64_t entities_dropped = 0;   // entities whose text was not found in the chunk
  int64_t entities_realigned = 0; // entities whose offsets were wrong but text found nearby
};

using EnrichCallback = std::function<void(std::vector<EnrichmentResult>)>;

class Enricher {
 public:
  static Result<std::unique_ptr<Enricher>> Make(const EnricherOptions& options);
  virtual ~Enricher() = default;

  // Results come back in the order of `inputs`.
  virtual void Enrich(std::vector<EnrichmentInput> inputs, EnrichCallback done) = 0;
  std::future<std::vector<EnrichmentResult>> Enrich(std::vector<EnrichmentInput> inputs);

  virtual EnrichmentStats stats() const = 0;
  // "tags+entities/v1/<taxonomy fingerprint>": the cache key's prompt part.
  virtual const std::string& prompt_version() const = 0;
};

}  // namespace docpipe
