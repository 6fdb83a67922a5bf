#include "store_test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace docpipe::store::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "docpipe-store-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code error;
  // Tests may have made the directory read-only; give write access back first.
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all, error);
  std::filesystem::remove_all(path_, error);
}

std::string ReadBytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream file(path, std::ios::binary);
  file << bytes;
}

DocumentWrite MakeWrite(const std::string& path, const std::string& sha256, const std::vector<std::string>& texts) {
  DocumentWrite write;
  write.record.path = path;
  write.record.sha256 = sha256;
  write.record.bytes = 1000;
  write.record.pages = static_cast<int>(texts.size());
  write.record.metadata.title = "Title of " + path;
  write.record.metadata.page_count = write.record.pages;
  int64_t offset = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    Chunk chunk;
    chunk.ordinal = static_cast<int>(i);
    chunk.text = texts[i];
    chunk.heading_path = {"Report", "Section " + std::to_string(i + 1)};
    chunk.page_start = chunk.page_end = static_cast<int>(i) + 1;
    chunk.token_count = static_cast<int>(texts[i].size() / 5) + 1;
    chunk.char_start = offset;
    chunk.char_end = offset + static_cast<int64_t>(texts[i].size());
    offset = chunk.char_end + 2;
    write.chunks.push_back(std::move(chunk));
  }
  return write;
}

namespace {

struct RawDb {
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) ADD_FAILURE() << "cannot open " << path;
  }
  ~RawDb() { sqlite3_close(db); }
  sqlite3* db = nullptr;
};

}  // namespace

void RawExec(const std::string& path, const std::string& sql) {
  RawDb raw(path);
  char* error = nullptr;
  if (sqlite3_exec(raw.db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    ADD_FAILURE() << "SQL failed: " << sql << ": " << (error ? error : "?");
  }
  sqlite3_free(error);
}

std::string RawQuery(const std::string& path, const std::string& sql) {
  RawDb raw(path);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(raw.db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot prepare " << sql << ": " << sqlite3_errmsg(raw.db);
    return {};
  }
  std::string value;
  if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0) != nullptr) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  return value;
}

}  // namespace docpipe::store::testing
