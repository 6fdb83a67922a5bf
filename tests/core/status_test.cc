#include "docpipe/status.h"

#include <gtest/gtest.h>

#include <memory>

namespace docpipe {
namespace {

Result<int> ParsePositive(int value) {
  if (value <= 0) return Status::InvalidArgument("not positive: " + std::to_string(value));
  return value;
}

Result<int> Doubled(int value) {
  DOCPIPE_ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  return parsed * 2;
}

Status Check(int value) {
  DOCPIPE_RETURN_IF_ERROR(ParsePositive(value).status());
  return Status::Ok();
}

TEST(StatusTest, OkAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().ToString(), "ok");
  Status corrupt = Status::Corrupt("no xref");
  EXPECT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.code(), StatusCode::kCorrupt);
  EXPECT_EQ(corrupt.ToString(), "corrupt: no xref");
  EXPECT_EQ(corrupt.WithContext("a.pdf").ToString(), "corrupt: a.pdf: no xref");
  EXPECT_EQ(StatusCodeName(StatusCode::kPermissionDenied), "permission_denied");
}

TEST(StatusTest, MacrosPropagateErrorsAndValues) {
  Result<int> good = Doubled(21);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "not positive: -1");
  EXPECT_TRUE(Check(3).ok());
  EXPECT_EQ(Check(0).code(), StatusCode::kInvalidArgument);
}

TEST(StatusTest, ResultHoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(7);
  ASSERT_TRUE(result.ok());
  std::unique_ptr<int> owned = std::move(result).value();
  EXPECT_EQ(*owned, 7);
}

}  // namespace
}  // namespace docpipe
