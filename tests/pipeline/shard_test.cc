#include "docpipe/shard.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "docpipe/ingest.h"
#include "docpipe/store.h"

namespace docpipe {
namespace {

namespace fs = std::filesystem;

EnvironmentLookup FakeEnvironment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

const EnvironmentLookup kNoEnvironment = FakeEnvironment({});

// A directory tree of `count` small files in a few subfolders.
fs::path MakeTree(const std::string& name, int count) {
  const fs::path root = fs::path(DOCPIPE_TEST_TMP_DIR) / name;
  fs::remove_all(root);
  for (int i = 0; i < count; ++i) {
    const fs::path file = root / ("dir" + std::to_string(i % 5)) / ("doc" + std::to_string(i) + ".txt");
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "document " << i << "\n";
  }
  return root;
}

std::vector<std::string> Listed(const fs::path& root, ShardSpec shard) {
  IngestOptions options;
  options.inputs = {root.string()};
  options.shard = shard;
  Result<std::vector<std::string>> files = CollectInputs(options);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return files.ok() ? *files : std::vector<std::string>{};
}

TEST(ShardTest, ParsesTaskOfCount) {
  Result<ShardSpec> shard = ParseShard("3/16", kNoEnvironment);
  ASSERT_TRUE(shard.ok()) << shard.status().ToString();
  EXPECT_EQ(shard->index, 3);
  EXPECT_EQ(shard->count, 16);
  EXPECT_EQ(shard->ToString(), "3/16");
}

TEST(ShardTest, BadValuesAreUsageErrors) {
  for (const char* bad : {"4/3", "3/3", "0/0", "x/y", "1", "/2", "1/", "-1/2", "1/2/3", " 1/2", "slurmx"}) {
    Result<ShardSpec> shard = ParseShard(bad, kNoEnvironment);
    EXPECT_FALSE(shard.ok()) << bad;
    if (!shard.ok()) {
      EXPECT_EQ(shard.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ShardTest, SlurmVariablesGiveTheTask) {
  Result<ShardSpec> shard =
      ParseShard("slurm", FakeEnvironment({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}));
  ASSERT_TRUE(shard.ok()) << shard.status().ToString();
  EXPECT_EQ(shard->ToString(), "2/4");
  // An array 10-16:3 has tasks 10, 13, 16: task 13 is the second of three.
  shard = ParseShard("slurm", FakeEnvironment({{"SLURM_ARRAY_TASK_ID", "13"},
                                               {"SLURM_ARRAY_TASK_COUNT", "3"},
                                               {"SLURM_ARRAY_TASK_MIN", "10"},
                                               {"SLURM_ARRAY_TASK_STEP", "3"}}));
  ASSERT_TRUE(shard.ok()) << shard.status().ToString();
  EXPECT_EQ(shard->ToString(), "1/3");
}

TEST(ShardTest, MissingOrInconsistentSlurmVariablesAreUsageErrors) {
  EXPECT_FALSE(ParseShard("slurm", kNoEnvironment).ok());
  EXPECT_FALSE(ParseShard("slurm", FakeEnvironment({{"SLURM_ARRAY_TASK_ID", "1"}})).ok());
  EXPECT_FALSE(
      ParseShard("slurm", FakeEnvironment({{"SLURM_ARRAY_TASK_ID", "x"}, {"SLURM_ARRAY_TASK_COUNT", "2"}})).ok());
  EXPECT_FALSE(
      ParseShard("slurm", FakeEnvironment({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "2"}})).ok());
  EXPECT_FALSE(ParseShard("slurm", FakeEnvironment({{"SLURM_ARRAY_TASK_ID", "11"},
                                                    {"SLURM_ARRAY_TASK_COUNT", "3"},
                                                    {"SLURM_ARRAY_TASK_MIN", "10"},
                                                    {"SLURM_ARRAY_TASK_STEP", "3"}}))
                   .ok());
}

TEST(ShardTest, ShardsPartitionTheInputsForEveryCount) {
  const fs::path root = MakeTree("partition", 60);
  const std::vector<std::string> all = Listed(root, ShardSpec{});
  ASSERT_EQ(all.size(), 60u);
  for (int count = 1; count <= 8; ++count) {
    std::multiset<std::string> union_of_shards;
    int non_empty = 0;
    for (int index = 0; index < count; ++index) {
      const std::vector<std::string> share = Listed(root, ShardSpec{index, count});
      if (!share.empty()) ++non_empty;
      union_of_shards.insert(share.begin(), share.end());
    }
    EXPECT_EQ(union_of_shards, std::multiset<std::string>(all.begin(), all.end())) << count << " shards";
    EXPECT_EQ(non_empty, count) << "60 files leave no shard of " << count << " empty";
  }
}

TEST(ShardTest, SharesDependOnThePathBelowTheRootNotOnWhereTheTreeIs) {
  const fs::path first = MakeTree("mount_a", 30);
  const fs::path second = MakeTree("mount_b", 30);
  for (int index = 0; index < 3; ++index) {
    std::vector<std::string> a, b;
    for (const std::string& path : Listed(first, ShardSpec{index, 3})) {
      a.push_back(fs::path(path).lexically_relative(first).generic_string());
    }
    for (const std::string& path : Listed(second, ShardSpec{index, 3})) {
      b.push_back(fs::path(path).lexically_relative(second).generic_string());
    }
    EXPECT_EQ(a, b);
  }
}

TEST(ShardTest, ScheduledCpusComeFromSlurm) {
  EXPECT_EQ(ScheduledCpus(FakeEnvironment({{"SLURM_CPUS_PER_TASK", "3"}})), 3);
  EXPECT_EQ(ScheduledCpus(kNoEnvironment), std::nullopt);
  EXPECT_EQ(ScheduledCpus(FakeEnvironment({{"SLURM_CPUS_PER_TASK", "zero"}})), std::nullopt);
}

// A task bound to one CPU (SLURM's task/affinity, taskset) runs one worker by
// default, not one per machine core.
TEST(ShardTest, DefaultWorkersFollowTheCpuAffinityMask) {
  const fs::path dir = fs::path(DOCPIPE_TEST_TMP_DIR) / "affinity";
  fs::remove_all(dir);
  fs::create_directories(dir / "inputs");
  Result<std::unique_ptr<Store>> store = Store::Open((dir / "kb.sqlite").string());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  IngestOptions options;
  options.inputs = {(dir / "inputs").string()};
  int workers = 0;
  std::thread bound([&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) return;
    Result<IngestReport> report = Ingest(**store, options);
    if (report.ok()) workers = report->workers;
  });
  bound.join();
  EXPECT_EQ(workers, 1);
}

}  // namespace
}  // namespace docpipe
