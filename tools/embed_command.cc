// `docpipe embed`: sentence embeddings from a local sentence-transformers model folder.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "docpipe/embedder.h"

namespace docpipe::cli {
namespace {

struct EmbedFlags {
  std::string model;
  std::string input;
  std::vector<std::string> texts;
  int threads = 0;
  int max_seq_length = 0;
  int batch = 32;
  std::string precision = "fp32";
  bool json = false;
  bool info = false;
  bool stats = false;
};

// One text per line from FILE, or from standard input for "-".
Result<std::vector<std::string>> ReadLines(const std::string& path) {
  std::ifstream file;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return Status::NotFound("cannot open input " + path);
  }
  std::istream& in = path == "-" ? std::cin : file;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  if (in.bad()) return Status::IoError("cannot read input " + path);
  return lines;
}

nlohmann::json IdentityJson(const EmbedderIdentity& identity) {
  return {{"name", identity.name},
          {"dimension", identity.dimension},
          {"weights_sha256", identity.weights_hash},
          {"normalized", identity.normalized}};
}

void PrintInfo(const EmbeddingModel& model) {
  const EmbeddingModelInfo& info = model.info();
  const EmbedderIdentity& identity = model.Identity();
  std::fprintf(stderr,
               "model %s: %s, %d layers, hidden %d, %s tokenizer, max %d tokens, pooling %s, %d dense, %s\n"
               "  output dimension %zu, weights sha256 %s\n  %.1f MB mapped, %.1f MB widened from F16/BF16\n"
               "  precision %s (%s), %.1f MB of encoder weights\n",
               identity.name.c_str(), info.architecture.c_str(), info.layers, info.hidden,
               info.tokenizer.c_str(), info.max_seq_length, info.pooling.c_str(), info.dense_layers,
               info.normalize ? "normalized" : "not normalized", identity.dimension,
               identity.weights_hash.c_str(), info.mapped_bytes / 1e6, info.widened_bytes / 1e6,
               info.precision.c_str(), info.kernel.c_str(), info.weight_bytes / 1e6);
}

void PrintVectors(const EmbeddingModel& model, const EmbeddingMatrix& vectors, bool json) {
  const auto replace = nlohmann::json::error_handler_t::replace;
  if (json) {
    nlohmann::json out = {{"model", IdentityJson(model.Identity())}, {"count", vectors.rows}};
    nlohmann::json rows = nlohmann::json::array();
    for (size_t i = 0; i < vectors.rows; ++i)
      rows.push_back(std::vector<float>(vectors.Row(i).begin(), vectors.Row(i).end()));
    out["vectors"] = std::move(rows);
    std::printf("%s\n", out.dump(-1, ' ', false, replace).c_str());
    return;
  }
  for (size_t i = 0; i < vectors.rows; ++i) {
    const nlohmann::json row = std::vector<float>(vectors.Row(i).begin(), vectors.Row(i).end());
    std::printf("%s\n", row.dump().c_str());
  }
}

void RunEmbed(const EmbedFlags& flags) {
  std::vector<std::string> texts = flags.texts;
  if (!flags.input.empty()) {
    auto lines = ReadLines(flags.input);
    if (!lines.ok()) {
      std::fprintf(stderr, "docpipe embed: %s\n", lines.status().ToString().c_str());
      return SetExitCode(kExitUsage);
    }
    texts.insert(texts.end(), lines->begin(), lines->end());
  }
  if (texts.empty() && !flags.info) {
    std::fprintf(stderr,
                 "docpipe embed: no texts; pass them as arguments or with --input FILE (- for stdin)\n");
    return SetExitCode(kExitUsage);
  }
  auto precision = ParseEmbedPrecision(flags.precision);
  if (!precision.ok()) {
    std::fprintf(stderr, "docpipe embed: %s\n", precision.status().ToString().c_str());
    return SetExitCode(kExitUsage);
  }
  const auto start = std::chrono::steady_clock::now();
  EmbeddingModelOptions options;
  options.precision = *precision;
  options.folder = flags.model;
  options.max_seq_length = flags.max_seq_length;
  options.max_batch_texts = flags.batch;
  auto model = EmbeddingModel::Load(options);
  if (!model.ok()) {
    std::fprintf(stderr, "docpipe embed: cannot load model: %s\n", model.status().ToString().c_str());
    return SetExitCode(kExitError);
  }
  if (flags.info) PrintInfo(**model);
  const auto loaded = std::chrono::steady_clock::now();
  auto vectors = EmbedInParallel(*model, texts, flags.threads);
  if (!vectors.ok()) {
    std::fprintf(stderr, "docpipe embed: %s\n", vectors.status().ToString().c_str());
    return SetExitCode(kExitError);
  }
  const auto done = std::chrono::steady_clock::now();
  if (!texts.empty()) PrintVectors(**model, *vectors, flags.json);
  if (flags.stats) {
    const double load_s = std::chrono::duration<double>(loaded - start).count();
    const double embed_s = std::chrono::duration<double>(done - loaded).count();
    std::fprintf(stderr, "docpipe embed: model loaded in %.3f s; %zu texts in %.3f s (%.1f texts/s)\n",
                 load_s, texts.size(), embed_s, embed_s > 0 ? texts.size() / embed_s : 0.0);
  }
  SetExitCode(kExitOk);
}

void RegisterEmbed(CLI::App& app) {
  auto flags = std::make_shared<EmbedFlags>();
  CLI::App* cmd = app.add_subcommand("embed", "Sentence embeddings from a local sentence-transformers model");
  cmd->footer(
      "The model folder is as downloaded from the Hugging Face hub (all-MiniLM-L6-v2, bge-small-en-v1.5,\n"
      "e5-base-v2, gtr-t5-base, sentence-t5-base): config.json, model.safetensors (F32, F16 or BF16),\n"
      "vocab.txt or tokenizer.json (BERT) or spiece.model (T5), modules.json, 1_Pooling/, optional\n"
      "2_Dense/ and Normalize, sentence_bert_config.json. It runs natively; no Python is needed.\n\n"
      "Output: one JSON array per text and line, in input order; with --json one JSON object holding the\n"
      "model's identity (name, dimension, weights SHA-256) and all vectors.\n\n"
      "Examples:\n"
      "  docpipe embed --model ~/models/gtr-t5-base \"first sentence\" \"second sentence\"\n"
      "  docpipe embed --model ~/models/all-MiniLM-L6-v2 --input texts.txt --threads 2 --json\n"
      "  cat texts.txt | docpipe embed --model ~/models/bge-small-en-v1.5 --input -\n"
      "  docpipe embed --model ~/models/gtr-t5-base --precision int8 --input texts.txt\n\n"
      "Exit status: 0 ok, 2 bad usage or unreadable input, 3 the model could not be loaded or run.");
  cmd->add_option("texts", flags->texts, "Texts to embed (each argument is one text)");
  cmd->add_option("--model,-m", flags->model, "Model folder (sentence-transformers layout)")->required();
  cmd->add_option("--input,-i", flags->input, "Read one text per line from FILE; - reads standard input");
  cmd->add_option("--threads,-t", flags->threads,
                  "Worker threads, one model session each (0: one per core); BLAS runs on those threads only")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-seq-length", flags->max_seq_length,
                  "Tokens per text, special tokens included (0: the folder's sentence_bert_config.json)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--batch", flags->batch, "Texts per encoder call, after sorting by length")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--precision", flags->precision,
                  "fp32 (default), bf16 (AVX-512 BF16 CPUs) or int8 (dynamic quantisation of the linear layers); "
                  "a reduced precision is a different embedder identity");
  cmd->add_flag("--json", flags->json, "Print one JSON object with the model identity and all vectors");
  cmd->add_flag("--info", flags->info, "Describe the loaded model on standard error");
  cmd->add_flag("--stats", flags->stats, "Print load time and throughput on standard error");
  cmd->callback([flags] { RunEmbed(*flags); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterEmbed);

}  // namespace docpipe::cli
