#include "embed/model_folder.h"

#include <algorithm>
#include <filesystem>

#include "embed/mapped_file.h"

namespace docpipe::embed {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kDefaultMaxSeqLength = 512;

// A value from a JSON object, or `fallback` when the key is absent or null.
template <typename T>
T Get(const json& object, const char* key, T fallback) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  return it->get<T>();
}

Result<Activation> ParseHfActivation(const std::string& name, const std::string& where) {
  if (name == "gelu" || name == "gelu_python") return Activation::kGeluErf;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::kGeluTanh;
  if (name == "relu") return Activation::kRelu;
  return Status::Unsupported(where + ": activation \"" + name +
                             "\" is not supported; supported: gelu, gelu_new, gelu_pytorch_tanh, relu");
}

Result<Activation> ParseTorchActivation(const std::string& name, const std::string& where) {
  if (name.empty() || name.ends_with(".Identity")) return Activation::kIdentity;
  if (name.ends_with(".Tanh")) return Activation::kTanh;
  if (name.ends_with(".ReLU")) return Activation::kRelu;
  if (name.ends_with(".GELU")) return Activation::kGeluErf;
  return Status::Unsupported(where + ": activation_function \"" + name +
                             "\" is not supported; supported: Identity, Tanh, ReLU, GELU");
}

Status ReadBert(const json& config, BertConfig& bert) {
  bert.vocab_size = config.at("vocab_size").get<int>();
  bert.hidden = config.at("hidden_size").get<int>();
  bert.layers = config.at("num_hidden_layers").get<int>();
  bert.heads = config.at("num_attention_heads").get<int>();
  bert.intermediate = config.at("intermediate_size").get<int>();
  bert.max_positions = Get(config, "max_position_embeddings", 512);
  bert.type_vocab_size = Get(config, "type_vocab_size", 2);
  bert.layer_norm_eps = Get(config, "layer_norm_eps", 1e-12f);
  const std::string position = Get<std::string>(config, "position_embedding_type", "absolute");
  if (position != "absolute")
    return Status::Unsupported("config.json: position_embedding_type \"" + position +
                               "\" is not supported; supported: absolute");
  DOCPIPE_ASSIGN_OR_RETURN(bert.activation,
                           ParseHfActivation(Get<std::string>(config, "hidden_act", "gelu"), "config.json"));
  if (bert.hidden % bert.heads != 0)
    return Status::Corrupt("config.json: hidden_size is not a multiple of num_attention_heads");
  return Status::Ok();
}

Status ReadT5(const json& config, T5Config& t5) {
  t5.vocab_size = config.at("vocab_size").get<int>();
  t5.d_model = config.at("d_model").get<int>();
  t5.d_kv = config.at("d_kv").get<int>();
  t5.d_ff = config.at("d_ff").get<int>();
  t5.layers = config.at("num_layers").get<int>();
  t5.heads = config.at("num_heads").get<int>();
  t5.num_buckets = Get(config, "relative_attention_num_buckets", 32);
  t5.max_distance = Get(config, "relative_attention_max_distance", 128);
  t5.layer_norm_eps = Get(config, "layer_norm_epsilon", 1e-6f);
  std::string proj = Get<std::string>(config, "feed_forward_proj", "relu");
  if (proj == "gated-gelu") proj = "gated-gelu_new";  // Hugging Face's legacy alias
  t5.gated = proj.starts_with("gated-");
  const std::string act = t5.gated ? proj.substr(6) : proj;
  DOCPIPE_ASSIGN_OR_RETURN(t5.activation, ParseHfActivation(act, "config.json feed_forward_proj"));
  if (t5.num_buckets < 4 || t5.max_distance <= t5.num_buckets / 4)
    return Status::Corrupt("config.json: relative attention buckets out of range");
  return Status::Ok();
}

Status ReadEncoderConfig(const std::string& folder, FolderSpec& spec) {
  DOCPIPE_ASSIGN_OR_RETURN(json config, ReadJsonFile(folder + "/config.json"));
  const std::string type = Get<std::string>(config, "model_type", "");
  try {
    if (type == "bert") {
      spec.architecture = Architecture::kBert;
      DOCPIPE_RETURN_IF_ERROR(ReadBert(config, spec.bert));
      spec.hidden = spec.bert.hidden;
    } else if (type == "t5") {
      spec.architecture = Architecture::kT5;
      DOCPIPE_RETURN_IF_ERROR(ReadT5(config, spec.t5));
      spec.hidden = spec.t5.d_model;
    } else {
      return Status::Unsupported(folder + "/config.json: model_type \"" + type +
                                 "\" is not supported; supported: bert (MiniLM, bge, e5, gte), "
                                 "t5 (gtr-t5, sentence-t5)");
    }
  } catch (const json::exception& e) {
    return Status::Corrupt(folder + "/config.json: " + e.what());
  }
  return Status::Ok();
}

Status ReadPooling(const std::string& dir, FolderSpec& spec) {
  DOCPIPE_ASSIGN_OR_RETURN(json config, ReadJsonFile(dir + "/config.json"));
  PoolingConfig& p = spec.pooling;
  try {
    p.cls = Get(config, "pooling_mode_cls_token", false);
    p.max = Get(config, "pooling_mode_max_tokens", false);
    p.mean = Get(config, "pooling_mode_mean_tokens", false);
    p.mean_sqrt_len = Get(config, "pooling_mode_mean_sqrt_len_tokens", false);
    p.weighted_mean = Get(config, "pooling_mode_weightedmean_tokens", false);
    p.last_token = Get(config, "pooling_mode_lasttoken", false);
    const int width = Get(config, "word_embedding_dimension", spec.hidden);
    if (width != spec.hidden)
      return Status::Corrupt(dir + "/config.json: word_embedding_dimension " + std::to_string(width) +
                             " differs from the encoder's hidden size " + std::to_string(spec.hidden));
  } catch (const json::exception& e) {
    return Status::Corrupt(dir + "/config.json: " + e.what());
  }
  if (p.Modes() == 0) return Status::Unsupported(dir + "/config.json: no pooling mode is enabled");
  return Status::Ok();
}

Status ReadDense(const std::string& dir, FolderSpec& spec) {
  DOCPIPE_ASSIGN_OR_RETURN(json config, ReadJsonFile(dir + "/config.json"));
  DenseConfig dense;
  dense.dir = dir;
  try {
    dense.in_features = config.at("in_features").get<int>();
    dense.out_features = config.at("out_features").get<int>();
    dense.bias = Get(config, "bias", true);
    DOCPIPE_ASSIGN_OR_RETURN(
        dense.activation,
        ParseTorchActivation(Get<std::string>(config, "activation_function", ""), dir + "/config.json"));
  } catch (const json::exception& e) {
    return Status::Corrupt(dir + "/config.json: " + e.what());
  }
  spec.dense.push_back(std::move(dense));
  return Status::Ok();
}

// Walks modules.json in order; a folder without one is a bare Transformer
// with mean pooling, as sentence-transformers itself assumes.
Status ReadModules(const std::string& folder, FolderSpec& spec) {
  if (!PathExists(folder + "/modules.json")) {
    spec.pooling.mean = true;
    return Status::Ok();
  }
  DOCPIPE_ASSIGN_OR_RETURN(json modules, ReadJsonFile(folder + "/modules.json"));
  if (!modules.is_array()) return Status::Corrupt(folder + "/modules.json: not a list");
  bool have_pooling = false;
  for (const json& module : modules) {
    const std::string type = Get<std::string>(module, "type", "");
    const std::string path = Get<std::string>(module, "path", "");
    const std::string dir = path.empty() ? folder : folder + "/" + path;
    if (type.ends_with(".Transformer")) continue;  // the encoder, read from config.json
    if (type.ends_with(".Pooling")) {
      DOCPIPE_RETURN_IF_ERROR(ReadPooling(dir, spec));
      have_pooling = true;
    } else if (type.ends_with(".Dense")) {
      DOCPIPE_RETURN_IF_ERROR(ReadDense(dir, spec));
    } else if (type.ends_with(".Normalize")) {
      spec.normalize = true;
    } else {
      return Status::Unsupported(folder + "/modules.json: module type \"" + type +
                                 "\" is not supported; supported: Transformer, Pooling, Dense, Normalize");
    }
  }
  if (!have_pooling) spec.pooling.mean = true;
  return Status::Ok();
}

Status ReadSequenceLimit(const std::string& folder, int override_length, FolderSpec& spec) {
  int length = kDefaultMaxSeqLength;
  const std::string path = folder + "/sentence_bert_config.json";
  if (PathExists(path)) {
    DOCPIPE_ASSIGN_OR_RETURN(json config, ReadJsonFile(path));
    try {
      length = Get(config, "max_seq_length", kDefaultMaxSeqLength);
      spec.lower_case_input = Get(config, "do_lower_case", false);
    } catch (const json::exception& e) {
      return Status::Corrupt(path + ": " + e.what());
    }
  }
  if (override_length > 0) length = override_length;
  if (spec.architecture == Architecture::kBert) length = std::min(length, spec.bert.max_positions);
  if (length < 2) return Status::InvalidArgument("max_seq_length must be at least 2");
  spec.max_seq_length = length;
  return Status::Ok();
}

Status CheckDenseChain(FolderSpec& spec) {
  int width = spec.hidden * spec.pooling.Modes();
  for (const DenseConfig& dense : spec.dense) {
    if (dense.in_features != width)
      return Status::Corrupt(dense.dir + "/config.json: in_features " + std::to_string(dense.in_features) +
                             " does not match the incoming width " + std::to_string(width));
    width = dense.out_features;
  }
  return Status::Ok();
}

}  // namespace

std::string PoolingConfig::Describe() const {
  std::string out;
  auto add = [&out](bool on, const char* name) {
    if (on) out += (out.empty() ? "" : "+") + std::string(name);
  };
  add(cls, "cls");
  add(max, "max");
  add(mean, "mean");
  add(mean_sqrt_len, "mean_sqrt_len_tokens");
  add(weighted_mean, "weightedmean");
  add(last_token, "lasttoken");
  return out;
}

std::string ArchitectureName(Architecture architecture) {
  return architecture == Architecture::kBert ? "bert" : "t5";
}

Result<json> ReadJsonFile(const std::string& path) {
  DOCPIPE_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    return Status::Corrupt(path + ": not valid JSON: " + e.what());
  }
}

Result<FolderSpec> ReadFolderSpec(const std::string& folder, int max_seq_length) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return Status::NotFound("model folder " + folder + " does not exist");
  FolderSpec spec;
  spec.folder = folder;
  spec.name = fs::path(folder).lexically_normal().filename().string();
  if (spec.name.empty()) spec.name = fs::path(folder).lexically_normal().parent_path().filename().string();
  DOCPIPE_RETURN_IF_ERROR(ReadEncoderConfig(folder, spec));
  DOCPIPE_RETURN_IF_ERROR(ReadModules(folder, spec));
  DOCPIPE_RETURN_IF_ERROR(ReadSequenceLimit(folder, max_seq_length, spec));
  DOCPIPE_RETURN_IF_ERROR(CheckDenseChain(spec));
  return spec;
}

bool PathExists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

}  // namespace docpipe::embed
