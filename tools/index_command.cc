// `docpipe index`: build and inspect the vector indexes kept beside a store.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "command.h"
#include "docpipe/store.h"
#include "docpipe/vector_index.h"

namespace docpipe::cli {
namespace {

struct IndexFlags {
  std::string db = "docpipe.sqlite";
  std::string index_dir;
  std::string kind = "auto";
  std::string embedder_name;
  VectorIndexOptions options;
  bool force = false;
};

// Opens (and builds when needed, or always with `force`) the index of every
// embedder in the store, or of the one named; prints one line each.
void RunIndex(const IndexFlags& flags, bool force) {
  StoreOptions store_options;
  store_options.create_if_missing = false;
  store_options.read_only = true;
  Result<std::unique_ptr<Store>> store = Store::Open(flags.db, store_options);
  auto fail = [](const Status& status) { FailCommand("index", status, true); };
  if (!store.ok()) return fail(store.status().WithContext("opening the store " + Store::DisplayLocation(flags.db)));
  Result<std::vector<EmbedderIdentity>> embedders = (*store)->Embedders();
  if (!embedders.ok()) return fail(embedders.status());
  VectorIndexOptions options = flags.options;
  Result<VectorIndexKind> kind = ParseVectorIndexKind(flags.kind);
  if (!kind.ok()) return fail(kind.status());
  options.kind = *kind;
  options.force_rebuild = force;
  const std::string directory = flags.index_dir.empty() ? DefaultIndexDirectory(flags.db) : flags.index_dir;
  int done = 0;
  for (const EmbedderIdentity& embedder : *embedders) {
    if (!flags.embedder_name.empty() && embedder.name != flags.embedder_name) continue;
    Result<std::unique_ptr<VectorIndex>> index = VectorIndex::Open(**store, embedder.Key(), directory, options);
    if (!index.ok()) return fail(index.status().WithContext("the index of " + embedder.name));
    const VectorIndexInfo& info = (*index)->info();
    std::printf("%s: %s index, %lld vectors of dimension %zu, %s (%s)\n", embedder.name.c_str(),
                std::string(VectorIndexKindName(info.kind)).c_str(), static_cast<long long>(info.vectors),
                info.dimension,
                info.rebuilt ? fmt::format("built in {:.2f} s because {}", info.build_seconds, info.reason).c_str()
                             : "up to date",
                info.path.c_str());
    ++done;
  }
  if (done == 0) {
    return fail(Status::InvalidArgument(flags.embedder_name.empty()
                                            ? "the store has no vectors; ingest with --embed-model first"
                                            : "the store has no vectors from an embedder called " + flags.embedder_name));
  }
  SetExitCode(kExitOk);
}

void AddCommon(CLI::App* cmd, IndexFlags& flags) {
  cmd->add_option("--db", flags.db, "Store location: a SQLite file")->capture_default_str();
  cmd->add_option("--index-dir", flags.index_dir, "Where the indexes live (default: beside the store)");
  cmd->add_option("--embedder", flags.embedder_name, "Only the index of this embedder (by name)");
  cmd->add_option("--kind", flags.kind, "auto (HNSW from --hnsw-from vectors, else flat), flat or hnsw")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "flat", "hnsw"}));
  cmd->add_option("--hnsw-from", flags.options.hnsw_from, "auto: vectors from which HNSW is used")
      ->capture_default_str();
  cmd->add_option("--hnsw-m", flags.options.hnsw_m, "HNSW neighbours per node")->capture_default_str();
  cmd->add_option("--ef-construction", flags.options.ef_construction, "HNSW build breadth")->capture_default_str();
  cmd->add_option("--threads", flags.options.threads, "Build threads (0 = the CPUs this process may run on)")->capture_default_str();
}

void RegisterIndex(CLI::App& app) {
  CLI::App* index = app.add_subcommand("index", "Build or check the vector indexes of a store");
  index->require_subcommand(1);
  auto rebuild_flags = std::make_shared<IndexFlags>();
  CLI::App* rebuild = index->add_subcommand("rebuild", "Build the vector index of each embedder in the store anew");
  AddCommon(rebuild, *rebuild_flags);
  rebuild->callback([rebuild_flags] { RunIndex(*rebuild_flags, /*force=*/true); });
  auto status_flags = std::make_shared<IndexFlags>();
  CLI::App* status = index->add_subcommand("status", "Bring each index up to date (building only what is stale)");
  AddCommon(status, *status_flags);
  status->callback([status_flags] { RunIndex(*status_flags, /*force=*/false); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterIndex);

}  // namespace docpipe::cli
