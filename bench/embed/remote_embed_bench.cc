// Remote embedding throughput: texts embedded through MakeTextEmbedder's remote
// embedder by several threads at once (as ingest workers call it), against the
// test stand-in server (tests/llm) answering in a fixed latency. The server
// runs in a child process, so this process's CPU time is the client's alone:
// serialising, HTTP, parsing the vectors.
// Usage: docpipe_remote_embed_bench [--threads N] [--batches N] [--batch N] [--latency-ms N]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "../cpu_seconds.h"
#include "docpipe/text_embedder.h"
#include "fake_llm_server.h"

namespace {

struct ServerProcess {
  pid_t pid;
  int stop_fd;  // closing it stops the server
};

// Serves until its parent closes the pipe; writes the port first.
ServerProcess StartServer(int latency_ms, int* port) {
  int to_child[2], to_parent[2];
  if (pipe(to_child) != 0 || pipe(to_parent) != 0) std::abort();
  pid_t pid = fork();
  if (pid == 0) {
    close(to_child[1]);
    close(to_parent[0]);
    docpipe::testing::FakeLlmServer server({.latency_ms = latency_ms, .embedding_dimension = 384});
    int served = server.port();
    if (write(to_parent[1], &served, sizeof(served)) != sizeof(served)) _exit(1);
    char byte;
    while (read(to_child[0], &byte, 1) > 0) {
    }
    std::printf("server: %d requests over %d connections\n", server.requests(), server.connections());
    std::fflush(stdout);
    _exit(0);
  }
  close(to_child[0]);
  close(to_parent[1]);
  if (read(to_parent[0], port, sizeof(*port)) != sizeof(*port)) std::abort();
  close(to_parent[0]);
  return {pid, to_child[1]};
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 4, batches = 200, batch = 16, latency_ms = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (arg == "--threads") threads = value;
    else if (arg == "--batches") batches = value;
    else if (arg == "--batch") batch = value;
    else if (arg == "--latency-ms") latency_ms = value;
    else {
      std::fprintf(stderr, "usage: %s [--threads N] [--batches N] [--batch N] [--latency-ms N]\n", argv[0]);
      return 2;
    }
  }
  int port = 0;
  ServerProcess server = StartServer(latency_ms, &port);
  docpipe::TextEmbedderOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  options.remote_model = "bench-embed";
  options.batch_size = batch;
  auto embedder = docpipe::MakeTextEmbedder(options);
  if (!embedder.ok()) {
    std::fprintf(stderr, "%s\n", embedder.status().ToString().c_str());
    return 3;
  }
  std::vector<std::string> texts;
  for (int i = 0; i < batch; ++i) {
    texts.push_back("Chunk " + std::to_string(i) + ": the scheduler keeps a bounded queue between stages, so the "
                    "pipeline applies backpressure when the store falls behind the embedding workers.");
  }
  double cpu_start = docpipe::bench::CpuSeconds();
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  std::vector<int> failed(threads, 0);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int b = 0; b < batches; ++b) failed[t] += !(*embedder)->Embed(texts).ok();
    });
  }
  for (std::thread& worker : workers) worker.join();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = docpipe::bench::CpuSeconds() - cpu_start;
  int requests = threads * batches, failures = 0;
  for (int f : failed) failures += f;
  std::printf("%d threads x %d requests of %d texts, server latency %d ms: %.3f s wall, %.0f requests/s, "
              "client CPU %.3f ms/request, %d failed\n",
              threads, batches, batch, latency_ms, wall, requests / wall, cpu * 1000.0 / requests, failures);
  std::printf("{\"wall_seconds\": %.4f, \"requests_per_second\": %.1f, \"client_cpu_ms_per_request\": %.4f, "
              "\"failed\": %d}\n",
              wall, requests / wall, cpu * 1000.0 / requests, failures);
  std::fflush(stdout);
  embedder->reset();  // closes the connections before the server reports
  close(server.stop_fd);
  waitpid(server.pid, nullptr, 0);
  return failures == 0 ? 0 : 1;
}
