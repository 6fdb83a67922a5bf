// VectorIndex over FAISS: IndexFlatIP or IndexHNSWFlat (inner product) behind
// an IndexIDMap2 so labels are chunk ids; a JSON sidecar records what the
// index was built from, so a stale or foreign index is never used.
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/index_io.h>
#include <omp.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/available_cpus.h"
#include "core/sha256.h"
#include "core/stopwatch.h"
#include "docpipe/vector_index.h"

namespace docpipe {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kFormat = 1;

struct IndexFiles {
  std::string index, meta;
};

IndexFiles FilesFor(const std::string& directory, const std::string& key) {
  const std::string stem = (fs::path(directory) / Sha256Hex(key).substr(0, 24)).string();
  return {stem + ".faiss", stem + ".json"};
}

json StampJson(const VectorStamp& stamp) {
  return {{"count", stamp.count}, {"max_chunk_id", stamp.max_chunk_id}, {"chunk_id_sum", stamp.chunk_id_sum}};
}

class FaissIndex final : public VectorIndex {
 public:
  FaissIndex(std::unique_ptr<faiss::Index> index, VectorIndexInfo info, VectorStamp stamp)
      : index_(std::move(index)), info_(std::move(info)), stamp_(stamp) {}

  Result<std::vector<std::pair<int64_t, float>>> Search(std::span<const float> query, int k) const override {
    if (query.size() != info_.dimension) {
      return Status::InvalidArgument(fmt::format("the query vector has dimension {}, the index {}", query.size(),
                                                 info_.dimension));
    }
    std::vector<std::pair<int64_t, float>> hits;
    if (k <= 0) return hits;
    const auto wanted = static_cast<faiss::Index::idx_t>(k);
    std::vector<float> scores(static_cast<size_t>(k));
    std::vector<faiss::Index::idx_t> labels(static_cast<size_t>(k));
    // One query gains nothing from an OpenMP team, and waking one costs
    // milliseconds on a busy machine; this only sets the calling thread's count.
    omp_set_num_threads(1);
    try {
      index_->search(1, query.data(), wanted, scores.data(), labels.data());
    } catch (const std::exception& error) {
      return Status::Internal(fmt::format("vector index search failed: {}", error.what()));
    }
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] >= 0) hits.emplace_back(labels[i], scores[i]);  // -1: fewer than k vectors
    }
    return hits;
  }

  const VectorIndexInfo& info() const override { return info_; }
  const VectorStamp& stamp() const override { return stamp_; }

 private:
  std::unique_ptr<faiss::Index> index_;
  VectorIndexInfo info_;
  VectorStamp stamp_;
};

void SetSearchBreadth(faiss::Index& index, int ef_search) {
  auto* map = dynamic_cast<faiss::IndexIDMap2*>(&index);
  auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(map != nullptr ? map->index : &index);
  if (hnsw != nullptr) hnsw->hnsw.efSearch = ef_search;
}

// The saved index, when its sidecar says it was built from exactly this
// store state with the wanted kind; otherwise why not.
Result<std::unique_ptr<faiss::Index>> LoadCurrent(const IndexFiles& files, const std::string& key,
                                                  const VectorStamp& stamp, const VectorIndexOptions& options,
                                                  VectorIndexInfo& info) {
  if (!fs::exists(files.meta) || !fs::exists(files.index)) return Status::NotFound("missing");
  std::ifstream in(files.meta);
  json meta = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!meta.is_object() || meta.value("format", 0) != kFormat) return Status::Corrupt("corrupt: unreadable sidecar");
  if (meta.value("key", "") != key) return Status::Corrupt("from another model");
  if (meta.value("stamp", json()) != StampJson(stamp)) return Status::NotFound("stale: the stored vectors changed");
  Result<VectorIndexKind> kind = ParseVectorIndexKind(meta.value("kind", ""));
  if (!kind.ok()) return Status::Corrupt("corrupt: unknown kind in the sidecar");
  if (options.kind != VectorIndexKind::kAuto && options.kind != *kind) {
    return Status::NotFound(fmt::format("a {} index was asked for", VectorIndexKindName(options.kind)));
  }
  std::unique_ptr<faiss::Index> index;
  try {
    index.reset(faiss::read_index(files.index.c_str()));
  } catch (const std::exception& error) {
    return Status::Corrupt(fmt::format("corrupt: {}", error.what()));
  }
  if (index->ntotal != stamp.count || static_cast<size_t>(index->d) != meta.value("dimension", size_t{0})) {
    return Status::Corrupt("corrupt: its size does not match its sidecar");
  }
  info.kind = *kind;
  info.dimension = static_cast<size_t>(index->d);
  info.vectors = index->ntotal;
  return index;
}

Result<std::unique_ptr<faiss::Index>> Build(Store& store, const std::string& key, const VectorStamp& stamp,
                                            const VectorIndexOptions& options, VectorIndexInfo& info) {
  std::vector<float> values;
  std::vector<faiss::Index::idx_t> ids;
  size_t dimension = 0;
  ids.reserve(static_cast<size_t>(stamp.count));
  DOCPIPE_RETURN_IF_ERROR(store.ForEachVector(key, [&](int64_t chunk_id, std::span<const float> vector) {
    if (values.empty()) {  // the first vector tells the dimension: size the copy once
      dimension = vector.size();
      values.reserve(static_cast<size_t>(stamp.count) * dimension);
    }
    values.insert(values.end(), vector.begin(), vector.end());
    ids.push_back(chunk_id);
    return Status::Ok();
  }));
  if (ids.empty()) return Status::NotFound("the store has no vectors from embedder " + key);
  const auto count = static_cast<int64_t>(ids.size());
  info.kind = options.kind != VectorIndexKind::kAuto ? options.kind
              : count >= options.hnsw_from          ? VectorIndexKind::kHnsw
                                                    : VectorIndexKind::kFlat;
  info.dimension = dimension;
  info.vectors = count;
  const int d = static_cast<int>(dimension);
  try {
    std::unique_ptr<faiss::Index> inner;
    if (info.kind == VectorIndexKind::kHnsw) {
      auto hnsw = std::make_unique<faiss::IndexHNSWFlat>(d, options.hnsw_m, faiss::METRIC_INNER_PRODUCT);
      hnsw->hnsw.efConstruction = options.ef_construction;
      inner = std::move(hnsw);
    } else {
      inner = std::make_unique<faiss::IndexFlatIP>(d);
    }
    auto map = std::make_unique<faiss::IndexIDMap2>(inner.release());
    map->own_fields = true;
    const int threads = options.threads > 0 ? options.threads : AvailableCpus();
    omp_set_num_threads(std::max(1, threads));  // HNSW insertion runs on OpenMP threads
    map->add_with_ids(count, values.data(), ids.data());
    return std::unique_ptr<faiss::Index>(std::move(map));
  } catch (const std::exception& error) {
    return Status::Internal(fmt::format("building the vector index failed: {}", error.what()));
  }
}

Status Save(const faiss::Index& index, const IndexFiles& files, const std::string& key, const VectorStamp& stamp,
            const VectorIndexInfo& info) {
  const std::string index_tmp = files.index + ".tmp";
  const std::string meta_tmp = files.meta + ".tmp";
  try {
    faiss::write_index(&index, index_tmp.c_str());
  } catch (const std::exception& error) {
    return Status::IoError(fmt::format("cannot write the vector index {}: {}", index_tmp, error.what()));
  }
  json meta = {{"format", kFormat},          {"key", key},
               {"kind", VectorIndexKindName(info.kind)}, {"dimension", info.dimension},
               {"vectors", info.vectors},    {"stamp", StampJson(stamp)}};
  {
    std::ofstream out(meta_tmp, std::ios::trunc);
    out << meta.dump(2) << "\n";
    if (!out.flush()) return Status::IoError("cannot write " + meta_tmp);
  }
  // The index first: a crash between the renames leaves a sidecar whose
  // stamp no longer matches, which only costs a rebuild.
  std::error_code error;
  fs::rename(index_tmp, files.index, error);
  if (!error) fs::rename(meta_tmp, files.meta, error);
  if (error) return Status::IoError(fmt::format("cannot save the vector index in place: {}", error.message()));
  return Status::Ok();
}

}  // namespace

Result<VectorIndexKind> ParseVectorIndexKind(std::string_view name) {
  if (name == "auto") return VectorIndexKind::kAuto;
  if (name == "flat") return VectorIndexKind::kFlat;
  if (name == "hnsw") return VectorIndexKind::kHnsw;
  return Status::InvalidArgument(fmt::format("unknown vector index kind '{}'; use auto, flat or hnsw", name));
}

std::string_view VectorIndexKindName(VectorIndexKind kind) {
  switch (kind) {
    case VectorIndexKind::kAuto: return "auto";
    case VectorIndexKind::kFlat: return "flat";
    case VectorIndexKind::kHnsw: return "hnsw";
  }
  return "auto";
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Open(Store& store, const std::string& embedder_key,
                                                       const std::string& directory,
                                                       const VectorIndexOptions& options) {
  DOCPIPE_ASSIGN_OR_RETURN(VectorStamp stamp, store.StampOf(embedder_key));
  if (stamp.count == 0) return Status::NotFound("the store has no vectors from embedder " + embedder_key);
  const IndexFiles files = FilesFor(directory, embedder_key);
  VectorIndexInfo info;
  info.path = files.index;
  Result<std::unique_ptr<faiss::Index>> index = Status::NotFound("a rebuild was asked for");
  if (!options.force_rebuild) index = LoadCurrent(files, embedder_key, stamp, options, info);
  if (!index.ok()) {
    info.rebuilt = true;
    info.reason = index.status().message();
    Stopwatch watch;
    index = Build(store, embedder_key, stamp, options, info);
    DOCPIPE_RETURN_IF_ERROR(index.status());
    info.build_seconds = watch.Seconds();
    std::error_code error;
    fs::create_directories(directory, error);
    if (error) return Status::IoError(fmt::format("cannot make the index directory {}: {}", directory, error.message()));
    DOCPIPE_RETURN_IF_ERROR(Save(**index, files, embedder_key, stamp, info));
  }
  SetSearchBreadth(**index, options.ef_search);
  return std::unique_ptr<VectorIndex>(std::make_unique<FaissIndex>(std::move(index).value(), info, stamp));
}

std::string DefaultIndexDirectory(const std::string& store_location) {
  std::string location = store_location;
  if (location.starts_with("sqlite://")) location = location.substr(9);
  if (!IsServerDatabase(location)) return location + ".index";
  // A server database: name the folder after host/port/database, never the credentials.
  std::string where = location.substr(location.find("://") + 3);
  if (size_t at = where.rfind('@'); at != std::string::npos) where = where.substr(at + 1);
  std::string name;
  for (char c : where) name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  const char* cache = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = cache != nullptr && *cache != '\0' ? fs::path(cache)
                  : home != nullptr                 ? fs::path(home) / ".cache"
                                                    : fs::temp_directory_path();
  return (base / "docpipe" / "index" / name).string();
}

}  // namespace docpipe
