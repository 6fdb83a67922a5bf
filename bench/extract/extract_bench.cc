// Record extraction throughput and robustness: 20 ten-page papers through the
// Extractor and LlmClient against the stand-in server answering in a fixed
// latency (887 ms, the write-ups' figure per call). In one run:
//   1. --llm-concurrency 16, no failures: wall time against the ideal
//      (request rounds x latency) and the client's CPU per request (the
//      submitting thread + the client's I/O thread; conversion not included:
//      the documents are built in memory).
//   2. The same with 30% of requests failing (HTTP 500) and 10% of answers
//      broken JSON: every document must end ok or failed, and no request body
//      that was answered may be sent again.
// Usage: docpipe_extract_bench [--latency-ms N] [--papers N] [--concurrency N]
#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "docpipe/extract.h"
#include "fake_llm_server.h"

namespace {

using docpipe::testing::FakeLlmServer;
using Clock = std::chrono::steady_clock;

const char* kSchema = R"({"type": "object", "required": ["title"], "properties": {
  "title": {"type": "string"}, "authors": {"type": "array", "items": {"type": "string"}},
  "year": {"type": "integer"}, "datasets": {"type": "array", "items": {"type": "string"}}}})";

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A paper of `pages` pages, two chunks of about 230 tokens per page.
docpipe::ExtractionDocument Paper(int number, int pages) {
  const std::string prose =
      "We study how document pipelines schedule conversion and model calls so that the slowest stage sets the pace "
      "and every other stage keeps up without unbounded queues. The measurements cover throughput, latency and the "
      "share of time spent waiting on the network rather than computing, on corpora of scientific articles. ";
  docpipe::ExtractionDocument document;
  for (int page = 1; page <= pages; ++page) {
    for (int part = 0; part < 2; ++part) {
      std::string text = prose + prose + prose;
      if (page == 1 && part == 0) {
        text = "title: Paper " + std::to_string(number) + "\nauthors: Ada Lovelace\nyear: 2024\n" + text;
      }
      if (page == pages && part == 1) text += "\ndatasets: arXiv-" + std::to_string(number);
      document.chunks.push_back({static_cast<int64_t>(document.chunks.size()), text, page, page});
    }
  }
  return document;
}

struct Outcome {
  double wall = 0, client_cpu = 0;
  int ok = 0, failed = 0, groups_max = 0;
  docpipe::ExtractorStats stats;
  docpipe::LlmClientStats client;
};

Outcome Run(FakeLlmServer& server, int papers, int concurrency, int context_tokens) {
  docpipe::LlmClientOptions client_options;
  client_options.base_url = server.url() + "/v1";
  client_options.protocol = docpipe::LlmProtocol::kOpenAiChat;
  client_options.model = "bench-model";
  client_options.max_in_flight = concurrency;
  client_options.max_retries = 4;
  client_options.backoff_initial = std::chrono::milliseconds(50);
  client_options.breaker_failure_threshold = 1000;  // the failures here are injected, not a dead server
  auto client = docpipe::LlmClient::Make(client_options).value();
  docpipe::ExtractorOptions options;
  options.schema = docpipe::ParseExtractionSchema(kSchema).value();
  options.client = client.get();
  options.context_tokens = context_tokens;
  options.evidence = true;
  auto extractor = docpipe::Extractor::Make(options).value();

  std::vector<docpipe::ExtractionDocument> documents;
  for (int i = 0; i < papers; ++i) documents.push_back(Paper(i, 10));
  Outcome outcome;
  double cpu_start = ThreadCpuSeconds();
  Clock::time_point start = Clock::now();
  std::vector<std::future<docpipe::ExtractionResult>> futures;
  for (auto& document : documents) futures.push_back(extractor->Extract(std::move(document)));
  for (auto& future : futures) {
    docpipe::ExtractionResult result = future.get();
    ++(result.status == docpipe::ExtractionStatus::kOk ? outcome.ok : outcome.failed);
    outcome.groups_max = std::max(outcome.groups_max, result.groups);
  }
  outcome.wall = std::chrono::duration<double>(Clock::now() - start).count();
  outcome.stats = extractor->stats();
  outcome.client = client->stats();
  outcome.client_cpu = ThreadCpuSeconds() - cpu_start + outcome.client.io_thread_cpu_seconds;
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  int latency_ms = 887, papers = 20, concurrency = 16, context_tokens = 8192;
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], "--latency-ms")) latency_ms = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--papers")) papers = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--concurrency")) concurrency = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--context-tokens")) context_tokens = std::atoi(argv[++i]);
  }

  FakeLlmServer clean({.latency_ms = latency_ms});
  Outcome a = Run(clean, papers, concurrency, context_tokens);
  int64_t requests = a.stats.requests;
  // Requests per document are equal here, so rounds = ceil(total requests / concurrency).
  int rounds = static_cast<int>(std::ceil(static_cast<double>(requests) / concurrency));
  double ideal = rounds * latency_ms / 1000.0;
  std::printf("extract: %d papers x 10 pages, %d request(s) per paper, concurrency %d, latency %d ms\n", papers,
              a.groups_max, concurrency, latency_ms);
  std::printf("  clean:   %d ok, %d failed; %lld requests in %d round(s); wall %.3f s, ideal %.3f s, ratio %.3f "
              "(target <= 1.10)\n",
              a.ok, a.failed, static_cast<long long>(requests), rounds, a.wall, ideal, a.wall / ideal);
  std::printf("           client CPU %.2f ms per request (target <= 5), tokens in %lld / out %lld\n",
              1000.0 * a.client_cpu / static_cast<double>(std::max<int64_t>(requests, 1)),
              static_cast<long long>(a.stats.tokens_in), static_cast<long long>(a.stats.tokens_out));

  FakeLlmServer faulty({.latency_ms = latency_ms, .fail_percent = 30, .broken_json_percent = 10});
  Outcome b = Run(faulty, papers, concurrency, context_tokens);
  bool all_accounted = b.ok + b.failed == papers;
  std::printf("  faulty (30%% HTTP 500, 10%% broken JSON): %d ok, %d failed (of %d: %s); %lld attempts, %lld "
              "retries, %lld repairs; answered bodies sent again: %d (target 0); wall %.3f s\n",
              b.ok, b.failed, papers, all_accounted ? "all accounted for" : "SOME MISSING",
              static_cast<long long>(b.client.attempts), static_cast<long long>(b.client.retries),
              static_cast<long long>(b.stats.repairs), faulty.repeated_after_answer(), b.wall);
  return all_accounted && faulty.repeated_after_answer() == 0 ? 0 : 1;
}
