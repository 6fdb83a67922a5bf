// `docpipe search`: ranked chunks for a query.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "docpipe/store.h"

namespace docpipe::cli {
namespace {

struct SearchFlags {
  std::string query;
  std::string db = "docpipe.sqlite";
  SearchOptions options;
  bool json = false;
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

void PrintHits(const std::vector<SearchHit>& hits, bool json) {
  if (json) {
    nlohmann::json results = nlohmann::json::array();
    for (const SearchHit& hit : hits) {
      results.push_back({{"chunk_id", hit.chunk_id}, {"document_id", hit.document_id}, {"path", hit.path},
                         {"title", hit.title}, {"score", hit.score}, {"snippet", hit.snippet},
                         {"text", hit.text}, {"heading_path", hit.heading_path},
                         {"page_start", hit.page_start}, {"page_end", hit.page_end}});
    }
    std::printf("%s\n", results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  if (hits.empty()) std::printf("no results\n");
  int rank = 1;
  for (const SearchHit& hit : hits) {
    std::printf("%d. %s (%s)  score %.3f\n", rank++, hit.path.c_str(), PagesText(hit).c_str(), hit.score);
    if (!hit.heading_path.empty()) std::printf("   %s\n", JoinPath(hit.heading_path).c_str());
    std::printf("   %s\n\n", OneLine(hit.snippet).c_str());
  }
}

void RunSearch(const SearchFlags& flags) {
  StoreOptions store_options;
  store_options.create_if_missing = false;
  store_options.read_only = true;
  Result<std::unique_ptr<Store>> store = Store::Open(flags.db, store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "docpipe search: cannot open store %s: %s\n", flags.db.c_str(),
                 store.status().ToString().c_str());
    SetExitCode(kExitError);
    return;
  }
  Result<std::vector<SearchHit>> hits = (*store)->Search(flags.query, flags.options);
  if (!hits.ok()) {
    std::fprintf(stderr, "docpipe search: %s\n", hits.status().ToString().c_str());
    SetExitCode(hits.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError);
    return;
  }
  PrintHits(*hits, flags.json);
  SetExitCode(kExitOk);
}

void RegisterSearch(CLI::App& app) {
  auto flags = std::make_shared<SearchFlags>();
  CLI::App* cmd = app.add_subcommand("search", "Search the stored chunks (BM25 ranking)");
  cmd->footer(
      "Plain words are matched as terms; FTS5 syntax (\"exact phrase\", AND, OR, NOT, NEAR, prefix*) is\n"
      "honoured when written explicitly. Matched terms are marked [like this] in snippets.");
  cmd->add_option("query", flags->query, "What to look for")->required();
  cmd->add_option("--db", flags->db, "Store location: a SQLite file")->capture_default_str();
  cmd->add_option("-k,--top", flags->options.k, "Number of results")->capture_default_str()->check(CLI::Range(1, 10000));
  cmd->add_flag("--json", flags->json, "Results as JSON");
  cmd->callback([flags] { RunSearch(*flags); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterSearch);

}  // namespace docpipe::cli
