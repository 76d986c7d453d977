// Cross-validation splits: the structural properties every split promises (sorted, disjoint,
// partitioning), reproducibility from the seed, stratification balance, group integrity, ties in
// time, the error cases, and agreement with scikit-learn's TimeSeriesSplit and GroupKFold
// (tests/scripts/sklearn_splits.py under /usr/bin/python3; skipped when sklearn is absent).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "train/split.h"

namespace kiln {
namespace {

ValidationSpec Spec(SplitKind kind, int folds, uint64_t seed = 42, int gap = 0) {
  ValidationSpec spec;
  spec.split = kind;
  spec.folds = folds;
  spec.seed = seed;
  spec.gap = gap;
  return spec;
}

SplitInputs Rows(size_t n) {
  SplitInputs in;
  in.rows = n;
  return in;
}

SplitInputs ByClass(const std::vector<double>& classes) {
  SplitInputs in = Rows(classes.size());
  in.classes = classes;
  return in;
}

SplitInputs ByGroup(const std::vector<int64_t>& groups) {
  SplitInputs in = Rows(groups.size());
  in.groups = groups;
  return in;
}

SplitInputs ByTime(const std::vector<double>& times) {
  SplitInputs in = Rows(times.size());
  in.times = times;
  return in;
}

std::vector<Fold> Folds(const ValidationSpec& spec, const SplitInputs& inputs) {
  Result<std::vector<Fold>> folds = MakeFolds(spec, inputs);
  EXPECT_TRUE(folds.ok()) << folds.status().message();
  return folds.ok() ? *folds : std::vector<Fold>{};
}

// Class i % classes for row i, unless `sizes` gives each class's row count (laid out in order).
std::vector<double> Classes(const std::vector<size_t>& sizes) {
  std::vector<double> out;
  for (size_t c = 0; c < sizes.size(); ++c) out.insert(out.end(), sizes[c], static_cast<double>(c));
  return out;
}

// Every fold's parts are sorted, disjoint, and within 0..rows-1.
void ExpectWellFormed(const std::vector<Fold>& folds, size_t rows) {
  for (const Fold& f : folds) {
    EXPECT_TRUE(std::is_sorted(f.train.begin(), f.train.end()));
    EXPECT_TRUE(std::is_sorted(f.test.begin(), f.test.end()));
    EXPECT_TRUE(std::adjacent_find(f.train.begin(), f.train.end()) == f.train.end());
    EXPECT_TRUE(std::adjacent_find(f.test.begin(), f.test.end()) == f.test.end());
    std::vector<size_t> both;
    std::set_intersection(f.train.begin(), f.train.end(), f.test.begin(), f.test.end(),
                          std::back_inserter(both));
    EXPECT_TRUE(both.empty());
    ASSERT_FALSE(f.test.empty());
    if (!f.train.empty()) {
      EXPECT_LT(f.train.back(), rows);
    }
    EXPECT_LT(f.test.back(), rows);
  }
}

// The test parts partition 0..rows-1 and each train part is the complement of its test part.
void ExpectPartition(const std::vector<Fold>& folds, size_t rows) {
  ExpectWellFormed(folds, rows);
  std::vector<int> seen(rows, 0);
  for (const Fold& f : folds) {
    for (size_t r : f.test) ++seen[r];
    EXPECT_EQ(f.train.size() + f.test.size(), rows);
  }
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
}

std::vector<size_t> TestSizes(const std::vector<Fold>& folds) {
  std::vector<size_t> sizes;
  for (const Fold& f : folds) sizes.push_back(f.test.size());
  return sizes;
}

size_t Spread(const std::vector<size_t>& counts) {
  const auto [lo, hi] = std::minmax_element(counts.begin(), counts.end());
  return *hi - *lo;
}

// ----- k-fold ---------------------------------------------------------------------------------

TEST(KFoldSplit, TestPartsPartitionTheRows) {
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kKFold, 5), Rows(103));
  ASSERT_EQ(folds.size(), 5u);
  ExpectPartition(folds, 103);
  EXPECT_EQ(TestSizes(folds), (std::vector<size_t>{21, 21, 21, 20, 20}));
}

TEST(KFoldSplit, SameSeedGivesSameFolds) {
  const std::vector<Fold> a = Folds(Spec(SplitKind::kKFold, 4, 7), Rows(50));
  const std::vector<Fold> b = Folds(Spec(SplitKind::kKFold, 4, 7), Rows(50));
  ASSERT_EQ(a.size(), b.size());
  for (size_t f = 0; f < a.size(); ++f) EXPECT_EQ(a[f].test, b[f].test);
}

TEST(KFoldSplit, AnotherSeedGivesOtherFolds) {
  const std::vector<Fold> a = Folds(Spec(SplitKind::kKFold, 4, 7), Rows(50));
  const std::vector<Fold> b = Folds(Spec(SplitKind::kKFold, 4, 8), Rows(50));
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(a[0].test, b[0].test);
}

TEST(KFoldSplit, RowsAreShuffled) {
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kKFold, 2), Rows(100));
  ASSERT_EQ(folds.size(), 2u);
  EXPECT_NE(folds[0].test.back() - folds[0].test.front(), 49u);
}

// The folds for a fixed seed never change, on any platform: they are pinned here.
TEST(KFoldSplit, FoldsForASeedArePinned) {
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kKFold, 3, 42), Rows(9));
  ASSERT_EQ(folds.size(), 3u);
  const std::vector<std::vector<size_t>> pinned = {folds[0].test, folds[1].test, folds[2].test};
  // Computed by a separate Python implementation of the standard's mt19937_64 and the same
  // Fisher–Yates loop; a change here changes every user's folds.
  EXPECT_EQ(pinned, (std::vector<std::vector<size_t>>{{2, 4, 8}, {1, 6, 7}, {0, 3, 5}}));
}

TEST(KFoldSplit, OneFoldIsAConfigError) {
  Result<std::vector<Fold>> folds = MakeFolds(Spec(SplitKind::kKFold, 1), Rows(10));
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kConfig);
  EXPECT_NE(folds.status().message().find("validation.folds"), std::string::npos);
}

TEST(KFoldSplit, MoreFoldsThanRowsIsAConfigError) {
  Result<std::vector<Fold>> folds = MakeFolds(Spec(SplitKind::kKFold, 6), Rows(5));
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kConfig);
  EXPECT_NE(folds.status().message().find("at most 5"), std::string::npos);
}

// ----- stratified k-fold ----------------------------------------------------------------------

// Per-class count of each fold's test part: counts[class][fold].
std::vector<std::vector<size_t>> ClassCounts(const std::vector<Fold>& folds,
                                             const std::vector<double>& classes, size_t k) {
  std::vector<std::vector<size_t>> counts(k, std::vector<size_t>(folds.size(), 0));
  for (size_t f = 0; f < folds.size(); ++f) {
    for (size_t r : folds[f].test) ++counts[static_cast<size_t>(classes[r])][f];
  }
  return counts;
}

TEST(StratifiedKFoldSplit, EachClassSpreadsEvenlyOverTheFolds) {
  const std::vector<double> classes = Classes({37, 11, 52, 3});
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kStratifiedKFold, 5), ByClass(classes));
  ASSERT_EQ(folds.size(), 5u);
  ExpectWellFormed(folds, classes.size());
  for (const auto& per_fold : ClassCounts(folds, classes, 4)) EXPECT_LE(Spread(per_fold), 1u);
}

TEST(StratifiedKFoldSplit, FoldSizesDifferByAtMostOne) {
  const std::vector<double> classes = Classes({37, 11, 52, 3});
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kStratifiedKFold, 5), ByClass(classes));
  ExpectPartition(folds, classes.size());
  EXPECT_LE(Spread(TestSizes(folds)), 1u);
}

TEST(StratifiedKFoldSplit, ClassesInterleavedInTheRowsStillBalance) {
  std::vector<double> classes;
  for (size_t i = 0; i < 200; ++i) classes.push_back(i % 7 == 0 ? 1 : i % 3 == 0 ? 2 : 0);
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kStratifiedKFold, 3, 9), ByClass(classes));
  ExpectPartition(folds, classes.size());
  for (const auto& per_fold : ClassCounts(folds, classes, 3)) EXPECT_LE(Spread(per_fold), 1u);
}

TEST(StratifiedKFoldSplit, SeedChangesMembershipButNotBalance) {
  const std::vector<double> classes = Classes({40, 60});
  const SplitInputs in = ByClass(classes);
  const std::vector<Fold> a = Folds(Spec(SplitKind::kStratifiedKFold, 4, 1), in);
  const std::vector<Fold> b = Folds(Spec(SplitKind::kStratifiedKFold, 4, 1), in);
  const std::vector<Fold> c = Folds(Spec(SplitKind::kStratifiedKFold, 4, 2), in);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].test, b[0].test);
  EXPECT_NE(a[0].test, c[0].test);
  EXPECT_EQ(TestSizes(a), TestSizes(c));
}

TEST(StratifiedKFoldSplit, ClassRarerThanFoldsIsAllowed) {
  const std::vector<double> classes = Classes({20, 2});
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kStratifiedKFold, 5), ByClass(classes));
  ExpectPartition(folds, classes.size());
}

TEST(StratifiedKFoldSplit, WrongClassCountIsAUsageError) {
  const std::vector<double> classes = {0, 1, 0};
  SplitInputs in = ByClass(classes);
  in.rows = 4;
  Result<std::vector<Fold>> folds = MakeFolds(Spec(SplitKind::kStratifiedKFold, 2), in);
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kUsage);
}

TEST(StratifiedKFoldSplit, MissingClassIsAUsageError) {
  const std::vector<double> classes = {0, 1, std::numeric_limits<double>::quiet_NaN(), 1};
  Result<std::vector<Fold>> folds =
      MakeFolds(Spec(SplitKind::kStratifiedKFold, 2), ByClass(classes));
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kUsage);
  EXPECT_NE(folds.status().message().find("classes[2]"), std::string::npos);
}

// ----- group k-fold ---------------------------------------------------------------------------

std::vector<int64_t> GroupsOfSizes(const std::vector<size_t>& sizes) {
  std::vector<int64_t> groups;
  for (size_t g = 0; g < sizes.size(); ++g) groups.insert(groups.end(), sizes[g], 100 + g);
  // Interleave so that a group's rows are not contiguous.
  std::vector<int64_t> mixed;
  for (size_t stride = 0; stride < 3; ++stride) {
    for (size_t i = stride; i < groups.size(); i += 3) mixed.push_back(groups[i]);
  }
  return mixed;
}

TEST(GroupKFoldSplit, GroupsNeverStraddleFolds) {
  const std::vector<int64_t> groups = GroupsOfSizes({9, 4, 7, 1, 12, 3, 5, 8});
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kGroupKFold, 3), ByGroup(groups));
  ASSERT_EQ(folds.size(), 3u);
  ExpectPartition(folds, groups.size());
  std::map<int64_t, size_t> fold_of_group;
  for (size_t f = 0; f < folds.size(); ++f) {
    for (size_t r : folds[f].test) {
      const auto [it, inserted] = fold_of_group.emplace(groups[r], f);
      EXPECT_EQ(it->second, f) << "group " << groups[r];
    }
  }
}

TEST(GroupKFoldSplit, LargestGroupsGoToTheLightestFold) {
  // 12 -> fold 0, 9 -> 1, 8 -> 2, 7 -> 2 (8), 5 -> 1 (9), 4 -> 2 (15)...
  const std::vector<int64_t> groups = GroupsOfSizes({9, 4, 7, 1, 12, 3, 5, 8});
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kGroupKFold, 3), ByGroup(groups));
  EXPECT_EQ(TestSizes(folds), (std::vector<size_t>{16, 17, 16}));
}

TEST(GroupKFoldSplit, DoesNotDependOnTheSeed) {
  const std::vector<int64_t> groups = GroupsOfSizes({3, 3, 2, 2, 5, 1});
  const SplitInputs in = ByGroup(groups);
  const std::vector<Fold> a = Folds(Spec(SplitKind::kGroupKFold, 3, 1), in);
  const std::vector<Fold> b = Folds(Spec(SplitKind::kGroupKFold, 3, 2), in);
  ASSERT_EQ(a.size(), b.size());
  for (size_t f = 0; f < a.size(); ++f) EXPECT_EQ(a[f].test, b[f].test);
}

TEST(GroupKFoldSplit, FewerGroupsThanFoldsIsAConfigError) {
  const std::vector<int64_t> groups = {1, 1, 2, 2, 2};
  Result<std::vector<Fold>> folds = MakeFolds(Spec(SplitKind::kGroupKFold, 3), ByGroup(groups));
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kConfig);
  EXPECT_NE(folds.status().message().find("2 distinct groups"), std::string::npos);
  EXPECT_NE(folds.status().message().find("validation.split: group_kfold"), std::string::npos);
}

TEST(GroupKFoldSplit, MissingGroupsIsAUsageError) {
  Result<std::vector<Fold>> folds = MakeFolds(Spec(SplitKind::kGroupKFold, 2), Rows(4));
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kUsage);
}

// ----- time series ----------------------------------------------------------------------------

TEST(TimeSeriesSplit, TrainAlwaysPrecedesTest) {
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kTimeSeries, 4, 42, 2), Rows(50));
  ASSERT_EQ(folds.size(), 4u);
  ExpectWellFormed(folds, 50);
  for (const Fold& f : folds) EXPECT_EQ(f.train.back() + 3, f.test.front());
  EXPECT_EQ(folds.back().test.back(), 49u);
}

TEST(TimeSeriesSplit, RowsAreOrderedByTheirTimes) {
  // Row r has time (r * 7) % 20: every time once, out of order.
  std::vector<double> times;
  for (size_t r = 0; r < 20; ++r) times.push_back(static_cast<double>((r * 7) % 20));
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kTimeSeries, 3), ByTime(times));
  ASSERT_EQ(folds.size(), 3u);
  ExpectWellFormed(folds, times.size());
  for (const Fold& f : folds) {
    double latest_train = -1;
    for (size_t r : f.train) latest_train = std::max(latest_train, times[r]);
    for (size_t r : f.test) EXPECT_LT(latest_train, times[r]);
  }
}

TEST(TimeSeriesSplit, EqualTimesNeverStraddleABoundary) {
  // Ten days of three rows each: a test fold of n / 4 = 7 rows would cut a day in two.
  std::vector<double> times;
  for (size_t r = 0; r < 30; ++r) times.push_back(static_cast<double>(r / 3));
  const std::vector<Fold> folds = Folds(Spec(SplitKind::kTimeSeries, 3), ByTime(times));
  ASSERT_EQ(folds.size(), 3u);
  ExpectWellFormed(folds, times.size());
  for (const Fold& f : folds) {
    std::set<double> train_times, test_times;
    for (size_t r : f.train) train_times.insert(times[r]);
    for (size_t r : f.test) test_times.insert(times[r]);
    EXPECT_LT(*train_times.rbegin(), *test_times.begin());
    for (double t : test_times) {
      EXPECT_EQ(
          std::count(times.begin(), times.end(), t),
          std::count_if(f.test.begin(), f.test.end(), [&](size_t r) { return times[r] == t; }));
    }
  }
}

TEST(TimeSeriesSplit, TooFewDistinctTimesIsAConfigError) {
  const std::vector<double> times = {1, 1, 1, 2, 2, 2, 3, 3, 3};
  Result<std::vector<Fold>> folds = MakeFolds(Spec(SplitKind::kTimeSeries, 3), ByTime(times));
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kConfig);
  EXPECT_NE(folds.status().message().find("3 distinct times"), std::string::npos);
}

TEST(TimeSeriesSplit, GapThatLeavesNoTrainingIsAConfigError) {
  Result<std::vector<Fold>> folds = MakeFolds(Spec(SplitKind::kTimeSeries, 3, 42, 5), Rows(20));
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kConfig);
  EXPECT_NE(folds.status().message().find("validation.gap"), std::string::npos);
}

TEST(TimeSeriesSplit, NegativeGapIsAConfigError) {
  Result<std::vector<Fold>> folds = MakeFolds(Spec(SplitKind::kTimeSeries, 3, 42, -1), Rows(20));
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kConfig);
}

TEST(TimeSeriesSplit, MissingTimeIsAUsageError) {
  const std::vector<double> times = {1, 2, std::numeric_limits<double>::quiet_NaN(), 4, 5};
  Result<std::vector<Fold>> folds = MakeFolds(Spec(SplitKind::kTimeSeries, 2), ByTime(times));
  ASSERT_FALSE(folds.ok());
  EXPECT_EQ(folds.status().code(), ErrorCode::kUsage);
}

// ----- scikit-learn as the reference ----------------------------------------------------------

bool HasSklearn() {
  return testing::PeerHas("sklearn, numpy");
}

nlohmann::json AskSklearn(const nlohmann::json& request) {
  return testing::AskPeer("sklearn_splits.py", request);
}

void ExpectSameFolds(const std::vector<Fold>& kiln, const nlohmann::json& sklearn,
                     const std::string& label) {
  ASSERT_TRUE(sklearn.contains("folds")) << label << ": " << sklearn.dump();
  ASSERT_EQ(kiln.size(), sklearn["folds"].size()) << label;
  for (size_t f = 0; f < kiln.size(); ++f) {
    EXPECT_EQ(kiln[f].train, sklearn["folds"][f]["train"].get<std::vector<size_t>>())
        << label << " fold " << f;
    EXPECT_EQ(kiln[f].test, sklearn["folds"][f]["test"].get<std::vector<size_t>>())
        << label << " fold " << f;
  }
}

TEST(TimeSeriesSplit, EqualsScikitLearnWithAndWithoutGap) {
  if (!HasSklearn()) GTEST_SKIP() << "scikit-learn is not installed for /usr/bin/python3";
  struct Shape {
    size_t rows;
    int folds;
    int gap;
  };
  const std::vector<Shape> shapes = {{10, 2, 0}, {11, 3, 0},   {100, 5, 0}, {103, 4, 0},
                                     {57, 5, 2}, {100, 3, 10}, {20, 4, 3},  {1000, 7, 1}};
  nlohmann::json request;
  for (const Shape& s : shapes) {
    request["cases"].push_back(
        {{"kind", "time_series"}, {"rows", s.rows}, {"folds", s.folds}, {"gap", s.gap}});
  }
  const nlohmann::json answer = AskSklearn(request);
  ASSERT_FALSE(answer.is_discarded()) << "sklearn_splits.py wrote no JSON";
  for (size_t i = 0; i < shapes.size(); ++i) {
    const Shape& s = shapes[i];
    const std::vector<Fold> folds =
        Folds(Spec(SplitKind::kTimeSeries, s.folds, 42, s.gap), Rows(s.rows));
    ExpectSameFolds(folds, answer["cases"][i],
                    "rows " + std::to_string(s.rows) + " folds " + std::to_string(s.folds) +
                        " gap " + std::to_string(s.gap));
  }
}

TEST(GroupKFoldSplit, EqualsScikitLearnWhenGroupSizesDiffer) {
  if (!HasSklearn()) GTEST_SKIP() << "scikit-learn is not installed for /usr/bin/python3";
  // Distinct sizes: scikit-learn's order of equal-sized groups is left to an unstable sort.
  const std::vector<std::vector<size_t>> cases = {
      {9, 4, 7, 1, 12, 3, 5, 8}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {40, 2, 17, 6, 25}};
  const std::vector<int> fold_counts = {3, 4, 2};
  nlohmann::json request;
  std::vector<std::vector<int64_t>> groups;
  for (size_t i = 0; i < cases.size(); ++i) {
    groups.push_back(GroupsOfSizes(cases[i]));
    request["cases"].push_back(
        {{"kind", "group_kfold"}, {"groups", groups.back()}, {"folds", fold_counts[i]}});
  }
  const nlohmann::json answer = AskSklearn(request);
  ASSERT_FALSE(answer.is_discarded()) << "sklearn_splits.py wrote no JSON";
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::vector<Fold> folds =
        Folds(Spec(SplitKind::kGroupKFold, fold_counts[i]), ByGroup(groups[i]));
    ExpectSameFolds(folds, answer["cases"][i], "case " + std::to_string(i));
  }
}

}  // namespace
}  // namespace kiln
