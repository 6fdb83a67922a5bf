// Store throughput: chunks inserted per second through PutDocuments (batched
// transactions, cached prepared statements, FTS5 kept in step by triggers),
// re-ingest of the same paths (delete + insert), and search latency.
//
//   docpipe_store_bench --documents 2000 --chunks 40 --batch 16 [--enrichment]
//
// --enrichment adds tag and entity rows shaped like the heuristic tagger's on
// real manuals (per chunk: a domain, a task, 3-4 modifiers, 5 entities of
// about 7 characters), which are half of an ingest's store writer time.
// Text is synthetic but shaped like prose: words drawn from a Zipf-like
// vocabulary, about --words words per chunk, so the FTS index does real work.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "../cpu_seconds.h"
#include "docpipe/store.h"
#include "docpipe/tagging.h"
#include "store/sqlite_process_policy.h"

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

using docpipe::bench::CpuSeconds;

struct Config {
  int documents = 2000;
  int chunks = 40;
  int words = 180;
  int batch = 16;
  int queries = 200;
  bool enrichment = false;
  bool sqlite_statistics = false;
  std::string dir;
};

class TextMaker {
 public:
  explicit TextMaker(int vocabulary) : random_(42) {
    std::vector<double> weights;
    for (int i = 0; i < vocabulary; ++i) {
      words_.push_back(fmt::format("w{}x{}", i, i % 7 == 0 ? "ing" : "ed"));
      weights.push_back(1.0 / std::pow(i + 1, 1.07));
    }
    pick_ = std::discrete_distribution<int>(weights.begin(), weights.end());
  }

  std::string Text(int words) {
    std::string text;
    for (int i = 0; i < words; ++i) {
      if (i > 0) text += (i % 17 == 0) ? ". " : " ";
      text += words_[pick_(random_)];
    }
    return text;
  }
  const std::string& Word(int rank) const { return words_[rank]; }

 private:
  std::mt19937 random_;
  std::vector<std::string> words_;
  std::discrete_distribution<int> pick_;
};

// Labels drawn from a taxonomy-sized set, entities from the chunk's own words.
docpipe::EnrichmentResult MakeEnrichment(const docpipe::Chunk& chunk, int index) {
  static constexpr const char* kEntityTypes[] = {"term", "other", "date", "quantity", "person"};
  docpipe::EnrichmentResult result;
  result.has_tags = result.has_entities = true;
  result.producer = "heuristic";
  result.tags.domain = {fmt::format("domain-{}", index % 13), 0.7f};
  result.tags.task = {fmt::format("task-{}", index % 11), 0.6f};
  for (int m = 0; m < 3 + index % 2; ++m) {
    result.tags.modifiers.push_back({fmt::format("modifier-{}", (index + m) % 85), 0.5f});
  }
  size_t start = 0;
  for (int e = 0; e < 5 && start < chunk.text.size(); ++e) {
    const size_t end = std::min(chunk.text.find(' ', start), chunk.text.size());
    docpipe::Entity entity;
    entity.text = chunk.text.substr(start, end - start);
    entity.type = kEntityTypes[(index + e) % 5];
    entity.start = static_cast<int64_t>(start);
    entity.end = static_cast<int64_t>(end);
    entity.confidence = 0.5f;
    result.entities.push_back(std::move(entity));
    start = chunk.text.find(' ', end + 40);
    if (start == std::string::npos) break;
    ++start;
  }
  return result;
}

std::vector<docpipe::DocumentWrite> MakeBatch(TextMaker& maker, const Config& config, int first, int count,
                                              const std::string& version, int64_t& bytes) {
  std::vector<docpipe::DocumentWrite> batch;
  for (int d = first; d < first + count; ++d) {
    docpipe::DocumentWrite write;
    write.record.path = fmt::format("corpus/doc-{:06}.pdf", d);
    write.record.sha256 = fmt::format("{}-{:058}", version, d);
    write.record.pages = config.chunks / 4 + 1;
    write.record.metadata.title = fmt::format("Document {}", d);
    int64_t offset = 0;
    for (int c = 0; c < config.chunks; ++c) {
      docpipe::Chunk chunk;
      chunk.ordinal = c;
      chunk.text = maker.Text(config.words);
      chunk.heading_path = {"Chapter " + std::to_string(c / 10 + 1), "Section " + std::to_string(c + 1)};
      chunk.page_start = chunk.page_end = c / 4 + 1;
      chunk.token_count = config.words;
      chunk.char_start = offset;
      chunk.char_end = offset + static_cast<int64_t>(chunk.text.size());
      offset = chunk.char_end + 2;
      bytes += static_cast<int64_t>(chunk.text.size());
      if (config.enrichment) write.enrichments.push_back(MakeEnrichment(chunk, d * config.chunks + c));
      write.chunks.push_back(std::move(chunk));
    }
    batch.push_back(std::move(write));
  }
  return batch;
}

struct Timing {
  double wall = 0, cpu = 0;
};

// Writes every document once, timing only PutDocuments.
Timing Ingest(docpipe::Store& store, TextMaker& maker, const Config& config, const std::string& version,
              int64_t& bytes) {
  Timing timing;
  for (int first = 0; first < config.documents; first += config.batch) {
    int count = std::min(config.batch, config.documents - first);
    std::vector<docpipe::DocumentWrite> batch = MakeBatch(maker, config, first, count, version, bytes);
    auto start = Clock::now();
    double cpu_start = CpuSeconds();
    docpipe::Status status = store.PutDocuments(batch);
    timing.cpu += CpuSeconds() - cpu_start;
    timing.wall += SecondsSince(start);
    if (!status.ok()) {
      fmt::print(stderr, "write failed: {}\n", status.ToString());
      std::exit(1);
    }
  }
  return timing;
}

int Run(const Config& config) {
  std::string dir = config.dir.empty() ? std::filesystem::temp_directory_path().string() : config.dir;
  std::string path = fmt::format("{}/docpipe-store-bench-{}.db", dir, getpid());
  auto opened = docpipe::Store::Open(path);
  if (!opened.ok()) {
    fmt::print(stderr, "{}\n", opened.status().ToString());
    return 1;
  }
  docpipe::Store& store = **opened;
  TextMaker maker(50000);
  const int64_t chunks = int64_t{config.documents} * config.chunks;

  int64_t bytes = 0;
  Timing first = Ingest(store, maker, config, "a", bytes);
  fmt::print("insert:    {} chunks ({:.1f} MB text) in {:.2f} s = {:.0f} chunks/s, {:.1f} MB/s (cpu {:.2f} s = {:.0f} chunks/cpu-s)\n",
             chunks, bytes / 1e6, first.wall, chunks / first.wall, bytes / 1e6 / first.wall, first.cpu,
             chunks / first.cpu);
  int64_t bytes_again = 0;
  Timing replace = Ingest(store, maker, config, "b", bytes_again);
  fmt::print("replace:   {} chunks over the same paths in {:.2f} s = {:.0f} chunks/s (cpu {:.2f} s = {:.0f} chunks/cpu-s)\n",
             chunks, replace.wall, chunks / replace.wall, replace.cpu, chunks / replace.cpu);

  docpipe::SearchOptions options;
  double search_seconds = 0;
  size_t hits = 0;
  for (int q = 0; q < config.queries; ++q) {
    // Two mid-frequency words: selective enough to be a realistic query.
    std::string query = maker.Word(200 + q * 7 % 2000) + " " + maker.Word(50 + q * 13 % 500);
    auto start = Clock::now();
    auto result = store.Search(query, options);
    search_seconds += SecondsSince(start);
    if (!result.ok()) {
      fmt::print(stderr, "search failed: {}\n", result.status().ToString());
      return 1;
    }
    hits += result->size();
  }
  fmt::print("search:    {} queries, top {}, {:.2f} ms mean ({:.1f} hits/query)\n", config.queries, options.k,
             1e3 * search_seconds / config.queries, static_cast<double>(hits) / config.queries);
  fmt::print("file:      {:.1f} MB\n", std::filesystem::file_size(path) / 1e6);
  opened->reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app{"Measures docpipe's SQLite store: chunk insert rate, re-ingest rate and search latency."};
  app.add_option("--documents", config.documents, "documents to write")->check(CLI::PositiveNumber);
  app.add_option("--chunks", config.chunks, "chunks per document")->check(CLI::PositiveNumber);
  app.add_option("--words", config.words, "words per chunk")->check(CLI::PositiveNumber);
  app.add_option("--batch", config.batch, "documents per PutDocuments transaction")->check(CLI::PositiveNumber);
  app.add_option("--queries", config.queries, "search queries to time")->check(CLI::PositiveNumber);
  app.add_flag("--enrichment", config.enrichment, "store tag and entity rows with every chunk");
  app.add_option("--dir", config.dir, "directory for the scratch store (default: the temp directory)");
  app.add_flag("--sqlite-statistics", config.sqlite_statistics,
               "keep SQLite's memory statistics on (its default; the docpipe executable turns them off)");
  CLI11_PARSE(app, argc, argv);
  if (!config.sqlite_statistics) docpipe::store::SkipSqliteMemoryStatistics();
  return Run(config);
}
