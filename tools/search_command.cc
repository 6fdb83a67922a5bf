// `docpipe search`: ranked chunks for a query.
#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "docpipe/extraction_records.h"
#include "docpipe/search.h"
#include "docpipe/store.h"
#include "docpipe/vector_index.h"

namespace docpipe::cli {
namespace {

struct SearchFlags {
  std::string query;
  std::string db = "docpipe.sqlite";
  std::string mode = "lexical";
  QueryOptions options;
  TextEmbedderOptions embed;  // the query embedder, when not the one the store recorded
  std::string embedder_name;
  std::string index_dir;  // empty: the store's default
  std::vector<std::string> filters;
  bool exact = false;
  bool explain = false;
  bool json = false;
  bool with_records = false;  // JSON hits carry their document's extraction records
};

std::string JoinPath(const std::vector<std::string>& headings) {
  std::string out;
  for (const std::string& heading : headings) {
    if (!out.empty()) out += " > ";
    out += heading;
  }
  return out;
}

// Snippets span paragraphs; a terminal line reads better with whitespace runs folded to one space.
std::string OneLine(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string PagesText(const SearchHit& hit) {
  if (hit.page_start == hit.page_end) return fmt::format("p. {}", hit.page_start);
  return fmt::format("pp. {}-{}", hit.page_start, hit.page_end);
}

// "table 2 on p. 5: Table 3. Results" (the caption only when there is one).
std::string TableText(const ChunkTable& table) {
  std::string text = fmt::format("table {} on p. {}", table.index, table.page);
  if (!table.caption.empty()) text += ": " + OneLine(table.caption);
  return text;
}

std::string Explanation(const RankedHit& ranked) {
  auto side = [](int rank) { return rank > 0 ? std::to_string(rank) : std::string("-"); };
  return fmt::format("lexical rank {}, vector rank {}", side(ranked.lexical_rank), side(ranked.vector_rank));
}

// `records`: ExtractionRecordsJson text by document id, with --with-records.
void PrintHits(const std::vector<RankedHit>& ranked, const SearchFlags& flags,
               const std::map<int64_t, std::string>& records) {
  if (flags.json) {
    nlohmann::json results = nlohmann::json::array();
    for (const RankedHit& entry : ranked) {
      const SearchHit& hit = entry.hit;
      nlohmann::json result = nlohmann::json::parse(SearchHitJson(hit));
      if (auto found = records.find(hit.document_id); found != records.end()) {
        result["records"] = nlohmann::json::parse(found->second);
      }
      if (flags.explain) {
        result["explain"] = {{"lexical_rank", entry.lexical_rank}, {"vector_rank", entry.vector_rank}};
      }
      results.push_back(std::move(result));
    }
    std::printf("%s\n", results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  if (ranked.empty()) std::printf("no results\n");
  int rank = 1;
  for (const RankedHit& entry : ranked) {
    const SearchHit& hit = entry.hit;
    std::printf("%d. %s (%s)  score %.3f\n", rank++, hit.path.c_str(), PagesText(hit).c_str(), hit.score);
    if (flags.explain) std::printf("   %s\n", Explanation(entry).c_str());
    if (!hit.heading_path.empty()) std::printf("   %s\n", JoinPath(hit.heading_path).c_str());
    for (const ChunkTable& table : hit.tables) std::printf("   %s\n", TableText(table).c_str());
    std::printf("   %s\n\n", OneLine(hit.snippet).c_str());
  }
}

// "domain=medicine" (a tag: axis=label), "path=GLOB", "document=ID", "table=yes|no".
Status ParseFilters(const std::vector<std::string>& texts, SearchFilter& filter) {
  for (const std::string& text : texts) {
    const size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
      return Status::InvalidArgument(fmt::format("--filter '{}': expected NAME=VALUE", text));
    }
    const std::string name = text.substr(0, equals);
    const std::string value = text.substr(equals + 1);
    if (name == "path") {
      filter.path_glob = value;
    } else if (name == "document") {
      try {
        filter.document_ids.push_back(std::stoll(value));
      } catch (const std::exception&) {
        return Status::InvalidArgument(fmt::format("--filter '{}': a document id is a number", text));
      }
    } else if (name == "domain" || name == "task" || name == "modifier") {
      filter.tags.emplace_back(name, value);
    } else if (name == "table") {
      if (value != "yes" && value != "no") {
        return Status::InvalidArgument(fmt::format("--filter '{}': expected table=yes or table=no", text));
      }
      filter.has_table = value == "yes";
    } else {
      return Status::InvalidArgument(
          fmt::format("--filter '{}': filter by domain=, task=, modifier= (tags), path= (glob), document= "
                      "(id) or table= (yes/no)",
                      text));
    }
  }
  return Status::Ok();
}

void RunSearch(const SearchFlags& flags) {
  StoreOptions store_options;
  store_options.create_if_missing = false;
  store_options.read_only = true;
  Result<std::unique_ptr<Store>> store = Store::Open(flags.db, store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "docpipe search: cannot open store %s: %s\n", Store::DisplayLocation(flags.db).c_str(),
                 store.status().ToString().c_str());
    SetExitCode(kExitError);
    return;
  }
  auto fail = [](const Status& status) { FailCommand("search", status); };
  QueryOptions options = flags.options;
  Result<SearchMode> mode = ParseSearchMode(flags.mode);
  if (!mode.ok()) return fail(mode.status());
  options.mode = *mode;
  std::shared_ptr<TextEmbedder> embedder;
  if (options.mode != SearchMode::kLexical) {
    TextEmbedderOptions embed = flags.embed;
    if (!embed.url.empty()) embed.api_key = EmbedApiKeyFromEnvironment();
    Result<std::shared_ptr<TextEmbedder>> opened = OpenQueryEmbedder(**store, embed, flags.embedder_name);
    if (!opened.ok()) return fail(opened.status());
    embedder = *opened;
  }
  Status parsed = ParseFilters(flags.filters, options.search.filter);
  if (!parsed.ok()) return fail(parsed);
  std::unique_ptr<VectorIndex> index;
  if (embedder && !flags.exact) {
    const std::string directory = flags.index_dir.empty() ? DefaultIndexDirectory(flags.db) : flags.index_dir;
    Result<std::unique_ptr<VectorIndex>> opened =
        VectorIndex::Open(**store, embedder->Identity().Key(), directory, VectorIndexOptions{});
    if (!opened.ok()) return fail(opened.status().WithContext("opening the vector index"));
    index = std::move(*opened);
    const VectorIndexInfo& info = index->info();
    if (info.rebuilt) {
      std::fprintf(stderr, "docpipe search: built the %s vector index of %lld vectors in %.2f s (%s)\n",
                   std::string(VectorIndexKindName(info.kind)).c_str(), static_cast<long long>(info.vectors),
                   info.build_seconds, info.reason.c_str());
    }
  }
  Result<std::vector<RankedHit>> hits = SearchChunks(**store, flags.query, embedder.get(), options, index.get());
  if (!hits.ok()) return fail(hits.status());
  std::map<int64_t, std::string> records;
  if (flags.with_records) {
    std::vector<int64_t> documents;
    for (const RankedHit& ranked : *hits) documents.push_back(ranked.hit.document_id);
    Result<std::map<int64_t, std::string>> read = ExtractionRecordsOf(**store, documents);
    if (!read.ok()) return fail(read.status().WithContext("reading extraction records"));
    records = std::move(read).value();
  }
  PrintHits(*hits, flags, records);
  SetExitCode(kExitOk);
}

void RegisterSearch(CLI::App& app) {
  auto flags = std::make_shared<SearchFlags>();
  CLI::App* cmd = app.add_subcommand("search", "Search the stored chunks: lexical (BM25), vector, or hybrid");
  cmd->footer(
      "Lexical: plain words are matched as terms; FTS5 syntax (\"exact phrase\", AND, OR, NOT, NEAR, prefix*)\n"
      "is honoured when written explicitly. Matched terms are marked [like this] in snippets.\n"
      "Vector: the query is embedded by the model that embedded the chunks (found from the store; a store\n"
      "with vectors of several models needs --embedder NAME) and compared by inner product.\n"
      "Hybrid: reciprocal rank fusion of both lists (score = sum of weight / (rrf-k + rank)).\n"
      "The vector side uses a FAISS index kept beside the store (flat below 20,000 vectors, HNSW above),\n"
      "built on first use and rebuilt whenever the stored vectors changed; see `docpipe index`.");
  cmd->add_option("query", flags->query, "What to look for (after --, it may start with -)")->required();
  cmd->add_option("--db", flags->db, "Store location: a SQLite file or a postgresql:// URL")->capture_default_str();
  cmd->add_option("-k,--top", flags->options.search.k, "Number of results")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--mode", flags->mode, "lexical, vector or hybrid")
      ->capture_default_str()
      ->check(CLI::IsMember({"lexical", "vector", "hybrid"}));
  cmd->add_option("--embedder", flags->embedder_name, "Which stored embedder's vectors to search (by name)");
  cmd->add_option("--embed-model", flags->embed.model_folder, "Embed the query with this model folder instead")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--embed-url", flags->embed.url, "Embed the query with this server instead");
  cmd->add_option("--embed-remote-model", flags->embed.remote_model, "Model name on that server");
  cmd->add_option("--rrf-k", flags->options.rrf_k, "Hybrid: the k of reciprocal rank fusion")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--lexical-weight", flags->options.lexical_weight, "Hybrid: weight of the lexical ranks")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--vector-weight", flags->options.vector_weight, "Hybrid: weight of the vector ranks")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option(
      "--filter", flags->filters,
      "Only chunks with this tag (domain=LABEL, task=LABEL, modifier=LABEL), in documents whose path "
      "matches path=GLOB, in document=ID, that hold a table (table=yes) or none (table=no) (repeatable; all "
      "must hold)");
  cmd->add_flag("--exact", flags->exact, "Vector side: compare with every stored vector instead of the index");
  cmd->add_option("--index-dir", flags->index_dir, "Where the vector index lives (default: beside the store)");
  cmd->add_flag("--explain", flags->explain, "Show each hit's rank on the lexical and vector sides");
  CLI::Option* json = cmd->add_flag("--json", flags->json, "Results as JSON");
  cmd->add_flag("--with-records", flags->with_records,
                "Each hit carries its document's extraction records (docpipe extract; see docs/extract.md)")
      ->needs(json);
  cmd->callback([flags] { RunSearch(*flags); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterSearch);

}  // namespace docpipe::cli
