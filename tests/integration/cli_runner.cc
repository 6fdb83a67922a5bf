#include "cli_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

extern char** environ;

namespace docpipe::testing {
namespace {

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return argv;
}

pid_t Spawn(std::vector<std::string> args, const std::string& in, const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv = Argv(args);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) ADD_FAILURE() << "cannot start " << args[0] << ": " << std::strerror(rc);
  return rc == 0 ? pid : -1;
}

}  // namespace

ScratchDir::ScratchDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "docpipe-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  // Restore permissions a test may have taken away so everything can be removed.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ignored);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
    std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ignored);
  }
  std::filesystem::remove_all(path_, ignored);
}

CliResult RunDocpipe(const std::vector<std::string>& args, const std::string& stdin_text) {
  ScratchDir io;
  WriteFile(io / "in", stdin_text);
  std::vector<std::string> full = {DOCPIPE_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  CliResult result;
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = Spawn(full, io / "in", io / "out", io / "err");
  if (pid < 0) return result;
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.max_rss_kb = usage.ru_maxrss;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(io / "out");
  result.err = ReadFile(io / "err");
  return result;
}

pid_t StartDocpipe(const std::vector<std::string>& args) { return StartDocpipe(args, "/dev/null", "/dev/null"); }

pid_t StartDocpipe(const std::vector<std::string>& args, const std::string& out_path, const std::string& err_path) {
  std::vector<std::string> full = {DOCPIPE_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  return Spawn(full, "/dev/null", out_path, err_path);
}

void MakeCorpus(const std::string& dir, const std::vector<std::string>& only) {
  std::string command = "/usr/bin/python3 " DOCPIPE_SOURCE_DIR "/tests/fixtures/make_corpus.py --out '" + dir + "'";
  if (!only.empty()) {
    command += " --only";
    for (const std::string& name : only) command += " " + name;
  }
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

}  // namespace docpipe::testing
