#include "core/iso_date.h"

#include <chrono>

#include <gtest/gtest.h>

namespace docpipe {
namespace {

TEST(IsoDateTest, PdfDates) {
  EXPECT_EQ(IsoDate("D:20240305102030+01'00'"), "2024-03-05T10:20:30+01:00");
  EXPECT_EQ(IsoDate("D:20240305102030+01'00"), "2024-03-05T10:20:30+01:00");
  EXPECT_EQ(IsoDate("D:20240305102030Z"), "2024-03-05T10:20:30Z");
  EXPECT_EQ(IsoDate("D:20240305102030Z00'00'"), "2024-03-05T10:20:30Z");
  EXPECT_EQ(IsoDate("D:20240305102030-0530"), "2024-03-05T10:20:30-05:30");
  EXPECT_EQ(IsoDate("D:20240305"), "2024-03-05");
  EXPECT_EQ(IsoDate("D:202403"), "2024-03");
  EXPECT_EQ(IsoDate("20240305102030"), "2024-03-05T10:20:30");
  EXPECT_EQ(IsoDate("D:2024"), "2024");
}

TEST(IsoDateTest, IsoAndW3cDates) {
  EXPECT_EQ(IsoDate("2023-04-05T06:07:08Z"), "2023-04-05T06:07:08Z");
  EXPECT_EQ(IsoDate(" 2023-04-05T06:07:08.123+02:00 "), "2023-04-05T06:07:08+02:00");
  EXPECT_EQ(IsoDate("2023-04-05 06:07"), "2023-04-05T06:07");
  EXPECT_EQ(IsoDate("2023-04-05"), "2023-04-05");
  EXPECT_EQ(IsoDate("2023-04"), "2023-04");
  EXPECT_EQ(IsoDate("2023"), "2023");
}

TEST(IsoDateTest, HttpDates) {
  EXPECT_EQ(IsoDate("Tue, 15 Nov 1994 08:12:31 GMT"), "1994-11-15T08:12:31Z");
  EXPECT_EQ(IsoDate("Sunday, 06-Nov-94 08:49:37 GMT"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(IsoDate("Sun Nov  6 08:49:37 1994"), "1994-11-06T08:49:37Z");
  EXPECT_EQ(IsoDate("Mon, 4 Mar 2024 10:20 +0100"), "2024-03-04T10:20+01:00");
  EXPECT_EQ(IsoDate("04 march 2024 10:20:30 -0530"), "2024-03-04T10:20:30-05:30");
  EXPECT_EQ(IsoDate("Thu, 01-Jan-04 00:00:00 UTC"), "2004-01-01T00:00:00Z");
  EXPECT_EQ(IsoDate("Fri, 01 Mar 2024 09:00:00"), "2024-03-01T09:00:00");  // no zone given: none invented
}

TEST(IsoDateTest, AnythingElseIsEmpty) {
  for (const char* text : {"", "last Tuesday", "Tue, 15 Nov 1994", "Tue, 32 Nov 1994 08:12:31 GMT",
                           "Tue, 15 Nox 1994 08:12:31 GMT", "Tue, 15 Nov 1994 25:12:31 GMT",
                           "Tue, 15 Nov 1994 08:12:31 PST8", "Sun Nov  6 08:49:37 94", "Sun Nov 6", "2023-13-01",
                           "2023-04-32",
                           "2023-04-05T25:00", "2023-04-05T10:61", "D:2024030510203", "2023-04-05Tnoon",
                           "2023-04-05T06:07:08+2", "D:20240305102030+01'00'junk", "23-04-05"}) {
    EXPECT_EQ(IsoDate(text), "") << text;
  }
}

TEST(UtcTimestampTest, SecondsOrMilliseconds) {
  const auto time = std::chrono::system_clock::from_time_t(1709634030) + std::chrono::milliseconds(7);
  EXPECT_EQ(UtcTimestamp(time), "2024-03-05T10:20:30Z");
  EXPECT_EQ(UtcTimestamp(time, /*milliseconds=*/true), "2024-03-05T10:20:30.007Z");
}

}  // namespace
}  // namespace docpipe
