// PostgreSQL write throughput: chunks per second through the store's batched
// writes (one transaction and one binary COPY of chunks per PutDocuments call)
// against what the write-ups' service did, one INSERT statement per row, each
// committed on its own (their "PostgreSQL write: 20 ms" per chunk), over the
// same generated documents in the same run against the same server; prints
// the ratio. A kinder baseline, one INSERT per row but one transaction per
// document, is printed beside it. The row-by-row runs take the first
// --baseline-documents documents (rates are per chunk). Then the server's own
// cost of the full-text column (to_tsvector over the same chunks, and a GIN
// index built in one pass over them), which every write path pays, and lexical
// search latency. Then the same writes by two writers at once and as bulk
// loads (Store::BeginBulkLoad), against one writer and against that floor.
//
//   scripts/pg_test_server start /tmp/pgbench --durable      # fsync on, as a real server
//   build/bin/docpipe_store_pg_bench --url "$(cat /tmp/pgbench/url)"
//   scripts/pg_test_server stop /tmp/pgbench
//
// Each side writes into a fresh database of its own (the URL's user needs
// CREATEDB), dropped at the end. Text is prose-shaped (Zipf-like words) so the
// tsvector column and its GIN index do real work on both sides.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "../cpu_seconds.h"
#include "docpipe/store.h"
#include "store/pg_conn.h"

namespace {

using Clock = std::chrono::steady_clock;
using docpipe::DocumentWrite;
using docpipe::Status;
using docpipe::store::PgConn;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

using docpipe::bench::CpuSeconds;

struct WriteRun {
  bool bulk = false;
  int writers = 1;
  double chunks_per_second = 0;
  double server_cpu = -1;  // seconds
};

// CPU seconds the PostgreSQL server has used (its live processes, and those
// that ended, through the postmaster's children's time), read from /proc: the
// bench's server is on this machine and runs nothing else. Negative when the
// server's files cannot be read (another host, another user).
class ServerCpu {
 public:
  explicit ServerCpu(PgConn& admin) {
    auto directory = admin.Exec("SHOW data_directory");
    if (!directory.ok()) return;
    std::ifstream pid_file(directory->Text(0, 0) + "/postmaster.pid");
    if (!(pid_file >> postmaster_)) postmaster_ = 0;
  }
  double Seconds() const {
    if (postmaster_ <= 0) return -1;
    double ticks = Ticks(postmaster_, /*with_children=*/true);
    std::ifstream children(fmt::format("/proc/{}/task/{}/children", postmaster_, postmaster_));
    for (long pid = 0; children >> pid;) ticks += Ticks(pid, false);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

 private:
  // utime + stime (fields 14, 15 of /proc/PID/stat), and cutime + cstime (16, 17).
  static double Ticks(long pid, bool with_children) {
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string line;
    std::getline(stat, line);
    const size_t name_end = line.rfind(')');
    if (name_end == std::string::npos) return 0;
    std::istringstream fields(line.substr(name_end + 2));  // from field 3, the state
    std::string field;
    double ticks = 0;
    for (int number = 3; number <= 17 && fields >> field; ++number) {
      if (number == 14 || number == 15 || (with_children && number >= 16)) ticks += std::stod(field);
    }
    return ticks;
  }

  long postmaster_ = 0;
};

std::string CpuText(double client, double server) {
  return server < 0 ? fmt::format("client CPU {:.2f} s", client)
                    : fmt::format("client CPU {:.2f} s, server CPU {:.2f} s", client, server);
}

struct Config {
  std::string url;
  int documents = 500;
  int chunks = 40;
  int words = 180;
  int batch = 32;
  int dimension = 0;  // 0: no vectors
  int queries = 100;
  int baseline_documents = 50;
  bool without_fts = false;  // drop the tsvector column and its GIN index on both sides
};

std::vector<DocumentWrite> MakeDocuments(const Config& config, std::vector<std::string>& vocabulary) {
  std::mt19937 random(42);
  std::vector<double> weights;
  for (int i = 0; i < 50000; ++i) {
    vocabulary.push_back(fmt::format("w{}x{}", i, i % 7 == 0 ? "ing" : "ed"));
    weights.push_back(1.0 / std::pow(i + 1, 1.07));
  }
  std::discrete_distribution<int> pick(weights.begin(), weights.end());
  std::normal_distribution<float> normal;
  docpipe::EmbedderIdentity embedder{"bench-model", static_cast<size_t>(config.dimension), "bench-hash", true, ""};
  std::vector<DocumentWrite> documents(static_cast<size_t>(config.documents));
  for (int d = 0; d < config.documents; ++d) {
    DocumentWrite& write = documents[static_cast<size_t>(d)];
    write.record.path = fmt::format("corpus/doc-{:06}.pdf", d);
    write.record.sha256 = fmt::format("{:064}", d);
    write.record.pages = config.chunks / 4 + 1;
    write.record.metadata.title = fmt::format("Document {}", d);
    int64_t offset = 0;
    for (int c = 0; c < config.chunks; ++c) {
      docpipe::Chunk chunk;
      chunk.ordinal = c;
      for (int w = 0; w < config.words; ++w) chunk.text += (w ? (w % 17 ? " " : ". ") : "") + vocabulary[pick(random)];
      chunk.heading_path = {"Chapter " + std::to_string(c / 10 + 1), "Section " + std::to_string(c + 1)};
      chunk.page_start = chunk.page_end = c / 4 + 1;
      chunk.token_count = config.words;
      chunk.char_start = offset;
      chunk.char_end = offset + static_cast<int64_t>(chunk.text.size());
      offset = chunk.char_end + 2;
      write.chunks.push_back(std::move(chunk));
    }
    if (config.dimension > 0) {
      write.embedder = embedder;
      write.vectors.rows = write.chunks.size();
      write.vectors.dimension = embedder.dimension;
      for (size_t i = 0; i < write.vectors.rows * embedder.dimension; ++i) write.vectors.values.push_back(normal(random));
    }
  }
  return documents;
}

void Check(const Status& status, const char* doing) {
  if (status.ok()) return;
  fmt::print(stderr, "{}: {}\n", doing, status.ToString());
  std::exit(1);
}

std::unique_ptr<PgConn> Connect(const std::string& url) {
  auto conn = PgConn::Connect(url, 10);
  Check(conn.status(), "connecting");
  return std::move(conn).value();
}

// A fresh database on the server, and its URL (the given URL's database swapped).
std::string CreateDatabase(PgConn& admin, const std::string& url, const std::string& name) {
  Check(admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").status(), "dropping a database");
  Check(admin.Exec("CREATE DATABASE " + name).status(), "creating a database");
  const size_t scheme = url.find("://") + 3;
  const size_t start = url.find('/', scheme);
  const size_t end = url.find('?', start);
  return url.substr(0, start + 1) + name + (end == std::string::npos ? "" : url.substr(end));
}

// Creates the store's schema in the database at `url`; without the full-text
// column when asked, to see the write paths without the server's text work.
void PrepareSchema(const std::string& url, bool without_fts) {
  Check(docpipe::Store::Open(url).status(), "creating the schema");
  if (without_fts) Check(Connect(url)->Exec("ALTER TABLE chunks DROP COLUMN tsv").status(), "dropping tsv");
}

// The store's own path: batches of documents through PutDocuments, by
// `writers` threads at once (each with its own connection, Store::OpenWriter,
// taking every writers-th batch), as a bulk load when asked (the time then
// includes building the full-text index at the end).
double WriteBatched(const std::string& url, const std::vector<DocumentWrite>& documents, int batch, int writers,
                    bool bulk, const ServerCpu& server, double& client_cpu, double& server_cpu) {
  auto store = docpipe::Store::Open(url);
  Check(store.status(), "opening the store");
  std::vector<std::unique_ptr<docpipe::Store>> stores;
  for (int w = 1; w < writers; ++w) {
    auto writer = (*store)->OpenWriter();
    Check(writer.status(), "opening a writer");
    stores.push_back(std::move(writer).value());
  }
  const double cpu_start = CpuSeconds(), server_start = server.Seconds();
  const auto start = Clock::now();
  if (bulk) Check((*store)->BeginBulkLoad(), "BeginBulkLoad");
  const auto write = [&](docpipe::Store& to, int first_batch) {
    for (size_t first = static_cast<size_t>(first_batch * batch); first < documents.size();
         first += static_cast<size_t>(batch * writers)) {
      const size_t end = std::min(documents.size(), first + static_cast<size_t>(batch));
      std::vector<DocumentWrite> writes(documents.begin() + static_cast<ptrdiff_t>(first),
                                        documents.begin() + static_cast<ptrdiff_t>(end));
      Check(to.PutDocuments(writes), "PutDocuments");
    }
  };
  std::vector<std::thread> threads;
  for (int w = 1; w < writers; ++w) threads.emplace_back(write, std::ref(*stores[static_cast<size_t>(w - 1)]), w);
  write(**store, 0);
  for (std::thread& thread : threads) thread.join();
  if (bulk) Check((*store)->FinishBulkLoad(), "FinishBulkLoad");
  const double seconds = SecondsSince(start);
  client_cpu = CpuSeconds() - cpu_start;
  server_cpu = server_start < 0 ? -1 : server.Seconds() - server_start;
  return seconds;
}

// The write-ups' way, over the same schema: one INSERT for the document and
// one per chunk (and per vector), each its own transaction (autocommit), or
// with `per_document` one transaction per document.
double WriteRowByRow(const std::string& url, const std::vector<DocumentWrite>& documents, bool per_document) {
  auto conn = Connect(url);
  int64_t embedder_id = 0;
  const auto start = Clock::now();
  for (const DocumentWrite& write : documents) {
    if (per_document) Check(conn->Exec("BEGIN").status(), "BEGIN");
    if (write.vectors.rows > 0 && embedder_id == 0) {
      auto id = conn->Exec(
          "INSERT INTO embedders(key, name, dimension, weights_hash, normalized) VALUES ($1, $2, $3, $4, true) "
          "RETURNING id",
          {write.embedder.Key(), write.embedder.name, std::to_string(write.embedder.dimension),
           write.embedder.weights_hash});
      Check(id.status(), "inserting the embedder");
      embedder_id = id->Int(0, 0);
    }
    auto document = conn->Exec(
        "INSERT INTO documents(path, sha256, bytes, pages, kind, status, metadata) "
        "VALUES ($1, $2, $3, $4, 'digital', 'ok', $5::jsonb) RETURNING id",
        {write.record.path, write.record.sha256, "0", std::to_string(write.record.pages),
         fmt::format(R"({{"title":"{}"}})", write.record.metadata.title)});
    Check(document.status(), "inserting a document");
    const std::string document_id = std::to_string(document->Int(0, 0));
    for (size_t i = 0; i < write.chunks.size(); ++i) {
      const docpipe::Chunk& chunk = write.chunks[i];
      auto row = conn->Exec(
          "INSERT INTO chunks(document_id, ordinal, text, heading_path, page_start, page_end, token_count, "
          "char_start, char_end) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9) RETURNING id",
          {document_id, std::to_string(chunk.ordinal), chunk.text,
           fmt::format(R"(["{}","{}"])", chunk.heading_path[0], chunk.heading_path[1]),
           std::to_string(chunk.page_start), std::to_string(chunk.page_end), std::to_string(chunk.token_count),
           std::to_string(chunk.char_start), std::to_string(chunk.char_end)});
      Check(row.status(), "inserting a chunk");
      if (write.vectors.rows == 0) continue;
      // bytea in text form, as a client library without binary parameters sends it.
      std::string hex = "\\x";
      for (unsigned char byte : std::string_view(reinterpret_cast<const char*>(write.vectors.Row(i).data()),
                                                 write.vectors.Row(i).size_bytes())) {
        hex += fmt::format("{:02x}", byte);
      }
      Check(conn->Exec("INSERT INTO chunk_vectors(chunk_id, embedder_id, vector) VALUES ($1, $2, $3)",
                       {std::to_string(row->Int(0, 0)), std::to_string(embedder_id), hex})
                .status(),
            "inserting a vector");
    }
    if (per_document) Check(conn->Exec("COMMIT").status(), "COMMIT");
  }
  return SecondsSince(start);
}

void TimeSearch(const std::string& url, const Config& config, const std::vector<std::string>& vocabulary) {
  auto store = docpipe::Store::Open(url);
  Check(store.status(), "opening the store");
  std::vector<double> latencies;
  size_t hits = 0;
  for (int q = 0; q < config.queries; ++q) {
    // Two mid-frequency words: selective enough to be a realistic query.
    const std::string query = vocabulary[200 + q * 7 % 2000] + " " + vocabulary[50 + q * 13 % 500];
    const auto start = Clock::now();
    auto result = (*store)->Search(query, {});
    latencies.push_back(SecondsSince(start));
    Check(result.status(), "search");
    hits += result->size();
  }
  std::sort(latencies.begin(), latencies.end());
  fmt::print("search:      {} queries, top 10, p50 {:.2f} ms, p95 {:.2f} ms ({:.1f} hits/query)\n", config.queries,
             1e3 * latencies[latencies.size() / 2], 1e3 * latencies[latencies.size() * 95 / 100],
             static_cast<double>(hits) / config.queries);
}

int Run(const Config& config) {
  std::vector<std::string> vocabulary;
  const std::vector<DocumentWrite> documents = MakeDocuments(config, vocabulary);
  const double chunks = static_cast<double>(config.documents) * config.chunks;
  auto admin = Connect(config.url);
  auto version = admin->Exec("SHOW server_version");
  auto fsync = admin->Exec("SHOW fsync");
  Check(version.status(), "asking the server's version");
  fmt::print("server:      PostgreSQL {}, fsync {}\n", version->Text(0, 0), fsync.ok() ? fsync->Text(0, 0) : "?");
  fmt::print("data:        {} documents x {} chunks of {} words{}\n", config.documents, config.chunks, config.words,
             config.dimension > 0 ? fmt::format(", {}-d vectors", config.dimension) : "");

  const std::string copy_db = fmt::format("docpipe_bench_copy_{}", getpid());
  const std::string rows_db = fmt::format("docpipe_bench_rows_{}", getpid());
  const std::string copy_url = CreateDatabase(*admin, config.url, copy_db);
  PrepareSchema(copy_url, config.without_fts);
  const ServerCpu server(*admin);
  double client_cpu = 0, server_cpu = 0;
  const double batched = WriteBatched(copy_url, documents, config.batch, 1, false, server, client_cpu, server_cpu);
  fmt::print("batched:       {:.0f} chunks in {:.2f} s = {:.0f} chunks/s ({} documents per PutDocuments; {})\n",
             chunks, batched, chunks / batched, config.batch, CpuText(client_cpu, server_cpu));
  if (!config.without_fts) {
    // What the writes left in the GIN pending list, which autovacuum (or the
    // next writer past the list's limit) merges into the index later: work a
    // bulk load does within its time.
    auto merger = Connect(copy_url);
    const double merge_cpu_start = server.Seconds();
    const auto merge_start = Clock::now();
    Check(merger->Exec("SELECT gin_clean_pending_list('chunks_tsv'::regclass)").status(), "merging");
    const double merge = SecondsSince(merge_start);
    // How much the writes leave in the list depends on where its last merge fell:
    // only writes and merge together compare across runs.
    if (merge_cpu_start >= 0) server_cpu += server.Seconds() - merge_cpu_start;
    fmt::print("pending list:  merged into the index in {:.2f} s afterwards; writes and merge {:.0f} chunks/s{}\n",
               merge, chunks / (batched + merge),
               merge_cpu_start >= 0 ? fmt::format(", server CPU {:.2f} s in all", server_cpu) : "");
  }
  // The same writes by several writers at once, and as bulk loads, each into a fresh database.
  std::vector<WriteRun> runs;
  for (bool bulk : {false, true}) {
    for (int writers : {1, 2}) {
      if ((!bulk && writers == 1) || (bulk && config.without_fts)) continue;  // the run above; no index to defer
      const std::string url = CreateDatabase(*admin, config.url, rows_db);
      PrepareSchema(url, config.without_fts);
      double cpu = 0, server_seconds = 0;
      const double seconds = WriteBatched(url, documents, config.batch, writers, bulk, server, cpu, server_seconds);
      runs.push_back({bulk, writers, chunks / seconds, server_seconds});
      fmt::print("batched:       {} writer{}{}: {:.0f} chunks/s ({})\n", writers, writers > 1 ? "s" : "",
                 bulk ? ", bulk load (index built at the end, counted)" : "", chunks / seconds,
                 CpuText(cpu, server_seconds));
    }
  }
  const auto rate = [&](bool bulk, int writers) {
    for (const WriteRun& run : runs) {
      if (run.bulk == bulk && run.writers == writers) return run.chunks_per_second;
    }
    return chunks / batched;
  };
  fmt::print("two writers:   {:.2f}x one writer's chunks/s{} (target 1.5x; the server and this client share the "
             "machine's {} cores)\n",
             rate(false, 2) / rate(false, 1),
             config.without_fts ? "" : fmt::format(", {:.2f}x as bulk loads", rate(true, 2) / rate(true, 1)),
             std::thread::hardware_concurrency());

  const std::vector<DocumentWrite> subset(
      documents.begin(), documents.begin() + std::min<size_t>(documents.size(), config.baseline_documents));
  const double subset_chunks = static_cast<double>(subset.size()) * config.chunks;
  const std::string rows_url = CreateDatabase(*admin, config.url, rows_db);
  PrepareSchema(rows_url, config.without_fts);
  const double autocommit = subset_chunks / WriteRowByRow(rows_url, subset, false);
  fmt::print("row by row:    {:.0f} chunks at {:.0f} chunks/s (one INSERT per row, each committed: the write-ups)\n",
             subset_chunks, autocommit);
  const std::string rows_again_url = CreateDatabase(*admin, config.url, rows_db);
  PrepareSchema(rows_again_url, config.without_fts);
  const double per_document = subset_chunks / WriteRowByRow(rows_again_url, subset, true);
  fmt::print("row by row:    {:.0f} chunks at {:.0f} chunks/s (one INSERT per row, a transaction per document)\n",
             subset_chunks, per_document);
  fmt::print("ratio:         {:.1f}x against the write-ups, {:.1f}x against a transaction per document\n",
             chunks / batched / autocommit, chunks / batched / per_document);

  if (config.without_fts) {
    for (const std::string& name : {copy_db, rows_db}) Check(admin->Exec("DROP DATABASE " + name).status(), "drop");
    return 0;
  }
  // The floor under any write path: the server tokenising and stemming the
  // text. A plain SELECT runs in parallel workers (two by default) as well as
  // the backend, which no INSERT or COPY does; timed both ways.
  auto tsvector_conn = Connect(copy_url);
  const auto time_tsvector = [&] {
    const auto start = Clock::now();
    Check(tsvector_conn->Exec("SELECT sum(length(to_tsvector('docpipe_text', text))) FROM chunks").status(),
          "timing to_tsvector");
    return SecondsSince(start);
  };
  const double tsvector = time_tsvector();
  Check(tsvector_conn->Exec("SET max_parallel_workers_per_gather = 0").status(), "one server process");
  const double tsvector_cpu_start = server.Seconds();
  const double tsvector_serial = time_tsvector();
  const double tsvector_cpu = server.Seconds() - tsvector_cpu_start;
  fmt::print("to_tsvector:   {:.2f} s of the server's time for the same {:.0f} chunks with parallel workers ({:.0f} "
             "chunks/s at most), {:.2f} s in one server process\n",
             tsvector, chunks, chunks / tsvector, tsvector_serial);
  // The other half of the floor: a GIN index over the same tsvectors built in
  // one pass (sorted in memory), cheaper than any incremental insertion.
  Check(tsvector_conn->Exec("CREATE TEMP TABLE gin_floor AS SELECT tsv FROM chunks").status(), "copying tsvectors");
  Check(tsvector_conn->Exec("SET maintenance_work_mem = '256MB'").status(), "maintenance_work_mem");
  const double gin_cpu_start = server.Seconds();
  const auto gin_start = Clock::now();
  Check(tsvector_conn->Exec("CREATE INDEX ON gin_floor USING gin(tsv)").status(), "timing a GIN build");
  const double gin = SecondsSince(gin_start);
  const double floor_cpu = tsvector_cpu + server.Seconds() - gin_cpu_start;
  const double floor = chunks / (tsvector + gin), floor_serial = chunks / (tsvector_serial + gin);
  fmt::print("GIN build:     {:.2f} s in one pass over the same tsvectors; with to_tsvector {:.0f} chunks/s at most "
             "({:.0f} in one server process)\n",
             gin, floor, floor_serial);
  fmt::print("floor ratio:   one writer {:.0f}% of the floor ({:.0f}% of the one-process floor); as a bulk load "
             "{:.0f}% ({:.0f}%); two writers as bulk loads {:.0f}% (target 70%)\n",
             100 * rate(false, 1) / floor, 100 * rate(false, 1) / floor_serial, 100 * rate(true, 1) / floor,
             100 * rate(true, 1) / floor_serial, 100 * rate(true, 2) / floor);
  if (tsvector_cpu_start >= 0) {
    // CPU time moves less than wall time on a shared machine; it leaves out
    // what a writer waits for (the disk, the client), which the rates above count.
    fmt::print("server CPU:    one-process floor {:.2f} s; one writer with its pending-list merge {:.2f} s ({:.0f}% of "
               "it), two writers {:.2f} s (without that merge), bulk load {:.2f} s ({:.0f}%)\n",
               floor_cpu, server_cpu, 100 * floor_cpu / server_cpu, runs[0].server_cpu, runs[1].server_cpu,
               100 * floor_cpu / runs[1].server_cpu);
  }
  TimeSearch(copy_url, config, vocabulary);
  for (const std::string& name : {copy_db, rows_db}) {
    Check(admin->Exec("DROP DATABASE " + name + " WITH (FORCE)").status(), "dropping a database");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app{"Measures docpipe's PostgreSQL store: batched COPY writes against one INSERT per row."};
  app.add_option("--url", config.url, "a postgresql:// URL of a user that may create databases")->required();
  app.add_option("--documents", config.documents, "documents to write")->check(CLI::PositiveNumber);
  app.add_option("--chunks", config.chunks, "chunks per document")->check(CLI::PositiveNumber);
  app.add_option("--words", config.words, "words per chunk")->check(CLI::PositiveNumber);
  app.add_option("--batch", config.batch, "documents per PutDocuments call")->check(CLI::PositiveNumber);
  app.add_option("--dimension", config.dimension, "vector dimension (0: no vectors)")->check(CLI::NonNegativeNumber);
  app.add_option("--queries", config.queries, "search queries to time")->check(CLI::PositiveNumber);
  app.add_flag("--without-fts", config.without_fts,
               "drop the full-text column and index on both sides (the write paths alone)");
  app.add_option("--baseline-documents", config.baseline_documents, "documents the row-by-row runs write")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  return Run(config);
}
