#include "server/served_model.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace docpipe::server {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// The folder's JSON file, or null when it is missing or not JSON (the engine
// already refused a broken config.json at load; the other file is optional).
Json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  return Json::parse(in, nullptr, /*allow_exceptions=*/false);
}

std::vector<int> MatryoshkaDimensions(const Json& config) {
  std::vector<int> dims;
  if (!config.is_object()) return dims;
  auto it = config.find("matryoshka_dimensions");
  if (it == config.end() || !it->is_array()) return dims;
  for (const Json& value : *it) {
    if (value.is_number_integer() && value.get<int64_t>() > 0) dims.push_back(value.get<int>());
  }
  return dims;
}

}  // namespace

bool ServedModel::Answers(const std::string& requested) const {
  return requested == name || requested == name + ":latest";
}

Status ServedModel::CheckDimensions(int64_t dimensions) const {
  if (dimensions < 1 || static_cast<size_t>(dimensions) > dimension) {
    return Status::InvalidArgument(fmt::format(
        "dimensions: expected an integer in [1, {}] for model \"{}\", got {}", dimension, name, dimensions));
  }
  if (static_cast<size_t>(dimensions) == dimension || !matryoshka_dimensions.empty()) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("dimensions: model \"{}\" is not Matryoshka-trained (no \"matryoshka_dimensions\" in its "
                  "config), so its "
                  "vectors cannot be shortened; omit dimensions or ask for {}",
                  name, dimension));
}

ServedModel DescribeServedModel(const EmbedderIdentity& identity, const std::string& folder) {
  ServedModel model;
  model.name = identity.name;
  model.dimension = identity.dimension;
  model.digest = identity.weights_hash;
  model.created_unix =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  model.family = "remote";
  if (folder.empty()) return model;
  Json config = ReadJson(fs::path(folder) / "config.json");
  if (config.is_object() && config.value("model_type", Json()).is_string()) {
    model.family = config["model_type"].get<std::string>();
  }
  model.matryoshka_dimensions =
      MatryoshkaDimensions(ReadJson(fs::path(folder) / "config_sentence_transformers.json"));
  if (model.matryoshka_dimensions.empty()) model.matryoshka_dimensions = MatryoshkaDimensions(config);
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(folder, error)) {
    if (entry.path().extension() == ".safetensors")
      model.size_bytes += static_cast<int64_t>(entry.file_size(error));
  }
  return model;
}

EmbeddingMatrix TruncateAndRenormalize(const EmbeddingMatrix& matrix, size_t dimensions) {
  EmbeddingMatrix cut;
  cut.rows = matrix.rows;
  cut.dimension = dimensions;
  cut.values.resize(cut.rows * dimensions);
  for (size_t i = 0; i < matrix.rows; ++i) {
    std::span<const float> row = matrix.Row(i).first(dimensions);
    double norm = 0;
    for (float v : row) norm += static_cast<double>(v) * v;
    const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 1.0;
    std::span<float> out = cut.Row(i);
    for (size_t j = 0; j < dimensions; ++j) out[j] = static_cast<float>(row[j] * scale);
  }
  return cut;
}

}  // namespace docpipe::server
