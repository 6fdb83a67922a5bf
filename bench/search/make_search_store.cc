// Writes a store for search benchmarks: N chunks of synthetic text (words
// drawn from a Zipf distribution, so BM25 has common and rare terms) with
// clustered unit vectors, recorded under the identity of a real model folder
// so that `docpipe bench search` embeds queries with that model. The vectors
// are not the model's: the benchmark measures search, and recall compares
// the index with exact search over the same vectors.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "docpipe/embedder.h"
#include "docpipe/store.h"

namespace {

using namespace docpipe;

std::vector<std::string> Vocabulary(size_t size, std::mt19937_64& random) {
  const char* syllables[] = {"ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "pe", "du", "gra", "shi", "tor", "ben",
                             "al", "or", "ex", "quin", "zo", "fa"};
  std::uniform_int_distribution<int> pick(0, 19), length(2, 4);
  std::vector<std::string> words;
  for (size_t i = 0; i < size; ++i) {
    std::string word;
    for (int s = length(random); s > 0; --s) word += syllables[pick(random)];
    words.push_back(word + std::to_string(i % 7));
  }
  return words;
}

std::vector<float> Unit(std::vector<float> vector) {
  double norm = 0;
  for (float value : vector) norm += static_cast<double>(value) * value;
  for (float& value : vector) value = static_cast<float>(value / std::sqrt(norm));
  return vector;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write a synthetic store for docpipe bench search"};
  std::string model_folder, out;
  int64_t chunks = 100000;
  int per_document = 20, words_per_chunk = 60, clusters = 256;
  app.add_option("--model", model_folder, "Model folder whose identity the vectors carry")->required();
  app.add_option("--out", out, "Store file to write (must not exist)")->required();
  app.add_option("--chunks", chunks, "Chunks to write")->capture_default_str();
  app.add_option("--clusters", clusters, "Vector clusters")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto model = EmbeddingModel::Load({model_folder});
  if (!model.ok()) return std::fprintf(stderr, "%s\n", model.status().ToString().c_str()), 1;
  EmbedderIdentity identity = (*model)->Identity();
  auto store = Store::Open(out);
  if (!store.ok()) return std::fprintf(stderr, "%s\n", store.status().ToString().c_str()), 1;

  std::mt19937_64 random(1234);
  const std::vector<std::string> words = Vocabulary(20000, random);
  std::vector<double> weights(words.size());
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / static_cast<double>(i + 1);  // Zipf, s = 1
  std::discrete_distribution<size_t> word(weights.begin(), weights.end());
  std::normal_distribution<float> normal;
  std::vector<std::vector<float>> centers;
  for (int c = 0; c < clusters; ++c) {
    std::vector<float> center(identity.dimension);
    for (float& value : center) value = normal(random);
    centers.push_back(Unit(center));
  }
  std::uniform_int_distribution<int> cluster(0, clusters - 1);

  std::vector<DocumentWrite> batch;
  int64_t written = 0;
  for (int64_t document = 0; written < chunks; ++document) {
    std::vector<std::string> texts;
    DocumentWrite write;
    write.embedder = identity;
    write.vectors.dimension = identity.dimension;
    for (int c = 0; c < per_document && written < chunks; ++c, ++written) {
      std::string text;
      for (int w = 0; w < words_per_chunk; ++w) text += (w ? " " : "") + words[word(random)];
      Chunk chunk;
      chunk.ordinal = c;
      chunk.text = text;
      chunk.page_start = chunk.page_end = 1;
      chunk.token_count = words_per_chunk;
      write.chunks.push_back(std::move(chunk));
      std::vector<float> vector = centers[static_cast<size_t>(cluster(random))];
      for (float& value : vector) value += 0.6f * normal(random) / std::sqrt(static_cast<float>(identity.dimension));
      vector = Unit(vector);
      write.vectors.values.insert(write.vectors.values.end(), vector.begin(), vector.end());
      ++write.vectors.rows;
    }
    write.record.path = fmt::format("synthetic/doc{:06}.md", document);
    write.record.sha256 = fmt::format("synthetic-{}", document);
    write.record.kind = DocumentKind::kText;
    batch.push_back(std::move(write));
    if (batch.size() == 200 || written == chunks) {
      Status status = (*store)->PutDocuments(batch);
      if (!status.ok()) return std::fprintf(stderr, "%s\n", status.ToString().c_str()), 1;
      batch.clear();
      std::fprintf(stderr, "\r%lld chunks", static_cast<long long>(written));
    }
  }
  std::fprintf(stderr, "\nwrote %lld chunks with %zu-d vectors of %s to %s\n", static_cast<long long>(written),
               identity.dimension, identity.name.c_str(), out.c_str());
  return 0;
}
