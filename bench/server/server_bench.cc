// docpipe serve benchmarks.
//
//   docpipe_server_bench llm [--repeats 5] [--latency-ms 887]
//     The write-ups' case: POST /ingest with 10 chunks while the LLM takes
//     887 ms per call (the fake LLM server of tests/llm, in this process).
//     Their parallelised Python API answered in 1.5 s; prints our times and
//     the ratio against that figure.
//   docpipe_server_bench fill --port P --chunks N [--batch 500] [--words 60] [--skip-embedding]
//     Fills a running server's store through POST /ingest (skip_llm) with
//     generated text, for the /search latency figures.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "docpipe/server.h"
#include "fake_llm_server.h"

namespace {

constexpr double kWriteUpsSeconds = 1.5;  // their POST /ingest of 10 chunks, after parallelising

const char* const kWords[] = {"coral", "reef", "photosynthesis", "light", "energy", "protein", "enzyme", "river",
                              "delta", "sediment", "climate", "model", "ocean", "current", "carbon", "storage",
                              "network", "latency", "index", "search", "vector", "document", "archive", "field",
                              "survey", "species", "habitat", "forest", "soil", "nitrogen", "cycle", "glacier"};

std::string Text(std::mt19937& rng, int words) {
  std::string text;
  std::uniform_int_distribution<size_t> pick(0, std::size(kWords) - 1);
  for (int i = 0; i < words; ++i) text += std::string(i ? " " : "") + kWords[pick(rng)];
  return text + " " + std::to_string(rng());
}

int Arg(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return fallback;
}

bool Flag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return true;
  }
  return false;
}

int RunLlmCase(int argc, char** argv) {
  const int repeats = Arg(argc, argv, "--repeats", 5);
  docpipe::testing::FakeLlmServer llm({.latency_ms = Arg(argc, argv, "--latency-ms", 887)});
  char dir[] = "/tmp/docpipe-server-bench-XXXXXX";
  if (mkdtemp(dir) == nullptr) return 3;
  docpipe::ServerConfig config;
  config.db = std::string(dir) + "/kb.sqlite";
  config.port = 0;
  config.enrich.llm_url = llm.url();
  config.enrich.llm_concurrency = 16;
  auto server = docpipe::Server::Make(config);
  if (!server.ok() || !(*server)->Start().ok()) {
    std::fprintf(stderr, "cannot start the server: %s\n", server.status().ToString().c_str());
    return 3;
  }
  httplib::Client client("127.0.0.1", (*server)->port());
  client.set_read_timeout(120, 0);
  std::mt19937 rng(7);
  std::vector<double> seconds;
  std::printf("POST /ingest, 10 chunks, LLM at %d ms per call\n", Arg(argc, argv, "--latency-ms", 887));
  for (int r = 0; r < repeats; ++r) {
    nlohmann::json chunks = nlohmann::json::array();
    for (int i = 0; i < 10; ++i) chunks.push_back({{"text", Text(rng, 80)}});  // new texts: no cache hits
    std::string body = nlohmann::json{{"chunks", chunks}, {"dataset_source", "bench"}}.dump();
    auto start = std::chrono::steady_clock::now();
    auto result = client.Post("/ingest", body, "application/json");
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result || result->status != 200) {
      std::fprintf(stderr, "request failed: %s\n", result ? result->body.c_str() : "no answer");
      return 1;
    }
    auto reply = nlohmann::json::parse(result->body);
    std::printf("  run %d: %.3f s (server: enrich %.3f s, store %.4f s; tagged by llm: %d)\n", r + 1, s,
                reply["timings"]["enrich_seconds"].get<double>(), reply["timings"]["store_seconds"].get<double>(),
                reply["enrichment"].value("llm", 0));
    seconds.push_back(s);
  }
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  std::printf("median %.3f s, worst %.3f s; write-ups %.1f s -> %.2fx faster; LLM requests %d, most at once %d\n",
              median, seconds.back(), kWriteUpsSeconds, kWriteUpsSeconds / median, llm.requests(),
              llm.max_concurrent());
  (*server)->Shutdown();
  std::filesystem::remove_all(dir);
  return 0;
}

int RunFill(int argc, char** argv) {
  const int port = Arg(argc, argv, "--port", 8004), total = Arg(argc, argv, "--chunks", 100000);
  const int batch = Arg(argc, argv, "--batch", 500), words = Arg(argc, argv, "--words", 60);
  const bool skip_embedding = Flag(argc, argv, "--skip-embedding");
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(600, 0);
  std::mt19937 rng(11);
  auto start = std::chrono::steady_clock::now();
  for (int done = 0; done < total; done += batch) {
    nlohmann::json chunks = nlohmann::json::array();
    for (int i = 0; i < std::min(batch, total - done); ++i) chunks.push_back({{"text", Text(rng, words)}});
    std::string body = nlohmann::json{{"chunks", chunks}, {"dataset_source", "fill"}, {"skip_llm", true},
                                      {"skip_embedding", skip_embedding}}.dump();
    auto result = client.Post("/ingest", body, "application/json");
    if (!result || result->status != 200) {
      std::fprintf(stderr, "fill failed at %d: %s\n", done, result ? result->body.c_str() : "no answer");
      return 1;
    }
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("filled %d chunks in %.1f s (%.0f chunks/s, batches of %d)\n", total, s, total / s, batch);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "llm") == 0) return RunLlmCase(argc, argv);
  if (argc >= 2 && std::strcmp(argv[1], "fill") == 0) return RunFill(argc, argv);
  std::fprintf(stderr, "usage: docpipe_server_bench llm|fill [options] (see the opening comment)\n");
  return 2;
}
