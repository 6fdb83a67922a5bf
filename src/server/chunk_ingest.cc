#include "server/chunk_ingest.h"

#include <tbb/task_arena.h>

#include <chrono>
#include <unordered_set>

#include "core/sha256.h"
#include "core/stopwatch.h"
#include "docpipe/chunker.h"
#include "pipeline/stage_chain.h"
#include "pipeline/stage_registry.h"

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

// A chunk that passed its own checks, on its way to the store.
struct Accepted {
  size_t index = 0;  // position in the request
  std::string id;
  const IngestChunkInput* input = nullptr;
};

std::vector<std::string> StringList(const Json& value) {
  std::vector<std::string> out;
  if (!value.is_array()) return out;
  for (const Json& item : value) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

std::string StringField(const Json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The chunk as the store keeps it: heading_path and page from its metadata.
Chunk MakeChunk(const IngestChunkInput& input) {
  Chunk chunk;
  chunk.text = input.text;
  chunk.heading_path = StringList(input.metadata.value("heading_path", Json::array()));
  auto page = input.metadata.find("page");
  chunk.page_start = chunk.page_end = page != input.metadata.end() && page->is_number_integer() ? page->get<int>() : 1;
  chunk.token_count = CountTokens(input.text);
  chunk.char_end = static_cast<int64_t>(input.text.size());
  return chunk;
}

// The chunk as a one-chunk document. Metadata the store has columns for
// (title, author) goes there.
DocumentWrite MakeWrite(const Accepted& chunk, Chunk stored, const std::string& dataset_source,
                        EnrichmentResult enrichment) {
  const IngestChunkInput& input = *chunk.input;
  DocumentWrite write;
  DocumentRecord& record = write.record;
  record.path = "ingest:" + dataset_source + "/" + chunk.id;
  record.sha256 = Sha256Hex(input.text);
  record.bytes = static_cast<int64_t>(input.text.size());
  record.pages = 1;
  record.kind = DocumentKind::kText;
  record.metadata.title = StringField(input.metadata, "title");
  record.metadata.author = StringField(input.metadata, "author");
  record.metadata.producer = "docpipe serve";
  record.metadata.creator = dataset_source;
  record.metadata.page_count = 1;
  write.chunks.push_back(std::move(stored));
  enrichment.id = "0";
  write.enrichments.push_back(std::move(enrichment));
  return write;
}

// Per-chunk checks that fail the chunk alone, not the request.
std::string ChunkProblem(const IngestChunkInput& input, size_t max_bytes) {
  if (input.text.find_first_not_of(" \t\r\n") == std::string::npos) return "text is empty";
  if (input.text.size() > max_bytes) {
    return "text is " + std::to_string(input.text.size()) + " bytes, the limit is " + std::to_string(max_bytes);
  }
  return "";
}

}  // namespace

// One request's accepted chunks on their way through the chain.
struct ChunkIngest::Unit {
  const IngestRequest* request = nullptr;
  std::vector<Accepted> accepted;
  std::vector<Chunk> chunks;                  // one per accepted chunk (moved to the store's writes)
  std::vector<EnrichmentResult> enrichments;  // one per accepted chunk (moved to the store's writes)
  std::vector<EnrichmentSource> sources;      // where each accepted chunk's enrichment came from
  EmbeddingMatrix vectors;                    // one row per accepted chunk, when embedding
  Status status;                              // an embedding or store failure fails the request
  std::vector<int64_t> document_ids;          // once stored
  Json timings = Json::object();
};

Result<std::unique_ptr<ChunkIngest>> ChunkIngest::Make(const ServerConfig& config, Store& store,
                                                       pipeline::StoreSink& sink, VectorStage& vectors,
                                                       ServerMetrics& metrics) {
  auto ingest = std::unique_ptr<ChunkIngest>(new ChunkIngest(config, sink, vectors, metrics));
  DOCPIPE_ASSIGN_OR_RETURN(ingest->enrichment_, pipeline::ChunkEnrichment::Make(config.enrich, store));
  return ingest;
}

ChunkIngest::~ChunkIngest() = default;

bool ChunkIngest::Admit(int64_t chunks) {
  int64_t now = pending_.load();
  do {
    if (now + chunks > config_.max_pending_chunks) return false;
  } while (!pending_.compare_exchange_weak(now, now + chunks));
  return true;
}

Status ChunkIngest::FlushCache() {
  // A failed flush only costs repeated LLM calls later; the next flush retries.
  (void)enrichment_->FlushCache();
  return Status::Ok();
}

// Tagging: every chunk's LLM request in flight at once.
void ChunkIngest::Enrich(Unit& unit) {
  Stopwatch watch;
  const bool heuristic = unit.request->skip_llm || !enrichment_->uses_llm();
  if (!unit.chunks.empty()) {
    unit.enrichments = heuristic ? enrichment_->TagHeuristic(unit.chunks) : enrichment_->Tag(unit.chunks);
  }
  unit.timings["enrich_seconds"] = watch.Seconds();
  metrics_.ObserveStage(heuristic ? "tag_heuristic" : "tag_llm", static_cast<int64_t>(unit.accepted.size()),
                        watch.Seconds());
}

// One encoder batch for the request's chunks.
void ChunkIngest::Embed(Unit& unit) {
  if (!vectors_.enabled() || unit.request->skip_embedding || unit.accepted.empty()) return;
  Stopwatch watch;
  std::vector<std::string> texts;
  for (const Accepted& chunk : unit.accepted) texts.push_back(chunk.input->text);
  Result<EmbeddingMatrix> vectors = vectors_.Embed(texts);
  if (!vectors.ok()) {
    unit.status = vectors.status();
    return;
  }
  unit.vectors = std::move(vectors).value();
  unit.timings["embed_seconds"] = watch.Seconds();
  metrics_.ObserveStage("embed", static_cast<int64_t>(unit.accepted.size()), watch.Seconds());
}

// Hands the request's documents to the shared sink and waits for their transaction.
void ChunkIngest::Write(Unit& unit) {
  if (!unit.status.ok() || unit.accepted.empty()) return;
  std::vector<DocumentWrite> writes;
  for (size_t i = 0; i < unit.accepted.size(); ++i) {
    unit.sources.push_back(unit.enrichments[i].source);
    writes.push_back(MakeWrite(unit.accepted[i], std::move(unit.chunks[i]), unit.request->dataset_source,
                               std::move(unit.enrichments[i])));
    if (unit.vectors.rows > 0) {
      DocumentWrite& write = writes.back();
      write.embedder = *vectors_.identity();
      write.vectors.rows = 1;
      write.vectors.dimension = unit.vectors.dimension;
      std::span<const float> row = unit.vectors.Row(i);
      write.vectors.values.assign(row.begin(), row.end());
    }
  }
  Stopwatch watch;
  Result<pipeline::StoredBatch> stored = sink_.Write(std::move(writes), [this] { return FlushCache(); }).get();
  unit.timings["store_seconds"] = watch.Seconds();
  metrics_.ObserveStage("store", static_cast<int64_t>(unit.accepted.size()), watch.Seconds());
  if (!stored.ok()) {
    metrics_.CountChunks("error", static_cast<int64_t>(unit.request->chunks.size()));
    unit.status = stored.status().WithContext("store");
    return;
  }
  unit.document_ids = std::move(stored->ids);
}

Result<Json> ChunkIngest::Ingest(const IngestRequest& request) {
  const int64_t n = static_cast<int64_t>(request.chunks.size());
  if (n > config_.max_pending_chunks) {
    metrics_.CountChunks("rejected", n);
    return Status::ResourceExhausted("chunks: " + std::to_string(n) + " chunks can never fit under the server's " +
                                     std::to_string(config_.max_pending_chunks) +
                                     " pending chunks (--max-pending-chunks); send fewer per request");
  }
  if (!Admit(n)) {
    metrics_.CountChunks("rejected", n);
    return Status::Unavailable("the server has " + std::to_string(pending_.load()) +
                               " chunks waiting to be stored; retry later");
  }
  struct Release {
    std::atomic<int64_t>& pending;
    int64_t n;
    ~Release() { pending -= n; }
  } release{pending_, n};

  Stopwatch total;
  auto unit = std::make_unique<Unit>();
  unit->request = &request;
  Json errors = Json::array();
  std::unordered_set<std::string> ids;
  for (size_t i = 0; i < request.chunks.size(); ++i) {
    const IngestChunkInput& input = request.chunks[i];
    std::string id = input.id.empty() ? Sha256Hex(input.text).substr(0, 16) : input.id;
    std::string problem = ChunkProblem(input, config_.max_chunk_bytes);
    if (problem.empty() && !ids.insert(id).second) problem = "id \"" + id + "\" appears twice in this request";
    if (!problem.empty()) {
      errors.push_back({{"index", i}, {"id", id}, {"error", problem}});
      continue;
    }
    unit->accepted.push_back({i, std::move(id), &input});
    unit->chunks.push_back(MakeChunk(input));
  }

  // The request is the chain's one unit; its source is the request itself.
  using UnitPtr = std::unique_ptr<Unit>;
  pipeline::StageRegistry stages;
  pipeline::StageChain<UnitPtr> chain(stages, 1);
  chain
      .Then("enrich", pipeline::StageMode::kParallel,
            [this](UnitPtr u) {
              Enrich(*u);
              return u;
            })
      .Then("embed", pipeline::StageMode::kParallel, [this](UnitPtr u) {
        Embed(*u);
        return u;
      });
  UnitPtr done;
  // Isolated: while this request thread waits for its chain it runs only its
  // own unit's tasks, never another request's (which may wait on the LLM).
  tbb::this_task_arena::isolate([&] {
    chain.Run([&unit] { return std::move(unit); }, "store_queue", [this, &done](UnitPtr u) {
      if (!u) return;
      Write(*u);
      done = std::move(u);
    });
  });
  metrics_.AddPipelineStages(stages.Figures());
  if (!done->status.ok()) return done->status;

  Json stored = Json::array();
  Json sources = Json::object();
  for (size_t i = 0; i < done->accepted.size(); ++i) {
    const std::string source(EnrichmentSourceName(done->sources[i]));
    sources[source] = sources.value(source, 0) + 1;
    stored.push_back(
        {{"index", done->accepted[i].index}, {"id", done->accepted[i].id}, {"document_id", done->document_ids[i]}});
  }
  done->timings["total_seconds"] = total.Seconds();
  metrics_.CountChunks("stored", static_cast<int64_t>(done->accepted.size()));
  metrics_.CountChunks("error", static_cast<int64_t>(errors.size()));
  return Json{{"stored", std::move(stored)},
              {"errors", std::move(errors)},
              {"enrichment", std::move(sources)},
              {"timings", std::move(done->timings)}};
}

}  // namespace docpipe::server
