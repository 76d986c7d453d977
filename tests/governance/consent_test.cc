#include "governance/consent.h"

#include <algorithm>
#include <optional>

#include <gtest/gtest.h>

namespace kiln {
namespace {

using Texts = std::vector<std::optional<std::string>>;
using Ints = std::vector<std::optional<int64_t>>;

Column TextColumn(const std::string& name, const Texts& values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kText;
  for (const auto& v : values) {
    c.texts.push_back(v.value_or(""));
    c.missing.push_back(v ? 0 : 1);
  }
  return c;
}

Column CategoricalColumn(const std::string& name, const Texts& values) {
  Column c;
  c.name = name;
  c.type = ColumnType::kCategorical;
  for (const auto& v : values) {
    c.missing.push_back(v ? 0 : 1);
    if (!v) {
      c.codes.push_back(-1);
      continue;
    }
    auto it = std::find(c.dictionary.begin(), c.dictionary.end(), *v);
    c.codes.push_back(static_cast<int32_t>(it - c.dictionary.begin()));
    if (it == c.dictionary.end()) c.dictionary.push_back(*v);
  }
  return c;
}

Column IntColumn(const std::string& name, const Ints& values, ColumnType type) {
  Column c;
  c.name = name;
  c.type = type;
  for (const auto& v : values) {
    c.ints.push_back(v.value_or(0));
    c.missing.push_back(v ? 0 : 1);
  }
  return c;
}

Frame FrameOf(std::vector<Column> columns) {
  Frame f;
  for (Column& c : columns) f.Add(std::move(c));
  return f;
}

std::vector<uint8_t> Mask(const Frame& frame, const std::string& column) {
  Result<std::vector<uint8_t>> mask = ConsentMask(frame, column);
  EXPECT_TRUE(mask.ok()) << mask.status().message();
  return mask.ok() ? *mask : std::vector<uint8_t>{};
}

TEST(Consent, TextSpellingsAreCaseInsensitiveAndTrimmed) {
  Frame f = FrameOf({TextColumn("consent", {"Yes", " TRUE ", "granted", "Accepted", "y", "1", "No",
                                            "false", "DENIED", "withdrawn", "0", "n"})});
  EXPECT_EQ(Mask(f, "consent"), (std::vector<uint8_t>{1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}));
}

TEST(Consent, MissingValueMeansNoConsent) {
  Frame f = FrameOf({TextColumn("consent", {"yes", std::nullopt, "yes"})});
  EXPECT_EQ(Mask(f, "consent"), (std::vector<uint8_t>{1, 0, 1}));
}

TEST(Consent, BooleanColumn) {
  Frame f = FrameOf({IntColumn("opt_in", {1, 0, std::nullopt, 1}, ColumnType::kBoolean)});
  EXPECT_EQ(Mask(f, "opt_in"), (std::vector<uint8_t>{1, 0, 0, 1}));
}

TEST(Consent, IntegerColumnOfZeroAndOne) {
  Frame f = FrameOf({IntColumn("opt_in", {0, 1, 1}, ColumnType::kInteger)});
  EXPECT_EQ(Mask(f, "opt_in"), (std::vector<uint8_t>{0, 1, 1}));
}

TEST(Consent, CategoricalColumn) {
  Frame f = FrameOf({CategoricalColumn("gdpr", {"granted", "withdrawn", std::nullopt, "granted"})});
  EXPECT_EQ(Mask(f, "gdpr"), (std::vector<uint8_t>{1, 0, 0, 1}));
}

TEST(Consent, MaskFiltersTheFrame) {
  Frame f = FrameOf({TextColumn("consent", {"yes", "no", "yes"}),
                     IntColumn("age", {30, 40, 50}, ColumnType::kInteger)});
  Frame kept = f.FilterRows(Mask(f, "consent"));
  ASSERT_EQ(kept.rows(), 2u);
  EXPECT_EQ(kept.column(1).ints, (std::vector<int64_t>{30, 50}));
}

TEST(Consent, UnknownTextValueIsADataErrorNamingColumnValueAndSpellings) {
  Frame f = FrameOf({TextColumn("consent", {"yes", "maybe"})});
  Result<std::vector<uint8_t>> mask = ConsentMask(f, "consent");
  ASSERT_FALSE(mask.ok());
  EXPECT_EQ(mask.status().code(), ErrorCode::kData);
  const std::string& m = mask.status().message();
  EXPECT_NE(m.find("'consent'"), std::string::npos) << m;
  EXPECT_NE(m.find("'maybe'"), std::string::npos) << m;
  EXPECT_NE(m.find("row index 1"), std::string::npos) << m;
  EXPECT_NE(m.find("granted"), std::string::npos) << m;
  EXPECT_NE(m.find("withdrawn"), std::string::npos) << m;
}

TEST(Consent, IntegerOtherThanZeroOrOneIsADataError) {
  Frame f = FrameOf({IntColumn("opt_in", {1, 2}, ColumnType::kInteger)});
  Result<std::vector<uint8_t>> mask = ConsentMask(f, "opt_in");
  ASSERT_FALSE(mask.ok());
  EXPECT_EQ(mask.status().code(), ErrorCode::kData);
  EXPECT_NE(mask.status().message().find("'2'"), std::string::npos);
}

TEST(Consent, UnknownCategoryIsADataError) {
  Frame f = FrameOf({CategoricalColumn("gdpr", {"granted", "pending"})});
  Result<std::vector<uint8_t>> mask = ConsentMask(f, "gdpr");
  ASSERT_FALSE(mask.ok());
  EXPECT_NE(mask.status().message().find("'pending'"), std::string::npos);
}

TEST(Consent, MissingColumnIsAConfigErrorListingTheColumns) {
  Frame f =
      FrameOf({TextColumn("consent_given", {"yes"}), IntColumn("age", {30}, ColumnType::kInteger)});
  Result<std::vector<uint8_t>> mask = ConsentMask(f, "consent");
  ASSERT_FALSE(mask.ok());
  EXPECT_EQ(mask.status().code(), ErrorCode::kConfig);
  EXPECT_NE(mask.status().message().find("consent_given, age"), std::string::npos)
      << mask.status().message();
}

TEST(Consent, DatetimeColumnIsRefused) {
  Frame f = FrameOf({IntColumn("consented_at", {0}, ColumnType::kDatetime)});
  Result<std::vector<uint8_t>> mask = ConsentMask(f, "consented_at");
  ASSERT_FALSE(mask.ok());
  EXPECT_EQ(mask.status().code(), ErrorCode::kConfig);
}

}  // namespace
}  // namespace kiln
