// LLM enrichment throughput: chunks through the Enricher and LlmClient against
// the fake server answering in a fixed latency (887 ms by default, the
// write-ups' figure per call). Scenarios, in one run:
//   10 chunks at concurrency 1 and at 10; 1,000 chunks at concurrency 32
// and the client's CPU time per request (caller thread + I/O thread).
// Usage: docpipe_llm_bench [--latency-ms N] [--chunks N] [--concurrency N] [--quick]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docpipe/llm_enricher.h"
#include "fake_llm_server.h"

namespace {

using docpipe::testing::FakeLlmServer;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<docpipe::EnrichmentInput> Chunks(int n) {
  const std::string body =
      "The scheduler assigns each worker thread to a CPU core and keeps a bounded queue between stages, so the "
      "pipeline applies backpressure when the store falls behind. In 2023 the team at Acme Systems Inc. measured "
      "a 3.4x speedup on 4 cores; Dr. Jane Smith presented the results in Berlin on 12 May 2023. ";
  std::vector<docpipe::EnrichmentInput> chunks;
  for (int i = 0; i < n; ++i) chunks.push_back({"chunk-" + std::to_string(i), "Chunk " + std::to_string(i) + ". " + body + body});
  return chunks;
}

struct Run {
  int chunks = 0, concurrency = 0;
  double wall = 0, ideal = 0, caller_cpu = 0, io_cpu = 0;
  int64_t requests = 0, llm_results = 0, fallbacks = 0;
  int server_max_concurrent = 0;
};

Run Measure(int chunks, int concurrency, int latency_ms) {
  FakeLlmServer server({.latency_ms = latency_ms});
  docpipe::LlmClientOptions options;
  options.base_url = server.url();
  options.model = "bench-model";
  options.max_in_flight = concurrency;
  auto client = std::move(docpipe::LlmClient::Make(options)).value();
  docpipe::EnricherOptions enricher_options;
  enricher_options.client = client.get();
  auto enricher = std::move(docpipe::Enricher::Make(enricher_options)).value();
  std::vector<docpipe::EnrichmentInput> inputs = Chunks(chunks);

  auto start = std::chrono::steady_clock::now();
  double cpu_start = ThreadCpuSeconds();
  auto future = enricher->Enrich(std::move(inputs));
  double caller_cpu = ThreadCpuSeconds() - cpu_start;
  std::vector<docpipe::EnrichmentResult> results = future.get();
  Run run;
  run.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.chunks = chunks;
  run.concurrency = concurrency;
  run.ideal = static_cast<double>(chunks) / concurrency * latency_ms / 1000.0;
  run.caller_cpu = caller_cpu;
  run.io_cpu = client->stats().io_thread_cpu_seconds;
  run.requests = enricher->stats().llm_requests;
  run.llm_results = enricher->stats().llm_results;
  run.fallbacks = enricher->stats().fallbacks;
  run.server_max_concurrent = server.max_concurrent();
  return run;
}

nlohmann::json Report(const Run& run) {
  double cpu_ms_per_request = (run.caller_cpu + run.io_cpu) * 1000.0 / static_cast<double>(std::max<int64_t>(run.requests, 1));
  std::printf("%5d chunks, concurrency %3d: %8.3f s wall (ideal %.3f s, %+.1f%%), %lld requests, %d max in flight "
              "at the server, client CPU %.3f ms/request (caller %.3f s + I/O thread %.3f s), fallbacks %lld\n",
              run.chunks, run.concurrency, run.wall, run.ideal, (run.wall / run.ideal - 1) * 100,
              static_cast<long long>(run.requests), run.server_max_concurrent, cpu_ms_per_request, run.caller_cpu,
              run.io_cpu, static_cast<long long>(run.fallbacks));
  std::fflush(stdout);
  return {{"chunks", run.chunks},          {"concurrency", run.concurrency},
          {"wall_seconds", run.wall},      {"ideal_seconds", run.ideal},
          {"requests", run.requests},      {"llm_results", run.llm_results},
          {"fallbacks", run.fallbacks},    {"server_max_concurrent", run.server_max_concurrent},
          {"client_cpu_ms_per_request", cpu_ms_per_request}};
}

}  // namespace

int main(int argc, char** argv) {
  int latency_ms = 887, chunks = 1000, concurrency = 32;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if (i + 1 < argc && (arg == "--latency-ms" || arg == "--chunks" || arg == "--concurrency")) {
      int value = std::atoi(argv[++i]);
      (arg == "--latency-ms" ? latency_ms : arg == "--chunks" ? chunks : concurrency) = value;
    } else {
      std::fprintf(stderr, "usage: %s [--latency-ms N] [--chunks N] [--concurrency N] [--quick]\n", argv[0]);
      return 2;
    }
  }
  std::printf("fake LLM server latency %d ms\n", latency_ms);
  nlohmann::json runs = nlohmann::json::array();
  if (!quick) runs.push_back(Report(Measure(10, 1, latency_ms)));
  runs.push_back(Report(Measure(10, 10, latency_ms)));
  runs.push_back(Report(Measure(chunks, concurrency, latency_ms)));
  std::printf("%s\n", nlohmann::json{{"latency_ms", latency_ms}, {"runs", runs}}.dump().c_str());
  return 0;
}
