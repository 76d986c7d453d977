// Tests for the metric registry and the curves (evaluate/metrics.h) on small hand-checked
// predictions. sklearn_peer_test.cc compares the same functions with scikit-learn at scale.
#include "evaluate/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace kiln {
namespace {

using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Predictions BinaryPredictions(std::vector<double> truth, std::vector<double> scores) {
  Predictions p;
  p.task = TaskType::kBinary;
  p.truth = std::move(truth);
  p.scores = std::move(scores);
  return p;
}

Predictions RegressionPredictions(std::vector<double> truth, std::vector<double> scores) {
  Predictions p;
  p.task = TaskType::kRegression;
  p.truth = std::move(truth);
  p.scores = std::move(scores);
  return p;
}

double Metric(std::string_view name, const Predictions& p, const MetricParams& params = {}) {
  Result<double> value = ComputeMetric(name, p, params);
  EXPECT_TRUE(value.ok()) << name << ": " << value.status().message();
  return value.ok() ? *value : std::nan("");
}

TEST(Metrics, EveryConfigMetricIsRegisteredWithTheSameDirection) {
  for (const MetricInfo& info : KnownMetrics()) {
    ASSERT_TRUE(DirectionOf(info.name).has_value()) << info.name;
    EXPECT_EQ(*DirectionOf(info.name), info.direction) << info.name;
  }
}

TEST(Metrics, ConfigTaskApplicabilityMatchesTheRegistry) {
  for (const MetricInfo& info : KnownMetrics()) {
    for (TaskType task : {TaskType::kBinary, TaskType::kMulticlass, TaskType::kRegression}) {
      const std::vector<std::string> names = MetricNamesFor(task);
      const bool listed = std::find(names.begin(), names.end(), info.name) != names.end();
      EXPECT_EQ(listed, MetricAppliesTo(info, task)) << info.name << " " << TaskTypeName(task);
    }
  }
}

TEST(Metrics, UnknownNameIsAUsageErrorListingTheTaskMetrics) {
  const Result<double> value = ComputeMetric("aucroc", BinaryPredictions({0, 1}, {0.2, 0.8}));
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), ErrorCode::kUsage);
  EXPECT_THAT(value.status().message(), HasSubstr("roc_auc"));
}

TEST(Metrics, MetricOfAnotherTaskIsAUsageError) {
  const Result<double> value = ComputeMetric("rmse", BinaryPredictions({0, 1}, {0.2, 0.8}));
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), ErrorCode::kUsage);
}

TEST(Metrics, RocAucCountsTiesAsOneHalf) {
  // One positive-negative pair tied at 0.5 out of four pairs, the rest ordered correctly.
  EXPECT_DOUBLE_EQ(Metric("roc_auc", BinaryPredictions({0, 0, 1, 1}, {0.1, 0.5, 0.5, 0.9})), 0.875);
}

TEST(Metrics, RocAucWithOneClassIsADataErrorSayingSo) {
  const Result<double> value =
      ComputeMetric("roc_auc", BinaryPredictions({1, 1, 1}, {0.2, 0.4, 0.9}));
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), ErrorCode::kData);
  EXPECT_THAT(value.status().message(),
              HasSubstr("only one class is present in the truth (3 rows, all class 1)"));
}

TEST(Metrics, PrecisionWithNothingPredictedPositiveIsZero) {
  Predictions p = BinaryPredictions({0, 1, 1}, {0.1, 0.2, 0.3});
  EXPECT_EQ(Metric("precision", p), 0.0);
  EXPECT_EQ(Metric("f1", p), 0.0);
}

TEST(Metrics, ThresholdDecidesThePredictedClass) {
  Predictions p = BinaryPredictions({0, 1, 1, 0}, {0.2, 0.6, 0.4, 0.3});
  EXPECT_DOUBLE_EQ(Metric("accuracy", p), 0.75);
  p.threshold = 0.4;
  EXPECT_DOUBLE_EQ(Metric("accuracy", p), 1.0);
}

TEST(Metrics, WeightsScaleRows) {
  Predictions p = BinaryPredictions({0, 1}, {0.9, 0.9});
  p.weights = {1, 3};
  EXPECT_DOUBLE_EQ(Metric("accuracy", p), 0.75);
}

TEST(Metrics, LogLossClipsCertainMistakes) {
  const double loss = Metric("log_loss", BinaryPredictions({1, 0}, {0.0, 0.0}));
  EXPECT_TRUE(std::isfinite(loss));
  EXPECT_NEAR(loss, -std::log(2.220446049250313e-16) / 2, 1e-9);
}

TEST(Metrics, FBetaWeighsRecallByBeta) {
  // precision 1/2, recall 1: F2 = 5 * 0.5 / (4 * 0.5 + 1) = 5/6.
  Predictions p = BinaryPredictions({0, 1}, {0.7, 0.8});
  MetricParams params;
  params.beta = 2;
  EXPECT_DOUBLE_EQ(Metric("f_beta", p, params), 5.0 / 6.0);
}

TEST(Metrics, AveragePrecisionIsAnAliasOfPrAuc) {
  Predictions p = BinaryPredictions({0, 0, 1, 1}, {0.1, 0.4, 0.35, 0.8});
  EXPECT_DOUBLE_EQ(Metric("average_precision", p), Metric("pr_auc", p));
  EXPECT_NEAR(Metric("pr_auc", p), 0.8333333333333333, 1e-12);
}

TEST(Metrics, TopKAccuracyBreaksTiesTowardsTheHigherClass) {
  Predictions p;
  p.task = TaskType::kMulticlass;
  p.classes = 3;
  p.truth = {0, 2};
  p.scores = {0.2, 0.4, 0.4, 0.2, 0.4, 0.4};
  MetricParams params;
  params.k = 1;
  EXPECT_DOUBLE_EQ(Metric("top_k_accuracy", p, params), 0.5);
}

TEST(Metrics, TopKAccuracyNeedsK) {
  Predictions p;
  p.task = TaskType::kMulticlass;
  p.classes = 3;
  p.truth = {0};
  p.scores = {0.5, 0.3, 0.2};
  EXPECT_EQ(ComputeMetric("top_k_accuracy", p).status().code(), ErrorCode::kUsage);
}

TEST(Metrics, RegressionErrors) {
  Predictions p = RegressionPredictions({1, 2, 3, 4}, {1, 2, 5, 4});
  EXPECT_DOUBLE_EQ(Metric("mse", p), 1.0);
  EXPECT_DOUBLE_EQ(Metric("rmse", p), 1.0);
  EXPECT_DOUBLE_EQ(Metric("mae", p), 0.5);
  EXPECT_DOUBLE_EQ(Metric("median_ae", p), 0.0);
  EXPECT_DOUBLE_EQ(Metric("r2", p), 1 - 4.0 / 5.0);
}

TEST(Metrics, WeightedMedianAbsoluteErrorIsTheLowerWeightedMedian) {
  Predictions p = RegressionPredictions({0, 0, 0}, {1, 2, 3});
  p.weights = {1, 1, 2};
  EXPECT_DOUBLE_EQ(Metric("median_ae", p), 2.0);
}

TEST(Metrics, MismatchedScoresAreAUsageError) {
  Predictions p = BinaryPredictions({0, 1}, {0.5});
  EXPECT_EQ(ComputeMetric("accuracy", p).status().code(), ErrorCode::kUsage);
}

TEST(Metrics, TruthOutsideTheClassesIsADataError) {
  Predictions p = BinaryPredictions({0, 2}, {0.5, 0.5});
  EXPECT_EQ(ComputeMetric("accuracy", p).status().code(), ErrorCode::kData);
}

TEST(Metrics, ComputeAllMetricsLeavesOutUndefinedOnes) {
  const std::map<std::string, double> all =
      ComputeAllMetrics(BinaryPredictions({1, 1}, {0.3, 0.8}));
  EXPECT_EQ(all.count("roc_auc"), 0u);
  EXPECT_EQ(all.count("accuracy"), 1u);
}

TEST(Metrics, RocCurveKeepsOnlyCorners) {
  const Result<Curve> roc = RocCurve(BinaryPredictions({0, 0, 1, 1}, {0.1, 0.4, 0.35, 0.8}));
  ASSERT_TRUE(roc.ok());
  EXPECT_EQ(roc->x, (std::vector<double>{0, 0, 0.5, 0.5, 1}));
  EXPECT_EQ(roc->y, (std::vector<double>{0, 0.5, 0.5, 1, 1}));
  EXPECT_THAT(roc->thresholds, ElementsAre(DoubleEq(1.8), 0.8, 0.4, 0.35, 0.1));
}

TEST(Metrics, CalibrationPutsEdgeScoresInTheLowerBin) {
  const Result<Calibration> cal = CalibrationCurve(BinaryPredictions({0, 1}, {0.5, 0.55}), 2);
  ASSERT_TRUE(cal.ok());
  EXPECT_EQ(cal->counts, (std::vector<double>{1, 1}));
  EXPECT_DOUBLE_EQ(cal->ece, 0.5 * 0.5 + 0.5 * 0.45);
}

TEST(Metrics, WeightedCalibrationCountsWeight) {
  Predictions p = BinaryPredictions({0, 1}, {0.2, 0.3});
  p.weights = {3, 1};
  const Result<Calibration> cal = CalibrationCurve(p, 1);
  ASSERT_TRUE(cal.ok());
  EXPECT_EQ(cal->counts, (std::vector<double>{4}));
  EXPECT_DOUBLE_EQ(cal->fraction_positive[0], 0.25);
  EXPECT_DOUBLE_EQ(cal->mean_predicted[0], 0.9 / 4);
}

TEST(Metrics, ConfusionMatrixRowsAreTruth) {
  const auto cm = ConfusionMatrix(BinaryPredictions({0, 1, 1}, {0.7, 0.9, 0.1}));
  EXPECT_EQ(cm, (std::vector<std::vector<double>>{{0, 1}, {1, 1}}));
}

}  // namespace
}  // namespace kiln
