// The leakage check on synthetic columns built to sit either side of its thresholds (copies of
// the target with noise, sums of columns, encoded categories, identifiers, independent columns)
// and on the shared real data: bike sharing, whose `casual` and `registered` sum to `count`, and
// adult, which has no leak. The real-data tests skip when the data sets are absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "data/csv_reader.h"
#include "data/infer.h"
#include "features/feature_test_util.h"
#include "profile/leakage.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::AllRows;
using testing::CategoricalColumn;
using testing::FloatColumn;
using testing::IntColumn;
using testing::MakeFrame;

constexpr size_t kRows = 2000;

std::vector<double> Normal(std::mt19937_64& rng, size_t n, double sd = 1.0) {
  std::normal_distribution<double> d(0, sd);
  std::vector<double> out(n);
  for (double& v : out) v = d(rng);
  return out;
}

std::vector<double> Plus(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] + b[i];
  return out;
}

Target RegressionTarget(std::vector<double> values) {
  Target t;
  t.task = TaskType::kRegression;
  t.values = std::move(values);
  return t;
}

// Class 1 for about `rate` of the rows.
Target BinaryOf(std::mt19937_64& rng, size_t n, double rate = 0.3) {
  std::bernoulli_distribution d(rate);
  std::vector<double> y(n);
  for (double& v : y) v = d(rng) ? 1 : 0;
  return testing::BinaryTarget(y);
}

std::vector<std::string> Names(const Frame& frame) {
  std::vector<std::string> names;
  for (const Column& c : frame.columns()) names.push_back(c.name);
  return names;
}

std::vector<LeakFinding> Leaks(const Frame& frame, const Target& target,
                               const LeakOptions& options = {}) {
  const std::vector<size_t> rows = AllRows(frame.rows());
  Result<std::vector<LeakFinding>> found = FindLeaks(frame, rows, target, Names(frame), options);
  EXPECT_TRUE(found.ok()) << found.status().message();
  return found.ok() ? *found : std::vector<LeakFinding>{};
}

std::vector<std::string> Flagged(const std::vector<LeakFinding>& findings) {
  std::vector<std::string> columns;
  for (const LeakFinding& f : findings) columns.push_back(f.column);
  std::sort(columns.begin(), columns.end());
  return columns;
}

// ----- regression -----------------------------------------------------------------------------

TEST(LeakCheck, CopyOfTargetWithSmallNoiseIsFlagged) {
  std::mt19937_64 rng(1);
  const std::vector<double> y = Normal(rng, kRows);
  const Frame frame = MakeFrame({FloatColumn("copy", Plus(y, Normal(rng, kRows, 0.1))),
                                 FloatColumn("other", Normal(rng, kRows))});
  const std::vector<LeakFinding> found = Leaks(frame, RegressionTarget(y));
  ASSERT_EQ(Flagged(found), (std::vector<std::string>{"copy"}));
  EXPECT_EQ(found[0].kind, "single_feature");
  EXPECT_GE(found[0].score, 0.98);
  EXPECT_NE(found[0].message.find("data.exclude_columns"), std::string::npos);
}

TEST(LeakCheck, CopyOfTargetWithLargeNoiseIsNotFlagged) {
  std::mt19937_64 rng(2);
  const std::vector<double> y = Normal(rng, kRows);
  // Correlation about 0.89: a strong feature, not a leak.
  const Frame frame = MakeFrame({FloatColumn("noisy", Plus(y, Normal(rng, kRows, 0.5)))});
  EXPECT_TRUE(Leaks(frame, RegressionTarget(y)).empty());
}

TEST(LeakCheck, MonotoneTransformOfTargetIsFlaggedBySpearman) {
  std::mt19937_64 rng(3);
  const std::vector<double> y = Normal(rng, kRows);
  std::vector<double> cubed;
  for (double v : y) cubed.push_back(std::exp(3 * v));
  const std::vector<LeakFinding> found =
      Leaks(MakeFrame({FloatColumn("exp", cubed)}), RegressionTarget(y));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("|Spearman|"), std::string::npos);
}

TEST(LeakCheck, SumOfTwoColumnsIsFlaggedAsACombination) {
  std::mt19937_64 rng(4);
  const std::vector<double> a = Normal(rng, kRows), b = Normal(rng, kRows);
  const Frame frame = MakeFrame({FloatColumn("noise1", Normal(rng, kRows)), FloatColumn("a", a),
                                 FloatColumn("noise2", Normal(rng, kRows)), FloatColumn("b", b)});
  LeakOptions options;
  options.target_name = "total";
  const std::vector<LeakFinding> found = Leaks(frame, RegressionTarget(Plus(a, b)), options);
  ASSERT_EQ(Flagged(found), (std::vector<std::string>{"a", "b"}));
  for (const LeakFinding& f : found) {
    EXPECT_EQ(f.kind, "linear_combination");
    EXPECT_NEAR(f.score, 1.0, 1e-9);
    EXPECT_EQ(f.together, (std::vector<std::string>{"a", "b"}));
    EXPECT_NE(f.message.find("a + b reproduce total (R² 1.0000)"), std::string::npos) << f.message;
  }
}

TEST(LeakCheck, WeightedCombinationOfThreeColumnsIsFlagged) {
  std::mt19937_64 rng(5);
  const std::vector<double> a = Normal(rng, kRows), b = Normal(rng, kRows), c = Normal(rng, kRows);
  std::vector<double> y(kRows);
  for (size_t i = 0; i < kRows; ++i) y[i] = 2 * a[i] - 3 * b[i] + 0.5 * c[i] + 7;
  const Frame frame = MakeFrame({FloatColumn("a", a), FloatColumn("b", b), FloatColumn("c", c),
                                 FloatColumn("noise", Normal(rng, kRows))});
  EXPECT_EQ(Flagged(Leaks(frame, RegressionTarget(y))), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(LeakCheck, PartialSumIsNotACombination) {
  std::mt19937_64 rng(6);
  const std::vector<double> a = Normal(rng, kRows), b = Normal(rng, kRows);
  // The third, unobserved part keeps R² near 0.8.
  const std::vector<double> y = Plus(Plus(a, b), Normal(rng, kRows, 0.7));
  const Frame frame = MakeFrame({FloatColumn("a", a), FloatColumn("b", b)});
  EXPECT_TRUE(Leaks(frame, RegressionTarget(y)).empty());
}

TEST(LeakCheck, CategoryThatDeterminesARegressionTargetIsFlagged) {
  std::mt19937_64 rng(7);
  std::vector<std::string> level;
  std::vector<double> y;
  for (size_t i = 0; i < kRows; ++i) {
    level.push_back("L" + std::to_string(i % 5));
    y.push_back(10.0 * static_cast<double>(i % 5) + 0.01 * Normal(rng, 1)[0]);
  }
  const std::vector<LeakFinding> found =
      Leaks(MakeFrame({CategoricalColumn("level", level)}), RegressionTarget(y));
  ASSERT_EQ(Flagged(found), (std::vector<std::string>{"level"}));
  EXPECT_NE(found[0].message.find("binned R²"), std::string::npos);
}

// ----- classification -------------------------------------------------------------------------

TEST(LeakCheck, CategoricalThatEncodesTheClassIsFlagged) {
  std::mt19937_64 rng(8);
  const Target target = BinaryOf(rng, kRows);
  std::vector<std::string> code;
  for (size_t i = 0; i < kRows; ++i) code.push_back(target.values[i] == 1 ? "Y" : "N");
  const std::vector<LeakFinding> found =
      Leaks(MakeFrame({CategoricalColumn("code", code)}), target);
  ASSERT_EQ(Flagged(found), (std::vector<std::string>{"code"}));
  EXPECT_DOUBLE_EQ(found[0].score, 1.0);
}

TEST(LeakCheck, CategoricalWithHalfAPercentFlippedIsFlagged) {
  std::mt19937_64 rng(9);
  const Target target = BinaryOf(rng, kRows);
  std::vector<std::string> code;
  for (size_t i = 0; i < kRows; ++i) {
    code.push_back((target.values[i] == 1) != (i % 200 == 0) ? "Y" : "N");
  }
  const std::vector<LeakFinding> found =
      Leaks(MakeFrame({CategoricalColumn("code", code)}), target);
  ASSERT_EQ(Flagged(found), (std::vector<std::string>{"code"}));
  EXPECT_GE(found[0].score, 0.99);
  EXPECT_LT(found[0].score, 1.0);
}

TEST(LeakCheck, CategoricalWithFivePercentFlippedIsNotFlagged) {
  std::mt19937_64 rng(9);
  const Target target = BinaryOf(rng, kRows);
  std::vector<std::string> code;
  for (size_t i = 0; i < kRows; ++i) {
    code.push_back((target.values[i] == 1) != (i % 20 == 0) ? "Y" : "N");
  }
  EXPECT_TRUE(Leaks(MakeFrame({CategoricalColumn("code", code)}), target).empty());
}

TEST(LeakCheck, NumericThresholdOnTheClassIsFlagged) {
  std::mt19937_64 rng(10);
  std::vector<double> score = Normal(rng, kRows);
  std::vector<double> y;
  for (double s : score) y.push_back(s > 0.4 ? 1 : 0);
  const std::vector<LeakFinding> found =
      Leaks(MakeFrame({FloatColumn("score", score)}), testing::BinaryTarget(y));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_DOUBLE_EQ(found[0].score, 1.0);
}

TEST(LeakCheck, MulticlassLabelCopyIsFlagged) {
  std::vector<std::string> label;
  Target target;
  target.task = TaskType::kMulticlass;
  target.classes = {"a", "b", "c"};
  for (size_t i = 0; i < kRows; ++i) {
    label.push_back(target.classes[(i * 7) % 3]);
    target.values.push_back(static_cast<double>((i * 7) % 3));
  }
  EXPECT_EQ(Flagged(Leaks(MakeFrame({CategoricalColumn("label", label)}), target)),
            (std::vector<std::string>{"label"}));
}

// ----- what is not a leak ---------------------------------------------------------------------

TEST(LeakCheck, IdentifiersAreNotFlagged) {
  // Rows sorted by the target, so the row number tracks it perfectly.
  std::mt19937_64 rng(11);
  std::vector<double> y = Normal(rng, kRows);
  std::sort(y.begin(), y.end());
  std::vector<int64_t> id(kRows);
  std::vector<std::string> key(kRows);
  for (size_t i = 0; i < kRows; ++i) {
    id[i] = static_cast<int64_t>(1000 + i);
    key[i] = "k" + std::to_string(i);
  }
  const Frame frame = MakeFrame({IntColumn("id", id), CategoricalColumn("key", key)});
  EXPECT_TRUE(Leaks(frame, RegressionTarget(y)).empty());
}

TEST(LeakCheck, SparseCategoriesAreNotFlaggedForClassification) {
  // 2000 rows over 200 categories: 10 rows each, too few to judge a category's purity.
  std::mt19937_64 rng(12);
  std::vector<double> y(kRows);
  std::vector<std::string> group(kRows);
  for (size_t i = 0; i < kRows; ++i) {
    group[i] = "g" + std::to_string(i / 10);
    y[i] = (i / 10) % 2 == 0 ? 1 : 0;
  }
  EXPECT_TRUE(
      Leaks(MakeFrame({CategoricalColumn("group", group)}), testing::BinaryTarget(y)).empty());
}

TEST(LeakCheck, IndependentFeaturesGiveNoFindings) {
  std::mt19937_64 rng(13);
  std::vector<std::string> colour;
  std::vector<int64_t> count;
  std::uniform_int_distribution<int> pick(0, 3);
  for (size_t i = 0; i < kRows; ++i) {
    colour.push_back(std::string("c") + std::to_string(pick(rng)));
    count.push_back(pick(rng) * 10);
  }
  const Frame frame =
      MakeFrame({FloatColumn("x1", Normal(rng, kRows)), FloatColumn("x2", Normal(rng, kRows)),
                 CategoricalColumn("colour", colour), IntColumn("count", count)});
  EXPECT_TRUE(Leaks(frame, RegressionTarget(Normal(rng, kRows))).empty());
  EXPECT_TRUE(Leaks(frame, BinaryOf(rng, kRows, 0.05)).empty());
}

TEST(LeakCheck, MissingAndConstantColumnsAreTolerated) {
  std::mt19937_64 rng(14);
  const std::vector<double> y = Normal(rng, kRows);
  std::vector<double> gappy = y, empty(kRows, testing::kNan);
  for (size_t i = 0; i < kRows; i += 4) gappy[i] = testing::kNan;
  const Frame frame = MakeFrame(
      {FloatColumn("gappy", gappy), FloatColumn("constant", std::vector<double>(kRows, 3)),
       FloatColumn("empty", empty), FloatColumn("other", Normal(rng, kRows))});
  EXPECT_EQ(Flagged(Leaks(frame, RegressionTarget(y))), (std::vector<std::string>{"gappy"}));
}

TEST(LeakCheck, RowsWithoutTargetAreIgnored) {
  std::mt19937_64 rng(15);
  std::vector<double> y = Normal(rng, kRows);
  const Frame frame = MakeFrame({FloatColumn("copy", y)});
  for (size_t i = 0; i < kRows; i += 3) y[i] = testing::kNan;
  EXPECT_EQ(Flagged(Leaks(frame, RegressionTarget(y))), (std::vector<std::string>{"copy"}));
}

TEST(LeakCheck, SameInputsGiveSameFindings) {
  std::mt19937_64 rng(16);
  const std::vector<double> a = Normal(rng, 30000), b = Normal(rng, 30000);
  const Frame frame = MakeFrame({FloatColumn("a", a), FloatColumn("b", b)});
  const std::vector<LeakFinding> first = Leaks(frame, RegressionTarget(Plus(a, b)));
  const std::vector<LeakFinding> second = Leaks(frame, RegressionTarget(Plus(a, b)));
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].column, second[i].column);
    EXPECT_EQ(first[i].score, second[i].score);
  }
}

TEST(LeakCheck, UnknownColumnIsAUsageError) {
  const Frame frame = MakeFrame({FloatColumn("a", std::vector<double>(100, 1))});
  const std::vector<size_t> rows = AllRows(100);
  Result<std::vector<LeakFinding>> found =
      FindLeaks(frame, rows, RegressionTarget(std::vector<double>(100, 1)), {"a", "b"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), ErrorCode::kUsage);
  EXPECT_NE(found.status().message().find("'b'"), std::string::npos);
}

TEST(LeakCheck, TooFewRowsWithTargetIsADataError) {
  const Frame frame = MakeFrame({FloatColumn("a", std::vector<double>(10, 1))});
  const std::vector<size_t> rows = AllRows(10);
  Result<std::vector<LeakFinding>> found =
      FindLeaks(frame, rows, RegressionTarget(std::vector<double>(10, 1)), {"a"});
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), ErrorCode::kData);
}

TEST(LeakCheck, TwentyThousandRowsOfIndependentColumnsGiveNoFindings) {
  std::mt19937_64 rng(17);
  const size_t n = 20000;
  std::vector<Column> columns;
  for (int c = 0; c < 12; ++c)
    columns.push_back(FloatColumn("x" + std::to_string(c), Normal(rng, n)));
  std::vector<std::string> cat(n);
  std::vector<int64_t> small(n), id(n);
  for (size_t i = 0; i < n; ++i) {
    cat[i] = "c" + std::to_string(i % 13);
    small[i] = static_cast<int64_t>(i % 24);
    id[i] = static_cast<int64_t>(i);
  }
  columns.push_back(CategoricalColumn("cat", cat));
  columns.push_back(IntColumn("hour", small));
  columns.push_back(IntColumn("id", id));
  const Frame frame = MakeFrame(std::move(columns));
  const Target target = RegressionTarget(Normal(rng, n));

  // The check's speed is measured by bench/, not asserted here; the processor time is recorded
  // in the test's XML output for reference.
  const std::clock_t start = std::clock();
  const std::vector<LeakFinding> found = Leaks(frame, target);
  const double ms = 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  RecordProperty("cpu_milliseconds", std::to_string(ms));
  EXPECT_TRUE(found.empty());
}

// ----- real data ------------------------------------------------------------------------------

Result<Frame> ReadShared(const std::filesystem::path& root, const std::string& file) {
  KILN_ASSIGN_OR_RETURN(RawTable raw, ReadCsvFile((root / file).string(), {}, nullptr));
  return InferFrame(raw, {});
}

std::vector<std::string> AllBut(const Frame& frame, const std::string& target) {
  std::vector<std::string> names;
  for (const Column& c : frame.columns()) {
    if (c.name != target) names.push_back(c.name);
  }
  return names;
}

TEST(LeakCheckRealData, BikeSharingFlagsExactlyCasualAndRegistered) {
  const auto root = testing::SharedDatasets();
  if (!root) GTEST_SKIP() << "shared data sets not found (../shared/datasets or $KILN_DATASETS)";
  Result<Frame> frame = ReadShared(*root, "bike-sharing/bike-hourly.csv");
  ASSERT_TRUE(frame.ok()) << frame.status().message();
  Result<Target> target = ExtractTarget(*frame, {TaskType::kRegression, "count", ""});
  ASSERT_TRUE(target.ok()) << target.status().message();
  LeakOptions options;
  options.target_name = "count";
  const std::vector<size_t> rows = AllRows(frame->rows());

  const std::clock_t start = std::clock();
  Result<std::vector<LeakFinding>> found =
      FindLeaks(*frame, rows, *target, AllBut(*frame, "count"), options);
  const double ms = 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
  RecordProperty("cpu_milliseconds", std::to_string(ms));
  ASSERT_TRUE(found.ok()) << found.status().message();

  ASSERT_EQ(Flagged(*found), (std::vector<std::string>{"casual", "registered"}));
  for (const LeakFinding& f : *found) {
    EXPECT_EQ(f.kind, "linear_combination");
    EXPECT_GE(f.score, 0.9999);
    EXPECT_EQ(f.message,
              "casual + registered reproduce count (R² 1.0000): they are derived from the target; "
              "add them to data.exclude_columns");
  }
}

TEST(LeakCheckRealData, AdultHasNoLeaks) {
  const auto root = testing::SharedDatasets();
  if (!root) GTEST_SKIP() << "shared data sets not found (../shared/datasets or $KILN_DATASETS)";
  Result<Frame> frame = ReadShared(*root, "adult/adult-train.csv");
  ASSERT_TRUE(frame.ok()) << frame.status().message();
  Result<Target> target = ExtractTarget(*frame, {TaskType::kBinary, "target", ">50K"});
  ASSERT_TRUE(target.ok()) << target.status().message();
  const std::vector<size_t> rows = AllRows(frame->rows());
  Result<std::vector<LeakFinding>> found =
      FindLeaks(*frame, rows, *target, AllBut(*frame, "target"));
  ASSERT_TRUE(found.ok()) << found.status().message();
  for (const LeakFinding& f : *found) ADD_FAILURE() << f.message;
}

}  // namespace
}  // namespace kiln
