// Tests of type inference (RawTable -> Frame) and of the datetime formats it detects.
#include "data/infer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "data/csv_reader.h"
#include "data/datetime.h"

namespace kiln {
namespace {

RawTable ReadText(std::string text) {
  auto owned = std::make_shared<std::string>(std::move(text));
  Result<RawTable> table = ReadCsv(*owned, {}, "infer.csv", nullptr);
  EXPECT_TRUE(table.ok()) << table.status().message();
  if (!table.ok()) return RawTable{};
  table->backing = owned;
  return std::move(table).value();
}

Frame Infer(std::string text, const InferOptions& options = {}) {
  RawTable raw = ReadText(std::move(text));
  Result<Frame> frame = InferFrame(raw, options);
  EXPECT_TRUE(frame.ok()) << frame.status().message();
  return frame.ok() ? std::move(frame).value() : Frame{};
}

// A one-column frame from a header `x` and the given lines.
Column One(const std::string& lines, const InferOptions& options = {}) {
  Frame frame = Infer("x\n" + lines, options);
  return frame.cols() == 1 ? frame.column(0) : Column{};
}

Status InferError(std::string text, const InferOptions& options) {
  RawTable raw = ReadText(std::move(text));
  Result<Frame> frame = InferFrame(raw, options);
  return frame.ok() ? Status::Ok() : frame.status();
}

TEST(InferFrame, ReadsIntegers) {
  Column c = One("1\n-2\n+3\n9223372036854775807\n-9223372036854775808\n");
  EXPECT_EQ(c.type, ColumnType::kInteger);
  EXPECT_EQ(c.ints, (std::vector<int64_t>{1, -2, 3, INT64_MAX, INT64_MIN}));
}

TEST(InferFrame, WidensToFloatAtTheFirstDecimal) {
  Column c = One("1\n2\n2.5\n-1e3\n.5\n");
  EXPECT_EQ(c.type, ColumnType::kFloat);
  EXPECT_EQ(c.floats, (std::vector<double>{1, 2, 2.5, -1000, 0.5}));
}

TEST(InferFrame, IntegerThatOverflowsBecomesFloat) {
  Column c = One("1\n9223372036854775808\n");
  EXPECT_EQ(c.type, ColumnType::kFloat);
  EXPECT_EQ(c.floats[1], 9223372036854775808.0);
}

TEST(InferFrame, ZeroOneStaysInteger) {
  EXPECT_EQ(One("0\n1\n1\n").type, ColumnType::kInteger);
}

TEST(InferFrame, ReadsBooleanWordsInAnyCase) {
  Column c = One("true\nFALSE\nYes\nno\n");
  EXPECT_EQ(c.type, ColumnType::kBoolean);
  EXPECT_EQ(c.ints, (std::vector<int64_t>{1, 0, 1, 0}));
}

TEST(InferFrame, OtherWordsAreNotBoolean) {
  EXPECT_EQ(One("yes\nnone\nyes\n").type, ColumnType::kCategorical);
}

TEST(InferFrame, MissingTokensAreMissing) {
  Column c = One("1\nNA\n?\n\"\"\n3\nnull\n");
  EXPECT_EQ(c.type, ColumnType::kInteger);
  EXPECT_EQ(c.missing, (std::vector<uint8_t>{0, 1, 1, 1, 0, 1}));
}

TEST(InferFrame, CustomMissingTokensReplaceTheDefaults) {
  InferOptions options;
  options.missing_tokens = {"-"};
  Column c = One("a\nNA\n-\n", options);
  EXPECT_EQ(c.missing, (std::vector<uint8_t>{0, 0, 1}));
}

TEST(InferFrame, QuotedEmptyIsMissingButQuotedTokenIsAValue) {
  InferOptions options;
  options.missing_tokens = {"NA"};
  Frame frame = Infer("x,y\n\"\",\"NA\"\nb,NA\n", options);
  EXPECT_EQ(frame.column(0).missing, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(frame.column(1).missing, (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(frame.column(1).Render(0), "NA");
}

TEST(InferFrame, NanTextInAFloatColumnIsMissing) {
  Column c = One("1.5\nNAN\n2\n");
  EXPECT_EQ(c.type, ColumnType::kFloat);
  EXPECT_EQ(c.missing, (std::vector<uint8_t>{0, 1, 0}));
}

TEST(InferFrame, AllMissingColumnIsFloat) {
  Frame frame = Infer("x,y\nNA,1\n,2\n");
  EXPECT_EQ(frame.column(0).type, ColumnType::kFloat);
  EXPECT_EQ(frame.column(0).missing_count(), 2u);
  EXPECT_TRUE(std::isnan(frame.column(0).floats[0]));
}

TEST(InferFrame, SqlNullIsMissing) {
  RawTable raw;
  raw.names = {"x"};
  raw.cells = {{std::string_view("4"), std::string_view()}};
  Result<Frame> frame = InferFrame(raw, {});
  ASSERT_TRUE(frame.ok()) << frame.status().message();
  EXPECT_EQ(frame->column(0).type, ColumnType::kInteger);
  EXPECT_EQ(frame->column(0).missing, (std::vector<uint8_t>{0, 1}));
}

TEST(InferFrame, CategoricalDictionaryIsSortedByteWise) {
  Column c = One("pear\napple\nPear\npear\n");
  ASSERT_EQ(c.type, ColumnType::kCategorical);
  EXPECT_EQ(c.dictionary, (std::vector<std::string>{"Pear", "apple", "pear"}));
  EXPECT_EQ(c.codes, (std::vector<int32_t>{2, 1, 0, 2}));
}

TEST(InferFrame, ManyDistinctValuesAreFreeText) {
  InferOptions options;
  options.max_categories = 2;
  options.max_category_ratio = 0.5;
  Column c = One("alpha\nbeta\ngamma\ndelta\n", options);
  EXPECT_EQ(c.type, ColumnType::kText);
  EXPECT_EQ(c.texts[2], "gamma");
}

TEST(InferFrame, FewDistinctValuesRelativeToRowsAreCategorical) {
  InferOptions options;
  options.max_categories = 2;
  options.max_category_ratio = 0.5;
  EXPECT_EQ(One("a\nb\nc\na\nb\nc\n", options).type, ColumnType::kCategorical);
}

TEST(InferFrame, ReadsIsoDates) {
  Column c = One("1970-01-02\n2000-02-29\n");
  ASSERT_EQ(c.type, ColumnType::kDatetime);
  EXPECT_EQ(c.datetime_format, "%Y-%m-%d");
  EXPECT_EQ(c.ints, (std::vector<int64_t>{86400, 951782400}));
}

TEST(InferFrame, ReadsDateTimesWithSeconds) {
  Column c = One("2021-03-04T05:06:07\n");
  ASSERT_EQ(c.type, ColumnType::kDatetime);
  EXPECT_EQ(c.datetime_format, "%Y-%m-%dT%H:%M:%S");
  EXPECT_EQ(c.ints[0], 1614834367);
}

TEST(InferFrame, DayAboveTwelveDecidesDayFirst) {
  Column c = One("01/02/2020\n13/02/2020\n");
  EXPECT_EQ(c.datetime_format, "%d/%m/%Y");
  EXPECT_EQ(c.ints[0], DaysFromCivil(2020, 2, 1) * 86400);
}

TEST(InferFrame, DayAboveTwelveDecidesMonthFirst) {
  Column c = One("01/02/2020\n02/13/2020\n");
  EXPECT_EQ(c.datetime_format, "%m/%d/%Y");
  EXPECT_EQ(c.ints[0], DaysFromCivil(2020, 1, 2) * 86400);
}

TEST(InferFrame, UndecidableDatesReadDayFirst) {
  EXPECT_EQ(One("01-02-2020\n03-04-2020\n").datetime_format, "%d-%m-%Y");
}

TEST(InferFrame, ImpossibleDateIsNotADate) {
  EXPECT_EQ(One("2021-02-29\n2021-03-01\n").type, ColumnType::kCategorical);
}

TEST(InferFrame, TypeOverrideForcesCategoricalOnNumbers) {
  InferOptions options;
  options.type_overrides["x"] = ColumnType::kCategorical;
  Column c = One("10\n9\n10\n", options);
  ASSERT_EQ(c.type, ColumnType::kCategorical);
  EXPECT_EQ(c.dictionary, (std::vector<std::string>{"10", "9"}));
}

TEST(InferFrame, TypeOverrideForcesFloatAndText) {
  InferOptions options;
  options.type_overrides = {{"a", ColumnType::kFloat}, {"b", ColumnType::kText}};
  Frame frame = Infer("a,b\n1,x\n2,x\n", options);
  EXPECT_EQ(frame.column(0).type, ColumnType::kFloat);
  EXPECT_EQ(frame.column(1).type, ColumnType::kText);
}

TEST(InferFrame, BooleanOverrideAcceptsZeroAndOne) {
  InferOptions options;
  options.type_overrides["x"] = ColumnType::kBoolean;
  Column c = One("1\n0\nyes\n", options);
  EXPECT_EQ(c.type, ColumnType::kBoolean);
  EXPECT_EQ(c.ints, (std::vector<int64_t>{1, 0, 1}));
}

TEST(InferFrame, OverrideThatCannotConvertNamesColumnLineAndValue) {
  InferOptions options;
  options.type_overrides["age"] = ColumnType::kInteger;
  Status status = InferError("name,age\nAda,36\nBob,3.5\n", options);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), ErrorCode::kData);
  EXPECT_NE(status.message().find("'age'"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("line 3"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("'3.5'"), std::string::npos) << status.message();
}

TEST(InferFrame, DatetimeFormatOverrideIsUsed) {
  InferOptions options;
  options.datetime_formats["x"] = "%d.%m.%Y %H:%M";
  Column c = One("02.01.1970 00:01\n", options);
  ASSERT_EQ(c.type, ColumnType::kDatetime);
  EXPECT_EQ(c.datetime_format, "%d.%m.%Y %H:%M");
  EXPECT_EQ(c.ints[0], 86400 + 60);
}

TEST(InferFrame, DatetimeFormatOverrideThatDoesNotFitIsAnError) {
  InferOptions options;
  options.datetime_formats["x"] = "%Y-%m-%d";
  Status status = InferError("x\n2020-01-01\n01/02/2020\n", options);
  EXPECT_EQ(status.code(), ErrorCode::kData);
  EXPECT_NE(status.message().find("'01/02/2020'"), std::string::npos) << status.message();
}

TEST(InferFrame, UnknownOverrideColumnSuggestsTheNearestName) {
  InferOptions options;
  options.type_overrides["agee"] = ColumnType::kInteger;
  Status status = InferError("name,age\nAda,36\n", options);
  EXPECT_EQ(status.code(), ErrorCode::kConfig);
  EXPECT_NE(status.message().find("did you mean 'age'"), std::string::npos) << status.message();
}

TEST(InferFrame, UnsupportedDatetimeDirectiveIsAConfigError) {
  InferOptions options;
  options.datetime_formats["x"] = "%Y-%j";
  EXPECT_EQ(InferError("x\n2020-001\n", options).code(), ErrorCode::kConfig);
}

TEST(InferFrame, ThreadsGiveTheSameFrame) {
  std::string text = "a,b,c,d,e\n";
  for (int i = 0; i < 500; ++i) {
    text += std::to_string(i) + "," + std::to_string(i * 0.25) + ",k" + std::to_string(i % 7) +
            "," + (i % 2 ? "yes" : "no") + ",2020-01-" + std::to_string(1 + i % 28) + "\n";
  }
  InferOptions parallel;
  parallel.threads = 4;
  Frame one = Infer(text);
  Frame four = Infer(text, parallel);
  ASSERT_EQ(one.cols(), four.cols());
  for (size_t c = 0; c < one.cols(); ++c) {
    EXPECT_EQ(one.column(c).type, four.column(c).type);
    for (size_t r = 0; r < one.rows(); ++r) {
      EXPECT_EQ(one.column(c).Render(r), four.column(c).Render(r));
    }
  }
}

TEST(DatetimeFormat, ParsesOneOrTwoDigitFields) {
  Result<DatetimeFormat> f = DatetimeFormat::Compile("%d/%m/%Y %H:%M:%S");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Parse("2/1/1970 3:04:05"), 86400 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_FALSE(f->Parse("1/2/70 3:04:05").has_value());
  EXPECT_FALSE(f->Parse("1/2/1970 24:00:00").has_value());
  EXPECT_FALSE(f->Parse("1/2/1970 3:04:05 ").has_value());
}

TEST(DatetimeFormat, CountsDaysAcrossLeapYearsAndBeforeTheEpoch) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(1900, 3, 1), -25508);
}

}  // namespace
}  // namespace kiln
