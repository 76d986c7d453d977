// Tests for the promotion gate (evaluate/gate.h): each condition passes or fails on its own and
// every failure is reported with its figures.
#include "evaluate/gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace kiln {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Binary predictions on the same rows; `signal` sets how well the scores separate the classes.
Predictions Binary(double signal, uint64_t seed, size_t n = 600) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 1);
  Predictions p;
  for (size_t i = 0; i < n; ++i) {
    const double y = i % 3 == 0 ? 1 : 0;
    p.truth.push_back(y);
    p.scores.push_back(1 / (1 + std::exp(-(signal * (2 * y - 1) + noise(rng)))));
  }
  return p;
}

ProblemSpec AucSpec(std::optional<double> threshold) {
  ProblemSpec spec;
  spec.task.type = TaskType::kBinary;
  spec.metrics.north_star.metric = "roc_auc";
  spec.metrics.north_star.threshold = threshold;
  return spec;
}

TEST(Gate, GoWhenEveryCheckPasses) {
  ProblemSpec spec = AucSpec(0.7);
  spec.metrics.guardrails.push_back({"accuracy", 0.6, std::nullopt, 0});
  const Result<GateDecision> d = DecideGate(spec, Binary(1.5, 1), Binary(0.2, 2));
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_TRUE(d->go);
  EXPECT_TRUE(d->reasons.empty());
  EXPECT_EQ(d->checks.size(), 3u);
}

TEST(Gate, NorthStarBelowItsThresholdIsReportedWithFigures) {
  const Predictions candidate = Binary(0.6, 3);
  const Result<GateDecision> d = DecideGate(AucSpec(0.99), candidate, Binary(0.0, 4));
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->go);
  const double auc = *ComputeMetric("roc_auc", candidate);
  EXPECT_THAT(d->reasons, ElementsAre(fmt::format(
                              "north star roc_auc {:.3f} is below the threshold 0.990", auc)));
  EXPECT_EQ(d->checks[0].name, "north_star roc_auc >= 0.99");
}

TEST(Gate, GuardrailOutsideItsLimitIsReported) {
  ProblemSpec spec = AucSpec(std::nullopt);
  spec.metrics.guardrails.push_back({"log_loss", std::nullopt, 0.01, 0});
  const Result<GateDecision> d = DecideGate(spec, Binary(1.5, 5), Binary(0.2, 6));
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->go);
  ASSERT_EQ(d->reasons.size(), 1u);
  EXPECT_THAT(d->reasons[0], HasSubstr("guardrail log_loss"));
  EXPECT_THAT(d->reasons[0], HasSubstr("is above the limit 0.010"));
}

TEST(Gate, CandidateNoBetterThanTheBaselineIsNoGo) {
  const Predictions same = Binary(1.0, 7);
  const Result<GateDecision> d = DecideGate(AucSpec(std::nullopt), same, same);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->go);
  ASSERT_EQ(d->reasons.size(), 1u);
  EXPECT_THAT(d->reasons[0], HasSubstr("does not beat the baseline significantly"));
}

TEST(Gate, UnweightedBinaryAucIsComparedWithDeLong) {
  const Result<GateDecision> d = DecideGate(AucSpec(std::nullopt), Binary(1.5, 8), Binary(0.2, 9));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->versus_baseline.method, "delong");
}

TEST(Gate, WeightedAucIsComparedWithThePairedBootstrap) {
  Predictions candidate = Binary(1.5, 10, 200), baseline = Binary(0.2, 11, 200);
  candidate.weights.assign(200, 2.0);
  baseline.weights = candidate.weights;
  const Result<GateDecision> d = DecideGate(AucSpec(std::nullopt), candidate, baseline);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->versus_baseline.method, "paired_bootstrap");
  EXPECT_TRUE(d->go);
}

TEST(Gate, LowerIsBetterNorthStarMustStayUnderItsThreshold) {
  ProblemSpec spec;
  spec.task.type = TaskType::kRegression;
  spec.metrics.north_star = {"rmse", MetricDirection::kLowerIsBetter, 0.5, 0};
  Predictions candidate, baseline;
  candidate.task = baseline.task = TaskType::kRegression;
  for (int i = 0; i < 100; ++i) {
    candidate.truth.push_back(i);
    candidate.scores.push_back(i + (i % 2 == 0 ? 1.0 : -1.0));
    baseline.scores.push_back(i + (i % 2 == 0 ? 3.0 : -3.0));
  }
  baseline.truth = candidate.truth;
  const Result<GateDecision> d = DecideGate(spec, candidate, baseline);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->go);
  EXPECT_THAT(d->reasons, ElementsAre("north star rmse 1.000 is above the limit 0.500"));
  EXPECT_GT(d->versus_baseline.difference, 0);  // the candidate's rmse is lower: better
}

TEST(Gate, TopKAccuracyUsesTheSpecK) {
  ProblemSpec spec;
  spec.task.type = TaskType::kMulticlass;
  spec.metrics.north_star = {"top_k_accuracy", MetricDirection::kHigherIsBetter, 0.9, 2};
  // The true class always ranks second: top-1 accuracy is 0, top-2 accuracy is 1.
  Predictions p;
  p.task = TaskType::kMulticlass;
  p.classes = 3;
  for (int i = 0; i < 30; ++i) {
    p.truth.push_back(i % 3);
    for (int c = 0; c < 3; ++c) {
      p.scores.push_back(c == (i + 1) % 3 ? 0.5 : c == i % 3 ? 0.3 : 0.2);
    }
  }
  const Result<GateDecision> d = DecideGate(spec, p, p);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_DOUBLE_EQ(d->checks[0].value, 1.0);
}

TEST(Gate, TaskMismatchIsAUsageError) {
  ProblemSpec spec = AucSpec(std::nullopt);
  spec.task.type = TaskType::kRegression;
  EXPECT_EQ(DecideGate(spec, Binary(1, 1), Binary(1, 2)).status().code(), ErrorCode::kUsage);
}

}  // namespace
}  // namespace kiln
