// What a sentence-transformers model folder says about the model: the
// encoder architecture and sizes (config.json), the module chain
// (modules.json: Transformer, Pooling, Dense, Normalize), pooling modes,
// Dense layers and the sequence limit (sentence_bert_config.json).
// Plain values; thread-safe once built.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docpipe/status.h"

namespace docpipe::embed {

enum class Architecture { kBert, kT5 };
enum class Activation { kIdentity, kGeluErf, kGeluTanh, kRelu, kTanh };

struct BertConfig {
  int vocab_size = 0;
  int hidden = 0;
  int layers = 0;
  int heads = 0;
  int intermediate = 0;
  int max_positions = 0;
  int type_vocab_size = 0;
  float layer_norm_eps = 1e-12f;
  Activation activation = Activation::kGeluErf;
};

struct T5Config {
  int vocab_size = 0;
  int d_model = 0;
  int d_kv = 0;
  int d_ff = 0;
  int layers = 0;
  int heads = 0;
  int num_buckets = 32;
  int max_distance = 128;
  float layer_norm_eps = 1e-6f;
  bool gated = false;  // "gated-gelu": act(wi_0 x) * (wi_1 x)
  Activation activation = Activation::kRelu;
};

// sentence-transformers' Pooling; several modes concatenate in this order.
struct PoolingConfig {
  bool cls = false;
  bool max = false;
  bool mean = false;
  bool mean_sqrt_len = false;
  bool weighted_mean = false;
  bool last_token = false;
  int Modes() const { return cls + max + mean + mean_sqrt_len + weighted_mean + last_token; }
  std::string Describe() const;
};

struct DenseConfig {
  std::string dir;  // the module's folder, holding config.json and the weights
  int in_features = 0;
  int out_features = 0;
  bool bias = true;
  Activation activation = Activation::kIdentity;
};

struct FolderSpec {
  std::string folder;
  std::string name;  // the folder's base name
  Architecture architecture = Architecture::kBert;
  BertConfig bert;
  T5Config t5;
  int hidden = 0;                 // width of the encoder's token states
  int max_seq_length = 0;         // tokens per text, special tokens included
  bool lower_case_input = false;  // sentence_bert_config.json do_lower_case
  PoolingConfig pooling;
  std::vector<DenseConfig> dense;
  bool normalize = false;
};

// Reads and checks the folder's configuration. `max_seq_length` > 0
// overrides the folder's limit (still capped by the model's positions).
Result<FolderSpec> ReadFolderSpec(const std::string& folder, int max_seq_length);

// Parses a JSON file; NotFound / Corrupt name the file.
Result<nlohmann::json> ReadJsonFile(const std::string& path);

std::string ArchitectureName(Architecture architecture);

// True when `path` exists; false also when it cannot be checked.
bool PathExists(const std::string& path);

}  // namespace docpipe::embed
