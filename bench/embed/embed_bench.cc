// docpipe_embed_bench: throughput of the native embedding engine on one model
// folder, next to the machine's measured single-precision GEMM peak.
//
//   docpipe_embed_bench --model DIR --tokens 128 --texts 64 --threads 1 --batch 32
//
// Every text is long enough to be truncated to exactly --tokens tokens. Prints
// one JSON object: sentences/s, achieved GFLOP/s, the OpenBLAS sgemm peak on
// the same number of threads, the fraction of peak, load time and peak RSS.
#include <cblas.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "docpipe/embedder.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Best of several runs of `threads` concurrent single-threaded sgemm calls,
// the same arrangement the engine uses (one BLAS stream per worker).
double SgemmPeakGflops(int threads, int n) {
  std::vector<std::vector<float>> a(threads), b(threads), c(threads);
  for (int t = 0; t < threads; ++t) {
    a[t].assign(size_t(n) * n, 0.5f);
    b[t].assign(size_t(n) * n, 0.25f);
    c[t].assign(size_t(n) * n, 0.0f);
  }
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const auto start = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
      workers.emplace_back([&, t] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a[t].data(), n, b[t].data(), n,
                    0.0f, c[t].data(), n);
      });
    for (auto& w : workers) w.join();
    best = std::max(best, 2.0 * n * n * double(n) * threads / Seconds(start) / 1e9);
  }
  return best;
}

std::vector<std::string> LongTexts(size_t count, int tokens, unsigned seed) {
  static const char* kWords[] = {"the",      "quick",  "brown",  "fox",  "jumps", "over",
                                 "lazy",     "dog",    "number", "text", "long",  "enough",
                                 "sequence", "length", "hello",  "world"};
  std::mt19937 rng(seed);
  std::vector<std::string> texts(count);
  for (auto& text : texts)
    for (int w = 0; w < tokens * 2; ++w) text += std::string(kWords[rng() % 16]) + " ";
  return texts;
}

// VmHWM, not getrusage's ru_maxrss: the latter survives exec and would
// report a large parent's (the Python driver's) peak instead of ours.
long PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Throughput of docpipe's native embedding engine against the machine's sgemm peak"};
  std::string folder;
  int tokens = 128, texts = 64, threads = 1, batch = 32, repeats = 3;
  app.add_option("--model", folder, "sentence-transformers model folder")->required();
  app.add_option("--tokens", tokens, "Tokens per text (texts are truncated to exactly this)");
  app.add_option("--texts", texts, "Texts per timed run");
  app.add_option("--threads", threads, "Worker threads (one session each)");
  app.add_option("--batch", batch, "Texts per encoder call");
  app.add_option("--repeats", repeats, "Timed runs; the best is reported");
  CLI11_PARSE(app, argc, argv);

  auto load_start = Clock::now();
  docpipe::EmbeddingModelOptions options;
  options.folder = folder;
  options.max_seq_length = tokens;
  options.max_batch_texts = batch;
  auto model = docpipe::EmbeddingModel::Load(options);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", model.status().ToString().c_str());
    return 1;
  }
  const double load_s = Seconds(load_start);
  const auto inputs = LongTexts(static_cast<size_t>(texts), tokens, 42);
  if ((*model)->Tokenize(inputs[0]).size() != static_cast<size_t>(tokens)) {
    std::fprintf(stderr, "texts do not reach %d tokens\n", tokens);
    return 1;
  }
  // Work per run, from a session's own FLOP count.
  auto session = docpipe::EmbeddingSession::Make(*model);
  if (!session.ok() || !(*session)->Embed({inputs[0]}).ok()) return 1;
  const double flops = (*session)->flops() * texts;

  const double peak_before = SgemmPeakGflops(threads, 1024);
  double best_s = 1e30;
  auto warmup = docpipe::EmbedInParallel(*model, inputs, threads);  // grows buffers, faults in pages
  if (!warmup.ok()) return 1;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    auto vectors = docpipe::EmbedInParallel(*model, inputs, threads);
    best_s = std::min(best_s, Seconds(start));
    if (!vectors.ok()) return 1;
  }
  // On a shared machine the peak moves; measure it on both sides of the runs.
  const double peak = std::max(peak_before, SgemmPeakGflops(threads, 1024));
  const double achieved = flops / best_s / 1e9;
  nlohmann::json out = {{"model", (*model)->Identity().name},
                        {"architecture", (*model)->info().architecture},
                        {"tokens", tokens},
                        {"texts", texts},
                        {"threads", threads},
                        {"batch", batch},
                        {"load_s", load_s},
                        {"seconds", best_s},
                        {"sentences_per_s", texts / best_s},
                        {"gflops", achieved},
                        {"sgemm_peak_gflops", peak},
                        {"fraction_of_peak", achieved / peak},
                        {"peak_rss_mb", PeakRssKb() / 1024.0},
                        {"mapped_mb", (*model)->info().mapped_bytes / 1e6}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
