// The CPU count default thread counts follow: the affinity mask, not the
// machine's cores.
#include "core/available_cpus.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <thread>

namespace docpipe {
namespace {

TEST(AvailableCpusTest, CountsTheCpusOfTheAffinityMask) {
  cpu_set_t mask;
  ASSERT_EQ(sched_getaffinity(0, sizeof mask, &mask), 0);
  EXPECT_EQ(AvailableCpus(), CPU_COUNT(&mask));
}

// A thread bound to one CPU (as a batch scheduler binds a one-CPU task) sees
// one, however many the machine has.
TEST(AvailableCpusTest, ABoundThreadSeesOneCpu) {
  cpu_set_t mask;
  ASSERT_EQ(sched_getaffinity(0, sizeof mask, &mask), 0);
  int first = 0;
  while (!CPU_ISSET(first, &mask)) ++first;
  int seen = 0;
  std::thread bound([&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    if (sched_setaffinity(0, sizeof one, &one) == 0) seen = AvailableCpus();
  });
  bound.join();
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace docpipe
