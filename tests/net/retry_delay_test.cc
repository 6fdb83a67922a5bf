// Retry-After in both of its forms, and the bounds of the jittered backoff.
#include "net/retry_delay.h"

#include <gtest/gtest.h>

#include <set>

namespace docpipe::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Wed, 21 Oct 2015 07:28:00 GMT
const auto kDate = std::chrono::system_clock::from_time_t(1445412480);

TEST(RetryAfterTest, DelaySeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kDate), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter(" 5\r", kDate), milliseconds(5000));
  EXPECT_EQ(ParseRetryAfter("0", kDate), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", kDate)->count() > 0, true);  // huge, not negative
}

TEST(RetryAfterTest, HttpDateInEveryForm) {
  const auto now = kDate - seconds(90);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now), milliseconds(90000));  // IMF-fixdate
  EXPECT_EQ(ParseRetryAfter("Wednesday, 21-Oct-15 07:28:00 GMT", now), milliseconds(90000));  // RFC 850
  EXPECT_EQ(ParseRetryAfter("Wed Oct 21 07:28:00 2015", now), milliseconds(90000));  // asctime
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now + milliseconds(500)), milliseconds(89500));
}

TEST(RetryAfterTest, PastDateIsNowAndGarbageIsNothing) {
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", kDate + seconds(3600)), milliseconds(0));
  EXPECT_FALSE(ParseRetryAfter("", kDate).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", kDate).has_value());
  EXPECT_FALSE(ParseRetryAfter("-5", kDate).has_value());
}

TEST(JitteredBackoffTest, StaysWithinTheDoublingCap) {
  JitteredBackoff backoff(milliseconds(100), milliseconds(1000), /*seed=*/7);
  EXPECT_EQ(backoff.Cap(1), milliseconds(100));
  EXPECT_EQ(backoff.Cap(3), milliseconds(400));
  EXPECT_EQ(backoff.Cap(5), milliseconds(1000));   // 1600 capped
  EXPECT_EQ(backoff.Cap(60), milliseconds(1000));  // no overflow however many retries
  for (int retry = 1; retry <= 8; ++retry) {
    std::set<int64_t> seen;
    int64_t sum = 0;
    for (int i = 0; i < 400; ++i) {
      milliseconds delay = backoff.Next(retry);
      ASSERT_GE(delay.count(), 0);
      ASSERT_LE(delay, backoff.Cap(retry)) << "retry " << retry;
      seen.insert(delay.count());
      sum += delay.count();
    }
    // Really jittered: spread over the range, centred on half the cap.
    EXPECT_GT(seen.size(), 40u) << "retry " << retry;
    double mean = static_cast<double>(sum) / 400;
    EXPECT_NEAR(mean, backoff.Cap(retry).count() / 2.0, backoff.Cap(retry).count() * 0.1) << "retry " << retry;
  }
}

TEST(JitteredBackoffTest, SameSeedSameDelays) {
  JitteredBackoff a(milliseconds(50), milliseconds(5000), 11), b(milliseconds(50), milliseconds(5000), 11);
  for (int retry = 1; retry <= 6; ++retry) EXPECT_EQ(a.Next(retry), b.Next(retry));
}

}  // namespace
}  // namespace docpipe::net
