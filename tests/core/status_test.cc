#include "core/status.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

Result<int> Half(int x) {
  if (x % 2) return MakeError(ErrorCode::kData, "{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  KILN_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Status, ExitCodesFollowTheReadme) {
  EXPECT_EQ(ExitCodeFor(ErrorCode::kOk), 0);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kConfig), 1);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kData), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kGateRefused), 3);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kInternal), 4);
}

TEST(Status, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kData);
  EXPECT_EQ(r.status().message(), "3 is odd");
}

TEST(Status, ContextKeepsTheCode) {
  Status s = MakeError(ErrorCode::kIo, "disk full").WithContext("writing artifact");
  EXPECT_EQ(s.code(), ErrorCode::kIo);
  EXPECT_EQ(s.message(), "writing artifact: disk full");
}

}  // namespace
}  // namespace kiln
