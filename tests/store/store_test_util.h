// Shared fixtures for the store tests: a scratch directory, raw file bytes,
// and document writes built from a few strings.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "docpipe/store.h"

namespace docpipe::store::testing {

// A fresh directory removed (with everything in it) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string ReadBytes(const std::string& path);
void WriteBytes(const std::string& path, const std::string& bytes);

// A document at `path` with content hash `sha256` and one chunk per text,
// ordinals 0.., chunk i on page i + 1.
DocumentWrite MakeWrite(const std::string& path, const std::string& sha256, const std::vector<std::string>& texts);

// Runs SQL on the file through a separate raw connection (to build foreign
// databases or inspect what the store wrote); fails the test on error.
void RawExec(const std::string& path, const std::string& sql);
// The first column of the first row of `sql` as text ("" when no row).
std::string RawQuery(const std::string& path, const std::string& sql);

}  // namespace docpipe::store::testing
