#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "docpipe/ingest.h"

namespace docpipe {
namespace {

nlohmann::json ProblemsJson(const std::vector<InputProblem>& problems) {
  nlohmann::json list = nlohmann::json::array();
  for (const InputProblem& problem : problems) list.push_back({{"path", problem.path}, {"reason", problem.reason}});
  return list;
}

double PerSecond(double count, double seconds) { return seconds > 0 ? count / seconds : 0; }

nlohmann::json EnrichmentJson(const IngestEnrichmentReport& e) {
  return {{"producer", e.producer},
          {"chunks", e.chunks},
          {"by_source", {{"llm", e.llm}, {"heuristic", e.heuristic}, {"fallback", e.fallback}}},
          {"cache_hits", e.cache_hits},
          {"llm_requests", e.llm_requests},
          {"retries", e.retries},
          {"errors", e.errors},
          {"invalid_outputs", e.invalid_outputs},
          {"breaker_trips", e.breaker_trips},
          {"seconds", e.seconds},
          {"llm_client_cpu_seconds", e.llm_client_cpu_seconds}};
}

std::string EnrichmentText(const IngestEnrichmentReport& e) {
  std::string out = fmt::format("enrichment ({}): {} chunks: {} llm ({} from cache), {} heuristic, {} fallback\n",
                                e.producer, e.chunks, e.llm, e.cache_hits, e.heuristic, e.fallback);
  if (e.producer != "heuristic") {
    out += fmt::format("llm: {} requests, {} retries, {} errors, {} invalid outputs, breaker tripped {} time(s)\n",
                       e.llm_requests, e.retries, e.errors, e.invalid_outputs, e.breaker_trips);
  }
  if (e.fallback > 0) {
    out += fmt::format("warning: the LLM failed for {} chunk(s); the heuristic tagger stood in (source 'fallback')\n",
                       e.fallback);
  }
  return out;
}

nlohmann::json StagesJson(const std::vector<StageFigures>& stages) {
  nlohmann::json list = nlohmann::json::array();
  for (const StageFigures& stage : stages) {
    list.push_back({{"name", stage.name}, {"busy_seconds", stage.busy_seconds}, {"units", stage.units}});
  }
  return list;
}

std::string StagesText(const std::vector<StageFigures>& stages) {
  if (stages.empty()) return {};
  std::string out = "stages (busy s, units):";
  for (const StageFigures& stage : stages) {
    out += fmt::format(" {} {:.2f} s {}{}", stage.name, stage.busy_seconds, stage.units,
                       &stage == &stages.back() ? "" : ",");
  }
  return out + "\n";
}

}  // namespace

std::string IngestReport::ToJson() const {
  nlohmann::json report = {
      {"inputs", inputs},
      {"cancelled", cancelled},
      {"documents", {{"ok", documents_ok}, {"skipped", documents_skipped}, {"failed", documents_failed},
                     {"unsupported", unsupported}}},
      {"pages", pages},
      {"pages_needing_ocr", pages_needing_ocr},
      {"pages_ocr", pages_ocr},
      {"chunks", chunks},
      {"bytes", bytes},
      {"workers", workers},
      {"wall_seconds", wall_seconds},
      {"index_build_seconds", index_build_seconds},
      {"pages_per_second", PerSecond(static_cast<double>(pages), wall_seconds)},
      {"busy_seconds", {{"open", busy.open}, {"extract", busy.extract}, {"structure", busy.structure},
                        {"chunk", busy.chunk}, {"embed", busy.embed}, {"store", busy.store},
                        {"render", busy.render}, {"ocr", busy.ocr}}},
      {"stages", StagesJson(stages)},
      {"hash_seconds", hash_seconds},
      {"setup_seconds", {{"pdf_engine", pdf_engine_setup_seconds}, {"pdf_workers", pdf_worker_setup_seconds},
                         {"ocr_session", ocr_session_setup_seconds}}},
      {"ocr_sessions", ocr_sessions},
      {"low_confidence_pages", ProblemsJson(low_confidence_pages)},
      {"ocr_pictures", {{"read", ocr_counts.pictures_read}, {"small", ocr_counts.pictures_small},
                        {"not_text", ocr_counts.pictures_not_text},
                        {"other_script", ocr_counts.pictures_other_script}}},
      {"ocr_words_dropped", ocr_counts.words_dropped},
      {"unread_script_pages", ProblemsJson(unread_script_pages)},
      {"failures", ProblemsJson(failures)},
      {"page_problems", ProblemsJson(page_problems)},
      {"unsupported_files", ProblemsJson(unsupported_files)},
      {"enrichment", EnrichmentJson(enrichment)},
      {"embedding", {{"embedder", embedder}, {"vectors", vectors}}},
  };
  // File names need not be UTF-8: replace bad bytes rather than fail the report.
  return report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string IngestReport::ToText() const {
  std::string out = cancelled ? "CANCELLED: the run was stopped; the figures are of what was stored\n" : "";
  out += fmt::format(
      "documents: {} ok, {} skipped (already stored), {} failed, {} unsupported; {} pages ({} need OCR), "
      "{} chunks\n"
      "wall time: {:.2f} s on {} workers, {:.1f} pages/s\n",
      documents_ok, documents_skipped, documents_failed, unsupported, pages, pages_needing_ocr, chunks,
      wall_seconds, workers, PerSecond(static_cast<double>(pages), wall_seconds));
  out += fmt::format(
      "busy time: open {:.2f} s, extract {:.2f} s, structure {:.2f} s, chunk {:.2f} s, embed {:.2f} s, "
      "store {:.2f} s\n",
      busy.open, busy.extract, busy.structure, busy.chunk, busy.embed, busy.store);
  out += StagesText(stages);
  if (index_build_seconds > 0) out += fmt::format("full-text index built in {:.2f} s\n", index_build_seconds);
  if (pages_ocr > 0) {
    out += fmt::format("ocr: {} pages recognised, render {:.2f} s, recognition {:.2f} s ({:.2f} s per page); "
                       "{} Tesseract instance(s), {:.2f} s each to start\n",
                       pages_ocr, busy.render, busy.ocr, busy.ocr / static_cast<double>(pages_ocr), ocr_sessions,
                       ocr_session_setup_seconds);
  }
  const OcrCounts& ocr = ocr_counts;
  if (ocr.pictures_read + ocr.pictures_small + ocr.pictures_not_text + ocr.pictures_other_script > 0) {
    out += fmt::format("ocr pictures: {} recognised; skipped {} too small, {} not text-like, {} in a script the "
                       "OCR languages do not read\n",
                       ocr.pictures_read, ocr.pictures_small, ocr.pictures_not_text, ocr.pictures_other_script);
  }
  if (ocr.words_dropped > 0) out += fmt::format("ocr: {} low-confidence words left out\n", ocr.words_dropped);
  out += EnrichmentText(enrichment);
  if (!embedder.empty()) out += fmt::format("embedding ({}): {} vectors\n", embedder, vectors);
  for (const InputProblem& problem : failures) out += fmt::format("failed: {}: {}\n", problem.path, problem.reason);
  for (const InputProblem& problem : page_problems) {
    out += fmt::format("page problem: {}: {}\n", problem.path, problem.reason);
  }
  for (const InputProblem& problem : low_confidence_pages) {
    out += fmt::format("low OCR confidence: {}: {}\n", problem.path, problem.reason);
  }
  for (const InputProblem& problem : unread_script_pages) {
    out += fmt::format("unread script: {}: {}\n", problem.path, problem.reason);
  }
  for (const InputProblem& problem : unsupported_files) {
    out += fmt::format("unsupported: {}\n", problem.path);
  }
  return out;
}

}  // namespace docpipe
