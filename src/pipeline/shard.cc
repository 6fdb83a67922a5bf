#include "docpipe/shard.h"

#include <charconv>
#include <cstdlib>

#include "core/sha256.h"

namespace docpipe {
namespace {

// A whole non-negative decimal number, nothing else.
std::optional<long long> ParseCount(std::string_view text) {
  long long value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

Result<long long> SlurmNumber(const EnvironmentLookup& environment, const char* name,
                              std::optional<long long> fallback) {
  std::optional<std::string> text = environment(name);
  if (!text) {
    if (fallback) return *fallback;
    return Status::InvalidArgument(std::string("--shard slurm: ") + name +
                                   " is not set (is this a job array task?)");
  }
  std::optional<long long> value = ParseCount(*text);
  if (!value) return Status::InvalidArgument(std::string("--shard slurm: ") + name + " is not a number: " + *text);
  return *value;
}

Result<ShardSpec> Checked(long long index, long long count, std::string_view what) {
  if (count < 1 || count > 1000000) {
    return Status::InvalidArgument("--shard " + std::string(what) + ": the task count must be 1 to 1000000");
  }
  if (index < 0 || index >= count) {
    return Status::InvalidArgument("--shard " + std::string(what) + ": the task number must be 0 to " +
                                   std::to_string(count - 1) + " (0-based)");
  }
  return ShardSpec{static_cast<int>(index), static_cast<int>(count)};
}

Result<ShardSpec> FromSlurm(const EnvironmentLookup& environment) {
  DOCPIPE_ASSIGN_OR_RETURN(long long id, SlurmNumber(environment, "SLURM_ARRAY_TASK_ID", std::nullopt));
  DOCPIPE_ASSIGN_OR_RETURN(long long count, SlurmNumber(environment, "SLURM_ARRAY_TASK_COUNT", std::nullopt));
  DOCPIPE_ASSIGN_OR_RETURN(long long min, SlurmNumber(environment, "SLURM_ARRAY_TASK_MIN", 0LL));
  DOCPIPE_ASSIGN_OR_RETURN(long long step, SlurmNumber(environment, "SLURM_ARRAY_TASK_STEP", 1LL));
  if (step < 1) return Status::InvalidArgument("--shard slurm: SLURM_ARRAY_TASK_STEP must be at least 1");
  if (id < min || (id - min) % step != 0) {
    return Status::InvalidArgument("--shard slurm: SLURM_ARRAY_TASK_ID " + std::to_string(id) +
                                   " is not in the array (min " + std::to_string(min) + ", step " +
                                   std::to_string(step) + ")");
  }
  return Checked((id - min) / step, count, "slurm");
}

}  // namespace

std::string ShardSpec::ToString() const { return std::to_string(index) + "/" + std::to_string(count); }

EnvironmentLookup ProcessEnvironment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<ShardSpec> ParseShard(std::string_view text, const EnvironmentLookup& environment) {
  if (text == "slurm") return FromSlurm(environment);
  const size_t slash = text.find('/');
  std::optional<long long> index, count;
  if (slash != std::string_view::npos) {
    index = ParseCount(text.substr(0, slash));
    count = ParseCount(text.substr(slash + 1));
  }
  if (!index || !count) {
    return Status::InvalidArgument("--shard takes K/N (task K of N, 0-based) or \"slurm\", not \"" +
                                   std::string(text) + "\"");
  }
  return Checked(*index, *count, text);
}

bool InShard(std::string_view key, const ShardSpec& shard) {
  if (shard.count <= 1) return true;
  const std::string hex = Sha256Hex(key).substr(0, 16);
  const uint64_t hash = std::strtoull(hex.c_str(), nullptr, 16);
  return hash % static_cast<uint64_t>(shard.count) == static_cast<uint64_t>(shard.index);
}

std::optional<int> ScheduledCpus(const EnvironmentLookup& environment) {
  std::optional<std::string> text = environment("SLURM_CPUS_PER_TASK");
  if (!text) return std::nullopt;
  std::optional<long long> cpus = ParseCount(*text);
  if (!cpus || *cpus < 1 || *cpus > 4096) return std::nullopt;
  return static_cast<int>(*cpus);
}

}  // namespace docpipe
