#include "embed/wordpiece_tokenizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "core/unicode.h"
#include "embed/mapped_file.h"
#include "embed/model_folder.h"

namespace docpipe::embed {
namespace {

using nlohmann::json;

bool IsWhitespace(char32_t c) {
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
  return utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_ZS;
}

// Hugging Face's _is_control: categories C* except the whitespace controls.
bool IsControl(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
      return true;
    default:
      return false;
  }
}

// ASCII symbols count as punctuation too ("$", "^", "`"), as in BERT.
bool IsPunctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
    return true;
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO;
}

// The CJK Unified Ideograph blocks BERT isolates (not kana or hangul).
bool IsCjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// Code points of the NFC form of `text` (as BertTokenizer normalises first);
// invalid bytes become U+FFFD, which cleaning then drops.
std::vector<char32_t> DecodeUtf8(std::string_view text) {
  utf8proc_uint8_t* composed = nullptr;
  const utf8proc_ssize_t length = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
      &composed, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(composed, &std::free);
  if (length >= 0)
    text = std::string_view(reinterpret_cast<const char*>(composed), static_cast<size_t>(length));
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) out.push_back(NextCodepoint(text, pos));
  return out;
}

// Lower-cases and/or removes combining marks after canonical decomposition.
void NormalizeWord(const std::vector<char32_t>& word, bool lower, bool strip, std::vector<char32_t>& out) {
  out.clear();
  for (char32_t c : word) {
    if (lower) c = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
    if (!strip) {
      out.push_back(c);
      continue;
    }
    utf8proc_int32_t parts[8];
    int last_boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), parts, 8,
                                                 UTF8PROC_DECOMPOSE, &last_boundclass);
    if (n <= 0 || n > 8) {
      out.push_back(c);
      continue;
    }
    for (utf8proc_ssize_t i = 0; i < n; ++i)
      if (utf8proc_category(parts[i]) != UTF8PROC_CATEGORY_MN) out.push_back(static_cast<char32_t>(parts[i]));
  }
}

std::string EncodeUtf8(const std::vector<char32_t>& chars, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) AppendUtf8(out, chars[i]);
  return out;
}

Result<int32_t> RequireToken(const std::vector<std::string>& vocab, const std::string& token) {
  for (size_t i = 0; i < vocab.size(); ++i)
    if (vocab[i] == token) return static_cast<int32_t>(i);
  return Status::Corrupt("the vocabulary has no special token " + token);
}

template <typename T>
T JsonOr(const json& object, const char* key, T fallback) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  return it->get<T>();
}

// Normaliser switches: tokenizer.json's BertNormalizer, else tokenizer_config.json.
void ReadNormalizer(const json* tokenizer, const json* config, WordPieceOptions& options) {
  if (tokenizer != nullptr && tokenizer->contains("normalizer") && (*tokenizer)["normalizer"].is_object() &&
      JsonOr<std::string>((*tokenizer)["normalizer"], "type", "") == "BertNormalizer") {
    const json& n = (*tokenizer)["normalizer"];
    options.lower_case = JsonOr(n, "lowercase", true);
    options.strip_accents = JsonOr(n, "strip_accents", options.lower_case);
    options.split_cjk = JsonOr(n, "handle_chinese_chars", true);
  } else if (config != nullptr) {
    options.lower_case = JsonOr(*config, "do_lower_case", true);
    options.strip_accents = JsonOr(*config, "strip_accents", options.lower_case);
    options.split_cjk = JsonOr(*config, "tokenize_chinese_chars", true);
  }
  if (config != nullptr) {
    options.unk_token = JsonOr<std::string>(*config, "unk_token", options.unk_token);
    options.cls_token = JsonOr<std::string>(*config, "cls_token", options.cls_token);
    options.sep_token = JsonOr<std::string>(*config, "sep_token", options.sep_token);
  }
}

Result<std::vector<std::string>> VocabFromTokenizerJson(const json& tokenizer, const std::string& path,
                                                        WordPieceOptions& options) {
  const json& model = tokenizer.at("model");
  const std::string type = JsonOr<std::string>(model, "type", "");
  if (type != "WordPiece")
    return Status::Unsupported(path + ": tokenizer model \"" + type +
                               "\" is not supported for BERT; supported: WordPiece");
  options.unk_token = JsonOr<std::string>(model, "unk_token", options.unk_token);
  options.continuation_prefix = JsonOr<std::string>(model, "continuing_subword_prefix", "##");
  options.max_chars_per_word = JsonOr<size_t>(model, "max_input_chars_per_word", 100);
  std::vector<std::string> vocab;
  for (const auto& [token, id] : model.at("vocab").items()) {
    const auto index = id.get<int64_t>();
    if (index < 0 || index > (1 << 24)) return Status::Corrupt(path + ": token id out of range");
    if (static_cast<size_t>(index) >= vocab.size()) vocab.resize(static_cast<size_t>(index) + 1);
    vocab[static_cast<size_t>(index)] = token;
  }
  return vocab;
}

std::vector<std::string> VocabFromText(const std::string& text) {
  std::vector<std::string> vocab;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string token = text.substr(start, end - start);
    if (!token.empty() && token.back() == '\r') token.pop_back();
    vocab.push_back(std::move(token));
    start = end + 1;
  }
  return vocab;
}

}  // namespace

Result<std::unique_ptr<WordPieceTokenizer>> WordPieceTokenizer::Make(std::vector<std::string> vocab,
                                                                     const WordPieceOptions& options) {
  auto tokenizer = std::make_unique<WordPieceTokenizer>();
  tokenizer->options_ = options;
  DOCPIPE_ASSIGN_OR_RETURN(tokenizer->unk_id_, RequireToken(vocab, options.unk_token));
  DOCPIPE_ASSIGN_OR_RETURN(tokenizer->cls_id_, RequireToken(vocab, options.cls_token));
  DOCPIPE_ASSIGN_OR_RETURN(tokenizer->sep_id_, RequireToken(vocab, options.sep_token));
  for (size_t i = 0; i < vocab.size(); ++i)
    tokenizer->ids_.emplace(vocab[i], static_cast<int32_t>(i));  // first occurrence wins
  tokenizer->vocab_ = std::move(vocab);
  return tokenizer;
}

Result<std::unique_ptr<WordPieceTokenizer>> WordPieceTokenizer::FromFolder(const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string vocab_path = folder + "/vocab.txt";
  const std::string tokenizer_path = folder + "/tokenizer.json";
  const std::string config_path = folder + "/tokenizer_config.json";
  json tokenizer, config;
  const bool have_tokenizer = fs::exists(tokenizer_path, ec);
  const bool have_config = fs::exists(config_path, ec);
  if (have_tokenizer) {
    DOCPIPE_ASSIGN_OR_RETURN(tokenizer, ReadJsonFile(tokenizer_path));
  }
  if (have_config) {
    DOCPIPE_ASSIGN_OR_RETURN(config, ReadJsonFile(config_path));
  }
  WordPieceOptions options;
  std::vector<std::string> vocab;
  try {
    ReadNormalizer(have_tokenizer ? &tokenizer : nullptr, have_config ? &config : nullptr, options);
    if (fs::exists(vocab_path, ec)) {
      DOCPIPE_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(vocab_path));
      vocab = VocabFromText(text);
    } else if (have_tokenizer) {
      DOCPIPE_ASSIGN_OR_RETURN(vocab, VocabFromTokenizerJson(tokenizer, tokenizer_path, options));
    } else {
      return Status::NotFound(folder + ": no tokenizer; a BERT model needs vocab.txt or tokenizer.json");
    }
  } catch (const json::exception& e) {
    return Status::Corrupt(folder + ": tokenizer settings: " + e.what());
  }
  auto made = Make(std::move(vocab), options);
  if (!made.ok()) return made.status().WithContext(folder);
  return made;
}

std::vector<std::string> WordPieceTokenizer::BasicTokens(std::string_view text) const {
  // Clean, isolate CJK and split on whitespace in one pass over code points.
  std::vector<std::vector<char32_t>> words(1);
  auto end_word = [&words] {
    if (!words.back().empty()) words.emplace_back();
  };
  for (char32_t c : DecodeUtf8(text)) {
    if (c == 0 || c == 0xFFFD || IsControl(c)) continue;
    if (IsWhitespace(c)) {
      end_word();
    } else if (options_.split_cjk && IsCjk(c)) {
      end_word();
      words.back().push_back(c);
      end_word();
    } else {
      words.back().push_back(c);
    }
  }
  std::vector<std::string> tokens;
  std::vector<char32_t> normal;
  for (const auto& word : words) {
    if (word.empty()) continue;
    NormalizeWord(word, options_.lower_case, options_.strip_accents, normal);
    size_t start = 0;
    for (size_t i = 0; i < normal.size(); ++i) {
      if (!IsPunctuation(normal[i])) continue;
      if (i > start) tokens.push_back(EncodeUtf8(normal, start, i));
      tokens.push_back(EncodeUtf8(normal, i, i + 1));
      start = i + 1;
    }
    if (start < normal.size()) tokens.push_back(EncodeUtf8(normal, start, normal.size()));
  }
  return tokens;
}

void WordPieceTokenizer::PieceWord(const std::string& word, std::vector<int32_t>& ids) const {
  // Byte offsets of code point boundaries, so candidates are substrings.
  std::vector<size_t> bounds;
  for (size_t i = 0; i < word.size(); ++i)
    if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) bounds.push_back(i);
  bounds.push_back(word.size());
  const size_t chars = bounds.size() - 1;
  if (chars > options_.max_chars_per_word) {
    ids.push_back(unk_id_);
    return;
  }
  const size_t first_piece = ids.size();
  std::string candidate;
  size_t start = 0;
  while (start < chars) {
    size_t end = chars;
    int32_t found = -1;
    for (; end > start; --end) {
      candidate.assign(start > 0 ? options_.continuation_prefix : "");
      candidate.append(word, bounds[start], bounds[end] - bounds[start]);
      auto it = ids_.find(std::string_view(candidate));
      if (it != ids_.end()) {
        found = it->second;
        break;
      }
    }
    if (found < 0) {  // one unmatched piece makes the whole word unknown
      ids.resize(first_piece);
      ids.push_back(unk_id_);
      return;
    }
    ids.push_back(found);
    start = end;
  }
}

std::vector<std::string> WordPieceTokenizer::Pieces(std::string_view text) const {
  std::vector<int32_t> ids;
  for (const std::string& word : BasicTokens(text)) PieceWord(word, ids);
  std::vector<std::string> pieces;
  pieces.reserve(ids.size());
  for (int32_t id : ids) pieces.push_back(vocab_[static_cast<size_t>(id)]);
  return pieces;
}

void WordPieceTokenizer::Encode(std::string_view text, size_t max_length, std::vector<int32_t>& ids) const {
  ids.clear();
  ids.push_back(cls_id_);
  const size_t limit = max_length < 2 ? 2 : max_length;
  for (const std::string& word : BasicTokens(text)) {
    PieceWord(word, ids);
    if (ids.size() >= limit - 1) break;  // the rest would be truncated anyway
  }
  if (ids.size() > limit - 1) ids.resize(limit - 1);
  ids.push_back(sep_id_);
}

void WordPieceTokenizer::Frame(std::span<const int32_t> content, size_t max_length,
                               std::vector<int32_t>& ids) const {
  const size_t limit = max_length < 2 ? 2 : max_length;
  const size_t keep = std::min(content.size(), limit - 2);
  ids.clear();
  ids.push_back(cls_id_);
  ids.insert(ids.end(), content.begin(), content.begin() + static_cast<std::ptrdiff_t>(keep));
  ids.push_back(sep_id_);
}

}  // namespace docpipe::embed
