// Sharding the inputs of an ingest over independent tasks (a SLURM job
// array, or any batch scheduler): task K of N takes the inputs whose stable
// key hashes to K, so tasks list their inputs independently and together take
// every input exactly once.
//
// The key of a file found by walking a directory is its path below that
// directory (so `/shared/papers` mounted elsewhere on another node gives the
// same shares); the key of a file named directly (argument, list file,
// stdin) is the path as given, lexically normalised. The hash is the first 8
// bytes of the key's SHA-256, big-endian, modulo N: the same on every machine
// and every run.
//
// Pure functions; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "docpipe/status.h"

namespace docpipe {

struct ShardSpec {
  int index = 0;  // 0-based task number, < count
  int count = 1;  // tasks in all; 1 = no sharding
  bool all() const { return count == 1; }
  std::string ToString() const;  // "K/N"
};

// Reads an environment variable; nullopt when unset. Injected so that tests
// need not change the process environment.
using EnvironmentLookup = std::function<std::optional<std::string>(const char* name)>;
EnvironmentLookup ProcessEnvironment();

// "K/N" with 0 <= K < N, or "slurm": K = (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) /
// SLURM_ARRAY_TASK_STEP and N = SLURM_ARRAY_TASK_COUNT (MIN defaults to 0 and
// STEP to 1 when unset). Anything else, or missing or inconsistent SLURM
// variables, is kInvalidArgument saying what is wrong.
Result<ShardSpec> ParseShard(std::string_view text, const EnvironmentLookup& environment);

// Whether the input with this key belongs to `shard`.
bool InShard(std::string_view key, const ShardSpec& shard);

// CPUs the scheduler gave this task (SLURM_CPUS_PER_TASK), when it says.
std::optional<int> ScheduledCpus(const EnvironmentLookup& environment);

}  // namespace docpipe
