#include "embed/model_state.h"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/sha256.h"
#include "core/unicode.h"
#include "embed/bert_encoder.h"
#include "embed/kernels.h"
#include "embed/packed_linear.h"
#include "embed/sentencepiece_tokenizer.h"
#include "embed/t5_encoder.h"
#include "embed/wordpiece_tokenizer.h"

namespace docpipe::embed {
namespace {

Result<std::unique_ptr<SafetensorsFile>> OpenWeights(const std::string& dir) {
  const std::string path = dir + "/model.safetensors";
  if (!PathExists(path)) {
    if (PathExists(dir + "/pytorch_model.bin"))
      return Status::Unsupported(dir +
                                 " has only pytorch_model.bin (a pickle); supported: model.safetensors "
                                 "(convert it once, e.g. with safetensors' convert script)");
    return Status::NotFound("missing " + path + "; supported weights: model.safetensors (F32, F16, BF16)");
  }
  return SafetensorsFile::Open(path);
}

Status LoadDense(ModelState& state) {
  for (const DenseConfig& config : state.spec.dense) {
    DOCPIPE_ASSIGN_OR_RETURN(auto file, OpenWeights(config.dir));
    WeightBinder w(*file, "", state.arena);
    DenseLayer layer;
    layer.in = static_cast<size_t>(config.in_features);
    layer.out = static_cast<size_t>(config.out_features);
    layer.activation = config.activation;
    layer.weight = w.Bind("linear.weight", {config.out_features, config.in_features});
    if (config.bias) layer.bias = w.Bind("linear.bias", {config.out_features});
    DOCPIPE_RETURN_IF_ERROR(w.status());
    state.dense.push_back(layer);
    state.files.push_back(std::move(file));
  }
  return Status::Ok();
}

Status LoadEncoder(ModelState& state) {
  const FolderSpec& spec = state.spec;
  DOCPIPE_ASSIGN_OR_RETURN(auto file, OpenWeights(spec.folder));
  if (spec.architecture == Architecture::kBert) {
    DOCPIPE_ASSIGN_OR_RETURN(state.tokenizer, WordPieceTokenizer::FromFolder(spec.folder));
    DOCPIPE_ASSIGN_OR_RETURN(state.encoder,
                             BertEncoder::Make(spec.bert, *file, state.arena, state.precision, ActiveCpuFeatures()));
  } else {
    DOCPIPE_ASSIGN_OR_RETURN(state.tokenizer, SentencePieceTokenizer::Make(spec.folder + "/spiece.model"));
    DOCPIPE_ASSIGN_OR_RETURN(state.encoder, T5Encoder::Make(spec.t5, static_cast<size_t>(spec.max_seq_length),
                                                            *file, state.arena, state.precision,
                                                            ActiveCpuFeatures()));
  }
  state.files.push_back(std::move(file));
  const int vocab = spec.architecture == Architecture::kBert ? spec.bert.vocab_size : spec.t5.vocab_size;
  if (state.tokenizer->vocab_size() > vocab)
    return Status::Corrupt(spec.folder + ": the tokenizer has " +
                           std::to_string(state.tokenizer->vocab_size()) +
                           " tokens but the embedding table only " + std::to_string(vocab));
  return Status::Ok();
}

void FillInfo(ModelState& state) {
  const FolderSpec& spec = state.spec;
  EmbeddingModelInfo& info = state.info;
  const bool bert = spec.architecture == Architecture::kBert;
  info.architecture = ArchitectureName(spec.architecture);
  info.tokenizer = bert ? "wordpiece" : "sentencepiece";
  info.pooling = spec.pooling.Describe();
  info.layers = bert ? spec.bert.layers : spec.t5.layers;
  info.hidden = spec.hidden;
  info.max_seq_length = spec.max_seq_length;
  info.dense_layers = static_cast<int>(spec.dense.size());
  info.normalize = spec.normalize;
  for (const auto& file : state.files) info.mapped_bytes += file->file().size();
  info.widened_bytes = state.arena.bytes();
  info.precision = std::string(EmbedPrecisionName(state.precision));
  switch (state.precision) {
    case EmbedPrecision::kFloat32:
      info.kernel = "openblas-sgemm";
      break;
    case EmbedPrecision::kBFloat16:
      info.kernel = "bf16-avx512-bf16";
      break;
    case EmbedPrecision::kInt8:
      info.kernel = "int8-" + std::string(Int8PathName(ChooseInt8Path(ActiveCpuFeatures())));
      break;
  }
  info.weight_bytes = state.encoder->weight_bytes();
}

std::string LowerCase(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    char32_t c = NextCodepoint(text, pos);
    AppendUtf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
  }
  return out;
}

}  // namespace

void TokenizeText(const ModelState& state, std::string_view text, std::vector<int32_t>& ids) {
  const auto limit = static_cast<size_t>(state.spec.max_seq_length);
  if (state.spec.lower_case_input) {
    state.tokenizer->Encode(LowerCase(text), limit, ids);
  } else {
    state.tokenizer->Encode(text, limit, ids);
  }
}

void FrameTokens(const ModelState& state, std::span<const int32_t> content, std::vector<int32_t>& ids) {
  state.tokenizer->Frame(content, static_cast<size_t>(state.spec.max_seq_length), ids);
}

const EmbedderIdentity& ModelState::Identity() const {
  std::call_once(identity_once_, [this] {
    Sha256 hash;
    for (const auto& file : files) hash.Update(file->file().data(), file->file().size());
    // The head and the sequence limit change the vectors too.
    // float32 keeps the hash it always had; a reduced precision is another model.
    if (precision != EmbedPrecision::kFloat32) hash.Update("|precision=" + std::string(EmbedPrecisionName(precision)));
    hash.Update("|pooling=" + spec.pooling.Describe() + "|dense=" + std::to_string(spec.dense.size()) +
                "|normalize=" + std::to_string(spec.normalize) + "|max_seq_length=" +
                std::to_string(spec.max_seq_length) + "|lower=" + std::to_string(spec.lower_case_input));
    const std::string suffix =
        precision == EmbedPrecision::kFloat32 ? "" : std::string(EmbedPrecisionName(precision));
    identity_.name = suffix.empty() ? spec.name : spec.name + "@" + suffix;
    identity_.dimension = dimension;
    identity_.weights_hash = hash.HexDigest();
    identity_.normalized = spec.normalize;
    std::error_code error;
    std::filesystem::path absolute = std::filesystem::absolute(spec.folder, error);
    identity_.source = error ? spec.folder : absolute.lexically_normal().string();
    if (!suffix.empty()) identity_.source += "#" + suffix;
  });
  return identity_;
}

Result<std::unique_ptr<ModelState>> LoadModelState(const EmbeddingModelOptions& options) {
  DOCPIPE_RETURN_IF_ERROR(CheckPrecisionSupported(options.precision, ActiveCpuFeatures()));
  auto state = std::make_unique<ModelState>();
  state->precision = options.precision;
  DOCPIPE_ASSIGN_OR_RETURN(state->spec, ReadFolderSpec(options.folder, options.max_seq_length));
  DOCPIPE_RETURN_IF_ERROR(LoadEncoder(*state));
  DOCPIPE_RETURN_IF_ERROR(LoadDense(*state));
  state->dimension = state->spec.dense.empty()
                         ? static_cast<size_t>(state->spec.hidden * state->spec.pooling.Modes())
                         : static_cast<size_t>(state->spec.dense.back().out_features);
  FillInfo(*state);
  return state;
}

void PoolText(const PoolingConfig& pooling, const float* states, size_t length, size_t hidden, float* out) {
  auto row = [&](size_t i) { return states + i * hidden; };
  if (pooling.cls) {
    std::memcpy(out, row(0), hidden * sizeof(float));
    out += hidden;
  }
  if (pooling.max) {
    std::memcpy(out, row(0), hidden * sizeof(float));
    for (size_t t = 1; t < length; ++t)
      for (size_t i = 0; i < hidden; ++i) out[i] = std::max(out[i], row(t)[i]);
    out += hidden;
  }
  const bool need_sum = pooling.mean || pooling.mean_sqrt_len;
  if (need_sum) {
    float* sum = out;  // the mean's slot doubles as the accumulator
    std::fill(sum, sum + hidden, 0.0f);
    for (size_t t = 0; t < length; ++t) AddInPlace(sum, row(t), hidden);
    if (pooling.mean && pooling.mean_sqrt_len) std::memcpy(out + hidden, sum, hidden * sizeof(float));
    if (pooling.mean) {
      for (size_t i = 0; i < hidden; ++i) out[i] /= static_cast<float>(length);
      out += hidden;
    }
    if (pooling.mean_sqrt_len) {
      const float root = std::sqrt(static_cast<float>(length));
      for (size_t i = 0; i < hidden; ++i) out[i] /= root;
      out += hidden;
    }
  }
  if (pooling.weighted_mean) {
    std::fill(out, out + hidden, 0.0f);
    for (size_t t = 0; t < length; ++t)
      for (size_t i = 0; i < hidden; ++i) out[i] += static_cast<float>(t + 1) * row(t)[i];
    const float total = static_cast<float>(length * (length + 1) / 2);
    for (size_t i = 0; i < hidden; ++i) out[i] /= total;
    out += hidden;
  }
  if (pooling.last_token) std::memcpy(out, row(length - 1), hidden * sizeof(float));
}

float* ApplyHead(const ModelState& state, size_t rows, float* a, float* b) {
  for (const DenseLayer& dense : state.dense) {
    Linear(a, rows, dense.in, dense.weight, dense.bias, dense.out, b);
    Activate(dense.activation, b, rows * dense.out);
    std::swap(a, b);
  }
  if (state.spec.normalize) {
    for (size_t r = 0; r < rows; ++r) {
      float* v = a + r * state.dimension;
      float norm = 0;
      for (size_t i = 0; i < state.dimension; ++i) norm += v[i] * v[i];
      const float scale = 1.0f / std::max(std::sqrt(norm), 1e-12f);
      for (size_t i = 0; i < state.dimension; ++i) v[i] *= scale;
    }
  }
  return a;
}

}  // namespace docpipe::embed
