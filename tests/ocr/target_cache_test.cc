// TargetCache against a real directory: hits and misses, parameter changes,
// foreign and damaged files, writers in several processes, and writers killed
// half-way.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "docpipe/ocr_target_cache.h"

namespace docpipe::ocr {
namespace {

namespace fs = std::filesystem;

std::vector<TextPolygon> Polygons(int variant) {
  return {TextPolygon{{10.0 + variant, 10, 200, 14, 198, 60, 12, 56}},
          TextPolygon{{30, 90, 150, 90, 150, 130.0 + variant, 30, 130}}};
}

bool SameMaps(const DbTargetMaps& a, const DbTargetMaps& b) {
  return a.height() == b.height() && a.width() == b.width() &&
         std::equal(a.data(), a.data() + a.plane_size() * kDbPlaneCount, b.data());
}

class TargetCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(DOCPIPE_TEST_TMPDIR) /
           (std::string("cache_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<TargetCache> Open(size_t ram = size_t{64} << 20) {
    auto cache = TargetCache::Make({dir_.string(), ram, /*durable=*/false});
    EXPECT_TRUE(cache.ok()) << cache.status().ToString();
    return std::move(cache).value();
  }

  fs::path EntryFile(const std::string& key) const {
    return dir_ / "db-targets-v1" / key.substr(0, 2) / (key + ".dbt");
  }

  fs::path dir_;
};

TEST_F(TargetCacheTest, MissThenHitsFromMemoryAndDisk) {
  auto cache = Open();
  auto first = cache->GetOrCompute(Polygons(0), 160, 240);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->writable());
  auto second = cache->GetOrCompute(Polygons(0), 160, 240);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->data(), first->data());  // the same memory, no copy
  EXPECT_EQ(cache->stats().misses, 1u);
  EXPECT_EQ(cache->stats().ram_hits, 1u);

  auto other_process_view = Open();  // a fresh handle has an empty LRU
  auto third = other_process_view->GetOrCompute(Polygons(0), 160, 240);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(other_process_view->stats().disk_hits, 1u);
  auto direct = ComputeDbTargets(Polygons(0), 160, 240);
  ASSERT_TRUE(direct.ok());
  EXPECT_TRUE(SameMaps(*third, *direct));
}

TEST_F(TargetCacheTest, AnyChangedInputIsAMiss) {
  auto cache = Open();
  const std::string base = TargetCache::Key(Polygons(0), 160, 240, {});
  DbTargetOptions ratio;
  ratio.shrink_ratio = 0.5;
  DbTargetOptions paddle;
  paddle.convention = TargetConvention::kPaddleOcr;
  std::vector<TextPolygon> ignored = Polygons(0);
  ignored[1].ignore = true;
  const std::vector<std::string> keys = {
      TargetCache::Key(Polygons(1), 160, 240, {}), TargetCache::Key(Polygons(0), 161, 240, {}),
      TargetCache::Key(Polygons(0), 160, 240, ratio), TargetCache::Key(Polygons(0), 160, 240, paddle),
      TargetCache::Key(ignored, 160, 240, {})};
  for (const std::string& key : keys) EXPECT_NE(key, base);
  ASSERT_TRUE(cache->GetOrCompute(Polygons(0), 160, 240).ok());
  auto changed = cache->GetOrCompute(Polygons(0), 160, 240, ratio);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(cache->stats().misses, 2u);
  auto direct = ComputeDbTargets(Polygons(0), 160, 240, ratio);
  EXPECT_TRUE(SameMaps(*changed, *direct));
}

TEST_F(TargetCacheTest, ForeignTruncatedAndStaleFilesAreNeverReturned) {
  auto cache = Open(0);
  const std::string a = TargetCache::Key(Polygons(0), 160, 240, {});
  const std::string b = TargetCache::Key(Polygons(1), 160, 240, {});
  ASSERT_TRUE(cache->GetOrCompute(Polygons(0), 160, 240).ok());
  // An entry copied under another key (another version or parameters): its stored key differs.
  fs::create_directories(EntryFile(b).parent_path());
  fs::copy_file(EntryFile(a), EntryFile(b));
  auto foreign = cache->Get(b);
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(foreign->has_value());
  // A torn file, as a non-atomic writer would leave it.
  fs::resize_file(EntryFile(b), fs::file_size(EntryFile(a)) / 2);
  foreign = cache->Get(b);
  ASSERT_TRUE(foreign.ok());
  EXPECT_FALSE(foreign->has_value());
  // A temporary file of a writer that no longer runs is removed on open.
  const fs::path stale = dir_ / "db-targets-v1" / "tmp" / (a + ".999999999.0.tmp");
  std::ofstream(stale) << "partial";
  Open();
  EXPECT_FALSE(fs::exists(stale));
}

// Writers in several processes publish overlapping keys while reading them back.
TEST_F(TargetCacheTest, ConcurrentWritersInSeveralProcesses) {
  constexpr int kProcesses = 4, kKeys = 6;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto cache = TargetCache::Make({dir_.string(), 0, false});
      bool ok = cache.ok();
      for (int round = 0; ok && round < 3; ++round) {
        for (int k = 0; ok && k < kKeys; ++k) {
          auto maps = (*cache)->GetOrCompute(Polygons((k + p) % kKeys), 96, 128);
          auto direct = ComputeDbTargets(Polygons((k + p) % kKeys), 96, 128);
          ok = maps.ok() && direct.ok() && SameMaps(*maps, *direct);
        }
      }
      ::_exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto cache = Open(0);
  for (int k = 0; k < kKeys; ++k) {
    auto maps = cache->Get(TargetCache::Key(Polygons(k), 96, 128, {}));
    ASSERT_TRUE(maps.ok() && maps->has_value());
    EXPECT_TRUE(SameMaps(**maps, *ComputeDbTargets(Polygons(k), 96, 128)));
  }
  EXPECT_TRUE(fs::is_empty(dir_ / "db-targets-v1" / "tmp"));
}

// A writer killed at arbitrary moments leaves complete entries or none.
TEST_F(TargetCacheTest, KilledWriterLeavesNoCorruptEntry) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    // The writer reports each entry it finished, so that every kill lands
    // after at least one (a slow machine must not leave the cache empty) and
    // then at a different point of the next write.
    int finished[2];
    ASSERT_EQ(::pipe(finished), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(finished[0]);
      auto cache = TargetCache::Make({dir_.string(), 0, false});
      for (int k = attempt;; ++k) {
        (void)(*cache)->GetOrCompute(Polygons(k % 50), 480, 640);
        const char done = 1;
        if (::write(finished[1], &done, 1) != 1) ::_exit(1);
      }
    }
    ::close(finished[1]);
    char done = 0;
    EXPECT_EQ(::read(finished[0], &done, 1), 1) << "the writer finished no entry";
    ::usleep(2000 + attempt * 7000);
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(finished[0]);
  }
  auto cache = Open(0);  // also removes the killed writers' temporaries
  EXPECT_TRUE(fs::is_empty(dir_ / "db-targets-v1" / "tmp"));
  int present = 0;
  for (int k = 0; k < 50; ++k) {
    auto maps = cache->Get(TargetCache::Key(Polygons(k), 480, 640, {}));
    ASSERT_TRUE(maps.ok());
    if (!maps->has_value()) continue;
    ++present;
    EXPECT_TRUE(SameMaps(**maps, *ComputeDbTargets(Polygons(k), 480, 640)));
  }
  EXPECT_GT(present, 0);
}

TEST_F(TargetCacheTest, MemoryBudgetEvictsLeastRecentlyUsed) {
  const size_t one = DbTargetMaps::Allocate(96, 128).byte_size();
  auto cache = TargetCache::Make({"", 2 * one, false});
  ASSERT_TRUE(cache.ok());
  for (int k = 0; k < 3; ++k) ASSERT_TRUE((*cache)->GetOrCompute(Polygons(k), 96, 128).ok());
  EXPECT_EQ((*cache)->stats().ram_entries, 2u);
  EXPECT_LE((*cache)->stats().ram_bytes, 2 * one);
  ASSERT_TRUE((*cache)->GetOrCompute(Polygons(2), 96, 128).ok());  // newest: kept
  ASSERT_TRUE((*cache)->GetOrCompute(Polygons(0), 96, 128).ok());  // oldest: evicted, recomputed
  EXPECT_EQ((*cache)->stats().ram_hits, 1u);
  EXPECT_EQ((*cache)->stats().misses, 4u);
}

}  // namespace
}  // namespace docpipe::ocr
