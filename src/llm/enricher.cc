// Enricher: cache, batching, validation, repair, per-id retry and fallback.
// Reply handling runs on the LLM client's I/O thread; each Enrich() call is a
// Job whose result slots are each written exactly once, by whichever thread
// settles that chunk, and handed to `done` when the last one is settled.
#include <atomic>

#include "core/sha256.h"
#include "docpipe/llm_enricher.h"
#include "llm/extraction_prompt.h"

namespace docpipe {
namespace {

using llm_internal::EntityCheckCounts;
using llm_internal::ExtractionPrompt;

struct Job {
  std::vector<EnrichmentInput> inputs;
  std::vector<EnrichmentResult> results;
  std::vector<std::string> text_sha256;
  std::atomic<size_t> remaining{0};
  EnrichCallback done;
};
using JobPtr = std::shared_ptr<Job>;

struct AtomicStats {
  std::atomic<int64_t> chunks{0}, llm_results{0}, cache_hits{0}, heuristic_results{0}, fallbacks{0},
      llm_requests{0}, invalid_outputs{0}, repairs{0}, repairs_succeeded{0}, missing_ids{0},
      request_failures{0}, entities_dropped{0}, entities_realigned{0};
};

class EnricherImpl final : public Enricher {
 public:
  explicit EnricherImpl(const EnricherOptions& options)
      : options_(options), taxonomy_(options.taxonomy ? options.taxonomy : Taxonomy::Default()),
        heuristic_(taxonomy_), prompt_(taxonomy_, options.kinds, options.max_entities) {}

  void Enrich(std::vector<EnrichmentInput> inputs, EnrichCallback done) override;
  EnrichmentStats stats() const override;
  const std::string& prompt_version() const override { return prompt_.version(); }

 private:
  EnrichmentCacheKey Key(const std::string& sha256) const {
    return {options_.client->options().model, prompt_.version(), sha256};
  }
  void Send(const JobPtr& job, std::vector<size_t> indices, bool repair, std::string bad_reply, std::string error);
  void OnReply(const JobPtr& job, const std::vector<size_t>& indices, bool repair, Result<LlmResponse> response);
  void Settle(const JobPtr& job, size_t index, EnrichmentResult result);
  void FallBack(const JobPtr& job, const std::vector<size_t>& indices, const std::string& why);
  std::vector<const EnrichmentInput*> Chunks(const JobPtr& job, const std::vector<size_t>& indices) const;

  const EnricherOptions options_;
  const std::shared_ptr<const Taxonomy> taxonomy_;
  const HeuristicTagger heuristic_;
  const ExtractionPrompt prompt_;
  mutable AtomicStats stats_;
};

void EnricherImpl::Enrich(std::vector<EnrichmentInput> inputs, EnrichCallback done) {
  auto job = std::make_shared<Job>();
  job->inputs = std::move(inputs);
  job->results.resize(job->inputs.size());
  job->text_sha256.resize(job->inputs.size());
  job->done = std::move(done);
  stats_.chunks += static_cast<int64_t>(job->inputs.size());
  std::vector<size_t> pending;
  for (size_t i = 0; i < job->inputs.size(); ++i) {
    const EnrichmentInput& input = job->inputs[i];
    if (options_.client == nullptr) {
      job->results[i] = heuristic_.Tag(input.id, input.text, options_.kinds);
      ++stats_.heuristic_results;
      continue;
    }
    job->text_sha256[i] = Sha256Hex(input.text);
    std::optional<EnrichmentResult> cached =
        options_.cache != nullptr ? options_.cache->Get(Key(job->text_sha256[i])) : std::nullopt;
    if (cached) {
      cached->id = input.id;
      cached->from_cache = true;
      job->results[i] = std::move(*cached);
      ++stats_.cache_hits;
      continue;
    }
    pending.push_back(i);
  }
  if (pending.empty()) {
    job->done(std::move(job->results));
    return;
  }
  job->remaining = pending.size();
  size_t batch = static_cast<size_t>(std::max(1, options_.batch_size));
  for (size_t first = 0; first < pending.size(); first += batch) {
    std::vector<size_t> group(pending.begin() + first, pending.begin() + std::min(pending.size(), first + batch));
    Send(job, std::move(group), /*repair=*/false, {}, {});
  }
}

std::vector<const EnrichmentInput*> EnricherImpl::Chunks(const JobPtr& job, const std::vector<size_t>& indices) const {
  std::vector<const EnrichmentInput*> chunks;
  for (size_t index : indices) chunks.push_back(&job->inputs[index]);
  return chunks;
}

void EnricherImpl::Send(const JobPtr& job, std::vector<size_t> indices, bool repair, std::string bad_reply,
                        std::string error) {
  std::vector<const EnrichmentInput*> chunks = Chunks(job, indices);
  LlmRequest request = repair ? prompt_.RepairRequest(chunks, bad_reply, error) : prompt_.Request(chunks);
  ++stats_.llm_requests;
  options_.client->Submit(std::move(request),
                          [this, job, indices = std::move(indices), repair](Result<LlmResponse> response) {
                            OnReply(job, indices, repair, std::move(response));
                          });
}

void EnricherImpl::OnReply(const JobPtr& job, const std::vector<size_t>& indices, bool repair,
                           Result<LlmResponse> response) {
  // A broken reply envelope is the model's (or server's) fault like a schema violation: repair it once.
  bool bad_envelope = !response.ok() && response.status().code() == StatusCode::kCorrupt;
  if (!response.ok() && !bad_envelope) {
    ++stats_.request_failures;
    FallBack(job, indices, response.status().ToString());
    return;
  }
  std::string content = response.ok() ? response->content : std::string();
  EntityCheckCounts counts;
  auto parsed = bad_envelope ? Result<std::unordered_map<std::string, EnrichmentResult>>(response.status())
                             : prompt_.Parse(content, Chunks(job, indices), counts);
  stats_.entities_dropped += counts.dropped;
  stats_.entities_realigned += counts.realigned;
  if (!parsed.ok()) {
    ++stats_.invalid_outputs;
    if (repair) {
      FallBack(job, indices, "invalid LLM output after a repair request: " + parsed.status().message());
      return;
    }
    ++stats_.repairs;
    Send(job, indices, /*repair=*/true, content, parsed.status().message());
    return;
  }
  if (repair) ++stats_.repairs_succeeded;
  std::vector<size_t> missing;
  for (size_t index : indices) {
    auto found = parsed->find(job->inputs[index].id);
    if (found == parsed->end()) {
      missing.push_back(index);
      continue;
    }
    EnrichmentResult result = std::move(found->second);
    result.producer = "llm:" + options_.client->options().model;
    if (options_.cache != nullptr) options_.cache->Put(Key(job->text_sha256[index]), result);
    ++stats_.llm_results;
    Settle(job, index, std::move(result));
  }
  if (missing.empty()) return;
  if (indices.size() == 1) {
    FallBack(job, missing, "the LLM reply has no result for this chunk");
    return;
  }
  for (size_t index : missing) {
    ++stats_.missing_ids;
    Send(job, {index}, /*repair=*/false, {}, {});
  }
}

void EnricherImpl::FallBack(const JobPtr& job, const std::vector<size_t>& indices, const std::string& why) {
  for (size_t index : indices) {
    const EnrichmentInput& input = job->inputs[index];
    EnrichmentResult result = heuristic_.Tag(input.id, input.text, options_.kinds);
    result.source = EnrichmentSource::kFallback;
    result.error = why;
    ++stats_.fallbacks;
    Settle(job, index, std::move(result));
  }
}

void EnricherImpl::Settle(const JobPtr& job, size_t index, EnrichmentResult result) {
  job->results[index] = std::move(result);
  if (job->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) job->done(std::move(job->results));
}

EnrichmentStats EnricherImpl::stats() const {
  EnrichmentStats s;
  s.chunks = stats_.chunks;
  s.llm_results = stats_.llm_results;
  s.cache_hits = stats_.cache_hits;
  s.heuristic_results = stats_.heuristic_results;
  s.fallbacks = stats_.fallbacks;
  s.llm_requests = stats_.llm_requests;
  s.invalid_outputs = stats_.invalid_outputs;
  s.repairs = stats_.repairs;
  s.repairs_succeeded = stats_.repairs_succeeded;
  s.missing_ids = stats_.missing_ids;
  s.request_failures = stats_.request_failures;
  s.entities_dropped = stats_.entities_dropped;
  s.entities_realigned = stats_.entities_realigned;
  return s;
}

}  // namespace

Result<std::unique_ptr<Enricher>> Enricher::Make(const EnricherOptions& options) {
  if (!options.kinds.tags && !options.kinds.entities) return Status::InvalidArgument("nothing to extract");
  if (options.batch_size < 1 || options.batch_size > 256) {
    return Status::InvalidArgument("LLM batch size must be in [1, 256]");
  }
  if (options.max_entities < 1) return Status::InvalidArgument("max_entities must be >= 1");
  return std::unique_ptr<Enricher>(std::make_unique<EnricherImpl>(options));
}

std::future<std::vector<EnrichmentResult>> Enricher::Enrich(std::vector<EnrichmentInput> inputs) {
  auto promise = std::make_shared<std::promise<std::vector<EnrichmentResult>>>();
  auto future = promise->get_future();
  Enrich(std::move(inputs), [promise](std::vector<EnrichmentResult> results) { promise->set_value(std::move(results)); });
  return future;
}

}  // namespace docpipe
