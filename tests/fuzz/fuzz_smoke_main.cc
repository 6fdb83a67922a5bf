// A small driver that runs a libFuzzer target without libFuzzer: every seed
// file first, then inputs mutated from the seeds (bit flips, byte changes,
// insertions of structural tokens, cut and duplicated ranges, splices of two
// seeds) until a time budget is spent. It is the CI smoke step for the fuzz
// targets in the GCC + ASan/UBSan build, where libFuzzer is not available; the
// sanitizers and the target's own checks turn a finding into a failed test.
// The mutation stream is seeded, so a failure replays with the same flags; the
// failing input is also written to ./fuzz-finding (abort, or a sanitizer
// report with abort_on_error=1, raises SIGABRT).
//
//   fuzz_smoke_TARGET [--seconds S] [--seed N] [--max-len BYTES] SEED_PATH...
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Bytes = std::string;

// Tokens that open and close the structures the targets parse (JSON, HTTP,
// multipart, Markdown, FTS queries, PDF objects, HTML and DOCX/EPUB XML):
// inserting them reaches deeper states than random bytes do.
constexpr std::string_view kTokens[] = {
    "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800", "null", "1e999", "-0",
    "\r\n", "\r\n\r\n", "--", "Content-Length: ", "Transfer-Encoding: chunked\r\n", "0\r\n\r\n",
    "boundary=", "Content-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n", "Bearer ",
    "# ", "```", "| a | b |\n|---|---|\n", "* ", "1. ", "NEAR(", "AND ", "OR ", "NOT ", "*", "^",
    "obj", "endobj", "stream\n", "endstream", "<<", ">>", "/Type /Pages", "/Kids [", "/Count ",
    " 0 R", "xref", "trailer", "%%EOF", "\xff\xfe", "\xc3\x28", "\xf0\x9f\x98\x80",
    std::string_view("\0", 1), "<", ">", "</", "<p>", "<h1>", "<li>", "<ul>", "</td>",
    "<table><tr><td colspan=\"9999\" rowspan=\"9999\">",
    "<w:p>", "</w:p>", "<w:tbl>", "<w:gridSpan w:val=\"9999\"/>", "<w:vMerge/>", "&amp;", "&#xD800;", "&#0;",
    "<![CDATA[", "]]>", "<!DOCTYPE html>", "<?xml version=\"1.0\" encoding=\"utf-16\"?>", "charset="};

std::vector<Bytes> ReadSeeds(const std::vector<std::string>& paths) {
  std::vector<Bytes> seeds;
  auto read = [&](const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  for (const std::string& path : paths) {
    if (std::filesystem::is_directory(path)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());  // the same order on every machine, for replays
      for (const auto& file : files) read(file);
    } else {
      read(path);
    }
  }
  if (seeds.empty()) seeds.emplace_back();
  return seeds;
}

class Mutator {
 public:
  Mutator(uint64_t seed, size_t max_len) : random_(seed), max_len_(max_len) {}

  Bytes Mutate(const std::vector<Bytes>& seeds) {
    Bytes input = seeds[Below(seeds.size())];
    const size_t rounds = 1 + Below(8);
    for (size_t i = 0; i < rounds; ++i) MutateOnce(input, seeds);
    if (input.size() > max_len_) input.resize(max_len_);
    return input;
  }

 private:
  size_t Below(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(random_); }

  void MutateOnce(Bytes& input, const std::vector<Bytes>& seeds) {
    const size_t at = Below(input.size() + 1);
    switch (Below(7)) {
      case 0:
        if (!input.empty()) input[Below(input.size())] ^= static_cast<char>(1u << Below(8));
        break;
      case 1:
        if (!input.empty()) input[Below(input.size())] = static_cast<char>(Below(256));
        break;
      case 2: input.insert(at, kTokens[Below(std::size(kTokens))]); break;
      case 3:
        if (!input.empty()) input.erase(Below(input.size()), 1 + Below(16));
        break;
      case 4: {  // duplicate a range, many times: deep nesting and long runs
        if (input.empty()) break;
        const size_t from = Below(input.size());
        const Bytes range = input.substr(from, 1 + Below(8));
        const size_t copies = 1 + Below(Below(2) ? 4 : 2000);
        Bytes repeated;
        for (size_t c = 0; c < copies && repeated.size() < max_len_; ++c) repeated += range;
        input.insert(at, repeated);
        break;
      }
      case 5: {  // splice: the head of this input, the tail of another seed
        const Bytes& other = seeds[Below(seeds.size())];
        input = input.substr(0, at) + other.substr(Below(other.size() + 1));
        break;
      }
      default:
        input.insert(at, 1 + Below(4), static_cast<char>(Below(256)));
    }
  }

  std::mt19937_64 random_;
  size_t max_len_;
};

// The input being run, for the signal handler to write out.
const Bytes* current_input = nullptr;

extern "C" void WriteFinding(int signal) {
  if (current_input != nullptr) {
    const int fd = open("fuzz-finding", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      (void)!write(fd, current_input->data(), current_input->size());
      close(fd);
    }
    static constexpr char kMessage[] = "fuzz smoke: the failing input is in ./fuzz-finding\n";
    (void)!write(2, kMessage, sizeof kMessage - 1);
  }
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

int Run(const Bytes& input) {
  current_input = &input;
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  uint64_t seed = 1;
  size_t max_len = 1 << 16;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--max-len" && i + 1 < argc) {
      max_len = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg.starts_with("--")) {
      std::fprintf(stderr, "unknown flag %s\nusage: %s [--seconds S] [--seed N] [--max-len BYTES] SEED_PATH...\n",
                   argv[i], argv[0]);
      return 2;
    } else {
      paths.emplace_back(arg);
    }
  }
  for (int signal : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) std::signal(signal, WriteFinding);
  const std::vector<Bytes> seeds = ReadSeeds(paths);
  for (const Bytes& input : seeds) Run(input);

  Mutator mutator(seed, max_len);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  size_t runs = seeds.size();
  while (std::chrono::steady_clock::now() < deadline) {
    Run(mutator.Mutate(seeds));
    ++runs;
  }
  std::printf("%zu inputs (%zu seeds, mutation seed %llu), no finding\n", runs, seeds.size(),
              static_cast<unsigned long long>(seed));
  return 0;
}
