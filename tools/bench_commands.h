// The `docpipe bench` family: each benchmark adds itself under `bench`.
#pragma once

#include <CLI/CLI.hpp>

namespace docpipe::cli {

// `docpipe bench search` (bench_search_command.cc).
void RegisterBenchSearch(CLI::App& bench);

}  // namespace docpipe::cli
