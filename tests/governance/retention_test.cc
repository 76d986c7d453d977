#include "governance/retention.h"

#include <gtest/gtest.h>

namespace kiln {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

system_clock::time_point Utc(std::string_view text) {
  Result<system_clock::time_point> parsed = ParseUtc(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? *parsed : system_clock::time_point{};
}

TEST(Retention, FormatAndParseRoundTripWithMilliseconds) {
  EXPECT_EQ(FormatUtc(Utc("2026-12-03T18:22:31.123Z")), "2026-12-03T18:22:31.123Z");
}

TEST(Retention, ParsesToTheRightInstant) {
  auto expected = system_clock::time_point{milliseconds{1'796'322'151'123}};
  EXPECT_EQ(Utc("2026-12-03T18:22:31.123Z"), expected);
}

TEST(Retention, DateAloneIsMidnightUtc) {
  EXPECT_EQ(FormatUtc(Utc("2026-12-03")), "2026-12-03T00:00:00.000Z");
}

TEST(Retention, OffsetsAreConvertedToUtc) {
  EXPECT_EQ(Utc("2026-12-03T20:22:31+02:00"), Utc("2026-12-03T18:22:31Z"));
  EXPECT_EQ(Utc("2026-12-03T13:52:31-04:30"), Utc("2026-12-03T18:22:31Z"));
}

TEST(Retention, FractionsOfAnyLengthUpToNanoseconds) {
  EXPECT_EQ(FormatUtc(Utc("2026-12-03T18:22:31.5Z")), "2026-12-03T18:22:31.500Z");
  EXPECT_EQ(Utc("2026-12-03T18:22:31.123456789Z") - Utc("2026-12-03T18:22:31Z"),
            std::chrono::nanoseconds{123456789});
}

TEST(Retention, MinutesWithoutSecondsAndSpaceSeparatorAreAccepted) {
  EXPECT_EQ(Utc("2026-12-03 18:22Z"), Utc("2026-12-03T18:22:00.000Z"));
}

TEST(Retention, FormatTruncatesTowardsThePast) {
  auto t = Utc("2026-12-03T18:22:31.123Z") + std::chrono::microseconds{999};
  EXPECT_EQ(FormatUtc(t), "2026-12-03T18:22:31.123Z");
  EXPECT_EQ(FormatUtc(Utc("1969-12-31T23:59:59.500Z")), "1969-12-31T23:59:59.500Z");
}

TEST(Retention, LeapDayOnlyInLeapYears) {
  EXPECT_TRUE(ParseUtc("2024-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseUtc("2023-02-29T00:00:00Z").ok());
}

TEST(Retention, RejectsMalformedTimestampsWithPosition) {
  for (std::string_view bad :
       {"", "garbage", "2026-13-01", "2026-04-31", "2026-12-03T24:00:00Z", "2026-12-03T18:60Z",
        "2026-12-03T18:22:60Z", "2026-12-03T18:22:31", "2026-12-03T18:22:31.Z",
        "2026-12-03T18:22:31.1234567890Z", "2026-12-03T18:22:31Zjunk", "2026-12-03T18:22:31+2",
        "26-12-03", "1500-01-01", "2026/12/03"}) {
    Result<system_clock::time_point> parsed = ParseUtc(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), ErrorCode::kData);
    EXPECT_NE(parsed.status().message().find("at character"), std::string::npos);
  }
}

TEST(Retention, ErrorNamesTheMissingZone) {
  Result<system_clock::time_point> parsed = ParseUtc("2026-12-03T18:22:31");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("'2026-12-03T18:22:31'"), std::string::npos);
  EXPECT_NE(parsed.status().message().find("missing zone"), std::string::npos);
  EXPECT_NE(parsed.status().message().find("character 20"), std::string::npos);
}

TEST(Retention, ExpiresExactlyAtTheEndOfTheWindow) {
  auto created = Utc("2026-01-01T00:00:00Z");
  auto end = created + std::chrono::days{30};
  EXPECT_FALSE(IsExpired("2026-01-01T00:00:00Z", 30, end - milliseconds{1}));
  EXPECT_TRUE(IsExpired("2026-01-01T00:00:00Z", 30, end));
  EXPECT_TRUE(IsExpired("2026-01-01T00:00:00Z", 30, end + std::chrono::days{400}));
}

TEST(Retention, RecordsFromTheFutureAreNotExpired) {
  EXPECT_FALSE(IsExpired("2026-01-02T00:00:00Z", 0, Utc("2026-01-01T00:00:00Z")));
}

TEST(Retention, NegativeRetentionMeansNone) {
  auto now = Utc("2026-01-01T00:00:00Z");
  EXPECT_TRUE(IsExpired("2026-01-01T00:00:00Z", -5, now));
}

TEST(Retention, HugeRetentionNeverExpiresAndDoesNotOverflow) {
  auto now = Utc("2261-12-31T23:59:59Z");
  EXPECT_FALSE(IsExpired("1678-01-01T00:00:00Z", INT64_MAX, now));
}

TEST(Retention, UnparseableCreationTimeCountsAsExpired) {
  EXPECT_TRUE(IsExpired("yesterday", 365, Utc("2026-01-01T00:00:00Z")));
}

}  // namespace
}  // namespace kiln
