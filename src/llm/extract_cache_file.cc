// The JSONL-file ExtractionCache: one {"key": ..., "answer": ...} object per
// line. Appending a line and flushing it is the whole write, so a process
// killed at any instant leaves at worst one torn last line, skipped on load.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/mutex.h"
#include "docpipe/extract.h"

namespace docpipe {
namespace {

using nlohmann::json;

std::string KeyText(const ExtractionCacheKey& key) {
  return key.model + '\n' + key.schema_sha256 + '\n' + key.prompt_version + '\n' + key.content_sha256;
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

class FileExtractionCache final : public ExtractionCache {
 public:
  Status Open(const std::string& path) {
    MutexLock lock(mutex_);
    Load(path);
    file_.reset(std::fopen(path.c_str(), "a"));
    if (!file_) return Status::IoError("cannot open the extraction cache " + path + " for appending");
    // A torn last line must not swallow the next one.
    if (torn_tail_) std::fputc('\n', file_.get());
    return Status::Ok();
  }

  std::optional<std::string> Get(const ExtractionCacheKey& key) override {
    MutexLock lock(mutex_);
    auto it = answers_.find(KeyText(key));
    if (it == answers_.end()) return std::nullopt;
    return it->second;
  }

  void Put(const ExtractionCacheKey& key, const std::string& answer_json) override {
    std::string line = json{{"key", KeyText(key)}, {"answer", answer_json}}.dump() + "\n";
    MutexLock lock(mutex_);
    answers_[KeyText(key)] = answer_json;
    // A failed write costs a re-ask on the next run, nothing more.
    std::fwrite(line.data(), 1, line.size(), file_.get());
    std::fflush(file_.get());
  }

 private:
  void Load(const std::string& path) DOCPIPE_REQUIRES(mutex_) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      torn_tail_ = in.eof();  // the last line had no newline
      json entry = json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (entry.is_discarded() || !entry.is_object() || !entry.contains("key") || !entry.contains("answer")) continue;
      if (!entry["key"].is_string() || !entry["answer"].is_string()) continue;
      answers_[entry["key"].get<std::string>()] = entry["answer"].get<std::string>();
    }
  }

  Mutex mutex_;
  bool torn_tail_ DOCPIPE_GUARDED_BY(mutex_) = false;
  std::unordered_map<std::string, std::string> answers_ DOCPIPE_GUARDED_BY(mutex_);
  std::unique_ptr<std::FILE, FileCloser> file_ DOCPIPE_GUARDED_BY(mutex_);
};

}  // namespace

Result<std::unique_ptr<ExtractionCache>> OpenExtractionCacheFile(const std::string& path) {
  auto cache = std::make_unique<FileExtractionCache>();
  DOCPIPE_RETURN_IF_ERROR(cache->Open(path));
  return std::unique_ptr<ExtractionCache>(std::move(cache));
}

}  // namespace docpipe
