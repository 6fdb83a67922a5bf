// `docpipe bench search`: query latency of each search mode over an existing
// store, and the recall of the vector index against exact search.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "bench_commands.h"
#include "command.h"
#include "docpipe/search.h"
#include "docpipe/store.h"
#include "docpipe/vector_index.h"

namespace docpipe::cli {
namespace {

struct BenchSearchFlags {
  std::string db = "docpipe.sqlite";
  std::string queries_file;
  std::string embedder_name;
  std::string index_dir;
  std::string kind = "auto";
  int count = 200;
  int k = 10;
  int ef_search = 96;
  bool by_example = false;
  bool json = false;
};

struct Latencies {
  std::string mode;
  std::vector<double> ms;
  double Percentile(double p) const {
    if (ms.empty()) return 0;
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())))];
  }
};

struct Queries {
  std::vector<std::string> texts;
  std::vector<std::vector<float>> vectors;  // by example: a sampled chunk's vector, slightly moved
};

// Queries from the file, else the first eight words of chunks sampled with a fixed seed.
Result<Queries> LoadQueries(Store& store, const std::string& key, const BenchSearchFlags& flags) {
  Queries queries;
  if (!flags.queries_file.empty()) {
    std::ifstream in(flags.queries_file);
    if (!in) return Status::NotFound("cannot read " + flags.queries_file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) queries.texts.push_back(line);
    }
    return queries;
  }
  std::vector<int64_t> ids;
  DOCPIPE_RETURN_IF_ERROR(store.ForEachVector(key, [&](int64_t id, std::span<const float>) {
    ids.push_back(id);
    return Status::Ok();
  }));
  std::mt19937_64 random(42);
  std::shuffle(ids.begin(), ids.end(), random);
  ids.resize(std::min(ids.size(), static_cast<size_t>(flags.count)));
  std::sort(ids.begin(), ids.end());
  SearchOptions options;
  options.snippet_tokens = 8;
  DOCPIPE_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, store.ChunkHits(ids, options));
  for (SearchHit& hit : hits) {
    std::string query = hit.snippet;
    if (query.ends_with("…")) query.resize(query.size() - std::string("…").size());
    queries.texts.push_back(query);
  }
  if (flags.by_example) {
    std::normal_distribution<float> noise(0.0f, 0.01f);
    size_t next = 0;
    DOCPIPE_RETURN_IF_ERROR(store.ForEachVector(key, [&](int64_t id, std::span<const float> vector) {
      if (next < ids.size() && ids[next] == id) {
        std::vector<float> moved(vector.begin(), vector.end());
        for (float& value : moved) value += noise(random);
        queries.vectors.push_back(std::move(moved));
        ++next;
      }
      return Status::Ok();
    }));
  }
  return queries;
}

struct Run {
  Latencies latencies;
  std::vector<std::vector<int64_t>> ids;  // per query
};

Result<Run> Time(Store& store, const Queries& queries, TextEmbedder* embedder, const VectorIndex* index,
                 SearchMode mode, const std::string& name, int k) {
  QueryOptions options;
  options.mode = mode;
  options.search.k = k;
  Run run;
  run.latencies.mode = name;
  for (size_t q = 0; q < queries.texts.size(); ++q) {
    const std::string& query = queries.texts[q];
    if (!queries.vectors.empty()) options.query_vector = queries.vectors[q];
    const auto start = std::chrono::steady_clock::now();
    Result<std::vector<RankedHit>> hits = SearchChunks(store, query, embedder, options, index);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!hits.ok()) return hits.status().WithContext(fmt::format("{} query '{}'", name, query));
    run.latencies.ms.push_back(ms);
    std::vector<int64_t> ids;
    for (const RankedHit& hit : *hits) ids.push_back(hit.hit.chunk_id);
    run.ids.push_back(std::move(ids));
  }
  return run;
}

double Recall(const Run& approximate, const Run& exact) {
  size_t found = 0, total = 0;
  for (size_t q = 0; q < exact.ids.size(); ++q) {
    std::set<int64_t> truth(exact.ids[q].begin(), exact.ids[q].end());
    total += truth.size();
    for (int64_t id : approximate.ids[q]) found += truth.count(id);
  }
  return total == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(total);
}

void RunBenchSearch(const BenchSearchFlags& flags) {
  auto fail = [](const Status& status) { FailCommand("bench search", status); };
  StoreOptions store_options;
  store_options.create_if_missing = false;
  store_options.read_only = true;
  Result<std::unique_ptr<Store>> store = Store::Open(flags.db, store_options);
  if (!store.ok()) return fail(store.status());
  Result<std::shared_ptr<TextEmbedder>> embedder = OpenQueryEmbedder(**store, {}, flags.embedder_name);
  if (!embedder.ok()) return fail(embedder.status());
  const std::string key = (*embedder)->Identity().Key();
  VectorIndexOptions index_options;
  Result<VectorIndexKind> kind = ParseVectorIndexKind(flags.kind);
  if (!kind.ok()) return fail(kind.status());
  index_options.kind = *kind;
  index_options.ef_search = flags.ef_search;
  const std::string directory = flags.index_dir.empty() ? DefaultIndexDirectory(flags.db) : flags.index_dir;
  const auto open_start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<VectorIndex>> index = VectorIndex::Open(**store, key, directory, index_options);
  if (!index.ok()) return fail(index.status());
  const double open_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - open_start).count();
  Result<Queries> queries = LoadQueries(**store, key, flags);
  if (!queries.ok()) return fail(queries.status());
  Result<StoreCounts> counts = (*store)->Counts();
  if (!counts.ok()) return fail(counts.status());

  std::vector<Run> runs;
  const struct {
    SearchMode mode;
    bool use_index;
    const char* name;
  } plans[] = {{SearchMode::kLexical, false, "lexical"},
               {SearchMode::kVector, false, "vector (exact)"},
               {SearchMode::kVector, true, "vector (index)"},
               {SearchMode::kHybrid, true, "hybrid (index)"}};
  for (const auto& plan : plans) {
    Result<Run> run = Time(**store, *queries, embedder->get(), plan.use_index ? index->get() : nullptr, plan.mode,
                           plan.name, flags.k);
    if (!run.ok()) return fail(run.status());
    runs.push_back(std::move(*run));
  }
  const VectorIndexInfo& info = (*index)->info();
  const double recall = Recall(runs[2], runs[1]);
  if (flags.json) {
    nlohmann::json out = {{"chunks", counts->chunks},     {"vectors", info.vectors},
                          {"dimension", info.dimension},  {"index_kind", VectorIndexKindName(info.kind)},
                          {"index_rebuilt", info.rebuilt}, {"index_open_seconds", open_seconds},
                          {"queries", queries->texts.size()}, {"by_example", flags.by_example},   {"k", flags.k},
                          {"recall_at_k", recall},        {"modes", nlohmann::json::array()}};
    for (const Run& run : runs) {
      out["modes"].push_back({{"mode", run.latencies.mode},
                              {"p50_ms", run.latencies.Percentile(0.5)},
                              {"p95_ms", run.latencies.Percentile(0.95)},
                              {"p99_ms", run.latencies.Percentile(0.99)}});
    }
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("%lld chunks, %lld vectors of dimension %zu; %s index %s in %.2f s; %zu queries%s, k = %d\n",
                static_cast<long long>(counts->chunks), static_cast<long long>(info.vectors), info.dimension,
                std::string(VectorIndexKindName(info.kind)).c_str(), info.rebuilt ? "built" : "loaded", open_seconds,
                queries->texts.size(), flags.by_example ? " (vectors by example)" : "", flags.k);
    std::printf("%-16s %9s %9s %9s\n", "mode", "p50 ms", "p95 ms", "p99 ms");
    for (const Run& run : runs) {
      std::printf("%-16s %9.2f %9.2f %9.2f\n", run.latencies.mode.c_str(), run.latencies.Percentile(0.5),
                  run.latencies.Percentile(0.95), run.latencies.Percentile(0.99));
    }
    std::printf("recall@%d of the index against exact search: %.4f\n", flags.k, recall);
    std::printf("vector p50, exact / index: %.1fx\n",
                runs[2].latencies.Percentile(0.5) > 0
                    ? runs[1].latencies.Percentile(0.5) / runs[2].latencies.Percentile(0.5)
                    : 0.0);
  }
  SetExitCode(kExitOk);
}

}  // namespace

void RegisterBenchSearch(CLI::App& bench) {
  auto flags = std::make_shared<BenchSearchFlags>();
  CLI::App* cmd = bench.add_subcommand("search", "Query latency per search mode over a store, and index recall");
  cmd->footer(
      "Queries are the first eight words of chunks sampled with a fixed seed (or --queries FILE, one per line).\n"
      "Each is run lexical, vector against every stored vector (exact), vector through the index, and hybrid;\n"
      "latency includes embedding the query. Recall@k compares the index's vector hits with the exact ones.");
  cmd->add_option("--db", flags->db, "Store location")->capture_default_str();
  cmd->add_option("--queries", flags->queries_file, "File with one query per line")->check(CLI::ExistingFile);
  cmd->add_option("--count", flags->count, "Queries to sample from the store")->capture_default_str();
  cmd->add_option("-k", flags->k, "Results per query")->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--embedder", flags->embedder_name, "Which stored embedder (by name)");
  cmd->add_option("--kind", flags->kind, "Index kind: auto, flat or hnsw")->capture_default_str();
  cmd->add_option("--ef-search", flags->ef_search, "HNSW search breadth")->capture_default_str();
  cmd->add_option("--index-dir", flags->index_dir, "Where the index lives (default: beside the store)");
  cmd->add_flag("--by-example", flags->by_example,
                "Vector side: search with each sampled chunk's own vector (slightly moved) instead of embedding the "
                "query text; for stores whose vectors were not made by their recorded model (synthetic benchmarks)");
  cmd->add_flag("--json", flags->json, "Results as JSON");
  cmd->callback([flags] { RunBenchSearch(*flags); });
}

}  // namespace docpipe::cli
