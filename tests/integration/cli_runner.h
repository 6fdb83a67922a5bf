// Runs the real docpipe executable as a child process for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace docpipe::testing {

struct CliResult {
  int exit_code = -1;  // -1 when killed by a signal
  long max_rss_kb = 0;  // the child's peak resident memory
  double seconds = 0;   // wall time from start to exit
  std::string out;
  std::string err;
};

// Runs `docpipe args...` to completion, with `stdin_text` on its standard input.
CliResult RunDocpipe(const std::vector<std::string>& args, const std::string& stdin_text = "");

// Starts `docpipe args...` without waiting (output discarded); returns its pid.
pid_t StartDocpipe(const std::vector<std::string>& args);
// ... with its standard output and error written to the given files.
pid_t StartDocpipe(const std::vector<std::string>& args, const std::string& out_path, const std::string& err_path);

// A fresh directory under the system temp dir, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Generates fixture documents with tests/fixtures/make_corpus.py into `dir`.
void MakeCorpus(const std::string& dir, const std::vector<std::string>& only = {});

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);

}  // namespace docpipe::testing
