// Clear errors for missing or unsupported files, tensors and architectures,
// made by copying a generated reference model and breaking one thing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "docpipe/embedder.h"
#include "embed/safetensors.h"

namespace docpipe {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteAll(const fs::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

class BrokenModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("docpipe_embed_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A fresh copy of a reference model to break.
  fs::path Copy(const std::string& name) {
    const fs::path target = dir_ / name;
    fs::copy(fs::path(DOCPIPE_EMBED_REFERENCE_DIR) / name, target, fs::copy_options::recursive);
    return target;
  }

  static Status Load(const fs::path& folder) {
    EmbeddingModelOptions options;
    options.folder = folder.string();
    auto model = EmbeddingModel::Load(options);
    return model.ok() ? Status::Ok() : model.status();
  }

  // Rewrites the safetensors header with `edit`, keeping the data bytes.
  static void EditHeader(const fs::path& file, const std::function<void(json&)>& edit) {
    const std::string data = ReadAll(file);
    uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(data[i]);
    json header = json::parse(data.substr(8, length));
    edit(header);
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
    WriteAll(file, out + text + data.substr(8 + length));
  }

  static void EditJson(const fs::path& file, const std::function<void(json&)>& edit) {
    json value = json::parse(ReadAll(file));
    edit(value);
    WriteAll(file, value.dump());
  }

  fs::path dir_;
};

void ExpectError(const Status& status, StatusCode code, std::initializer_list<std::string> mentions) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), code) << status.ToString();
  for (const std::string& m : mentions)
    EXPECT_NE(status.message().find(m), std::string::npos) << "'" << m << "' not in: " << status.ToString();
}

TEST_F(BrokenModelTest, ReferenceCopyLoads) { EXPECT_TRUE(Load(Copy("bert_f32_mean_normalize")).ok()); }

TEST_F(BrokenModelTest, MissingFolder) {
  ExpectError(Load(dir_ / "nothing"), StatusCode::kNotFound, {"nothing"});
}

TEST_F(BrokenModelTest, MissingConfig) {
  const fs::path model = Copy("bert_f32_mean_normalize");
  fs::remove(model / "config.json");
  ExpectError(Load(model), StatusCode::kNotFound, {"config.json"});
}

TEST_F(BrokenModelTest, UnsupportedArchitectureListsSupported) {
  const fs::path model = Copy("bert_f32_mean_normalize");
  EditJson(model / "config.json", [](json& c) { c["model_type"] = "roberta"; });
  ExpectError(Load(model), StatusCode::kUnsupported, {"roberta", "bert", "t5"});
}

TEST_F(BrokenModelTest, UnsupportedActivationListsSupported) {
  const fs::path model = Copy("bert_f32_mean_normalize");
  EditJson(model / "config.json", [](json& c) { c["hidden_act"] = "swish"; });
  ExpectError(Load(model), StatusCode::kUnsupported, {"swish", "gelu"});
}

TEST_F(BrokenModelTest, MissingWeights) {
  const fs::path model = Copy("bert_f32_mean_normalize");
  fs::remove(model / "model.safetensors");
  ExpectError(Load(model), StatusCode::kNotFound, {"model.safetensors"});
  WriteAll(model / "pytorch_model.bin", "pickle");
  ExpectError(Load(model), StatusCode::kUnsupported, {"pytorch_model.bin", "model.safetensors"});
}

TEST_F(BrokenModelTest, MissingTensorIsNamed) {
  const fs::path model = Copy("bert_f32_mean_normalize");
  EditHeader(model / "model.safetensors", [](json& h) {
    h["renamed"] = h["encoder.layer.1.output.dense.weight"];
    h.erase("encoder.layer.1.output.dense.weight");
  });
  ExpectError(Load(model), StatusCode::kNotFound, {"encoder.layer.1.output.dense.weight"});
}

TEST_F(BrokenModelTest, UnsupportedDtypeIsNamed) {
  const fs::path model = Copy("t5_relu_f32_mean_dense_normalize");
  EditHeader(model / "model.safetensors",
             [](json& h) { h["encoder.block.1.layer.0.SelfAttention.k.weight"]["dtype"] = "I32"; });
  ExpectError(Load(model), StatusCode::kUnsupported, {"SelfAttention.k.weight", "I32", "F32, F16, BF16"});
}

TEST_F(BrokenModelTest, WrongShapeIsNamed) {
  const fs::path model = Copy("bert_f32_mean_normalize");
  EditHeader(model / "model.safetensors", [](json& h) {
    h["encoder.layer.0.intermediate.dense.weight"]["shape"] = {32, 64};
  });
  ExpectError(Load(model), StatusCode::kCorrupt, {"intermediate.dense.weight", "[32, 64]", "[64, 32]"});
}

TEST_F(BrokenModelTest, TruncatedSafetensors) {
  const fs::path model = Copy("bert_f32_mean_normalize");
  WriteAll(model / "model.safetensors", ReadAll(model / "model.safetensors").substr(0, 100));
  ExpectError(Load(model), StatusCode::kCorrupt, {"model.safetensors"});
}

TEST_F(BrokenModelTest, MissingSentencePieceModel) {
  const fs::path model = Copy("t5_gated_f16_mean");
  fs::remove(model / "spiece.model");
  ExpectError(Load(model), StatusCode::kNotFound, {"spiece.model"});
}

TEST_F(BrokenModelTest, MissingVocabulary) {
  const fs::path model = Copy("bert_f32_mean_normalize");
  fs::remove(model / "vocab.txt");
  ExpectError(Load(model), StatusCode::kNotFound, {"vocab.txt", "tokenizer.json"});
}

TEST_F(BrokenModelTest, UnsupportedModuleListsSupported) {
  const fs::path model = Copy("bert_f32_mean_normalize");
  EditJson(model / "modules.json", [](json& m) {
    m.push_back(
        {{"idx", 3}, {"name", "3"}, {"path", "3_LSTM"}, {"type", "sentence_transformers.models.LSTM"}});
  });
  ExpectError(Load(model), StatusCode::kUnsupported, {"LSTM", "Pooling", "Dense", "Normalize"});
}

TEST_F(BrokenModelTest, DenseWidthMismatch) {
  const fs::path model = Copy("bert_f16_cls_dense_tanh");
  EditJson(model / "2_Dense" / "config.json", [](json& c) { c["in_features"] = 31; });
  ExpectError(Load(model), StatusCode::kCorrupt, {"in_features"});
}

TEST(HalfPrecisionTest, ConvertsExactly) {
  EXPECT_EQ(embed::HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(embed::HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(embed::HalfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(embed::HalfToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(embed::HalfToFloat(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_TRUE(std::isinf(embed::HalfToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(embed::HalfToFloat(0x7E00)));
  EXPECT_EQ(embed::BFloat16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(embed::BFloat16ToFloat(0xC0A0), -5.0f);
}

}  // namespace
}  // namespace docpipe
