// Tests for choosing a binary decision threshold (evaluate/threshold.h) on small hand-checked
// predictions.
#include "evaluate/threshold.h"

#include <gtest/gtest.h>

#include <vector>

namespace kiln {
namespace {

// Scores 0.9 .. 0.1; the positives sit at 0.9, 0.8, 0.6 and 0.3.
Predictions Ranked() {
  Predictions p;
  p.truth = {1, 1, 0, 1, 0, 0, 1, 0, 0};
  p.scores = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1};
  return p;
}

ThresholdObjective Objective(std::string kind) {
  ThresholdObjective o;
  o.kind = std::move(kind);
  return o;
}

TEST(Threshold, FixedReportsTheFiguresAtTheGivenThreshold) {
  ThresholdObjective o = Objective("fixed");
  o.threshold = 0.55;
  const Result<ThresholdChoice> c = ChooseThreshold(Ranked(), o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_DOUBLE_EQ(c->threshold, 0.55);
  EXPECT_DOUBLE_EQ(c->precision, 0.75);
  EXPECT_DOUBLE_EQ(c->recall, 0.75);
}

TEST(Threshold, MaxF1PicksTheBestDistinctScore) {
  // At 0.6: precision 3/4, recall 3/4, F1 0.75; at 0.3: 4/7 and 1, F1 0.727.
  const Result<ThresholdChoice> c = ChooseThreshold(Ranked(), Objective("max_f1"));
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->threshold, 0.6);
  EXPECT_DOUBLE_EQ(c->f1, 0.75);
}

TEST(Threshold, MaxRecallHonoursThePrecisionFloor) {
  ThresholdObjective o = Objective("max_recall");
  o.min_precision = 0.7;
  const Result<ThresholdChoice> c = ChooseThreshold(Ranked(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->threshold, 0.6);
  EXPECT_DOUBLE_EQ(c->recall, 0.75);
  EXPECT_TRUE(c->constraint_met);
}

TEST(Threshold, MaxPrecisionHonoursTheRecallFloor) {
  ThresholdObjective o = Objective("max_precision");
  o.min_recall = 0.5;
  const Result<ThresholdChoice> c = ChooseThreshold(Ranked(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->threshold, 0.8);
  EXPECT_DOUBLE_EQ(c->precision, 1.0);
}

TEST(Threshold, UnreachableFloorGivesTheBestEffortAndSaysSo) {
  ThresholdObjective o = Objective("max_recall");
  o.min_precision = 1.1;
  const Result<ThresholdChoice> c = ChooseThreshold(Ranked(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->constraint_met);
  EXPECT_DOUBLE_EQ(c->precision, 1.0);
  EXPECT_DOUBLE_EQ(c->threshold, 0.8);  // of the two points at precision 1, the higher recall
}

TEST(Threshold, MinCostWeighsMissesAgainstFalseAlarms) {
  ThresholdObjective o = Objective("min_cost");
  o.cost_false_negative = 10;
  o.cost_false_positive = 1;
  const Result<ThresholdChoice> c = ChooseThreshold(Ranked(), o);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->threshold, 0.3);  // catch every positive for 3 false alarms
  EXPECT_DOUBLE_EQ(c->cost, 3.0);
}

TEST(Threshold, WeightsCountInTheCost) {
  Predictions p = Ranked();
  p.weights.assign(p.rows(), 1.0);
  p.weights[6] = 0.1;  // the positive at 0.3 barely matters
  ThresholdObjective o = Objective("min_cost");
  o.cost_false_negative = 10;
  const Result<ThresholdChoice> c = ChooseThreshold(p, o);
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->threshold, 0.6);
  EXPECT_DOUBLE_EQ(c->cost, 1 + 10 * 0.1);
}

TEST(Threshold, UnknownObjectiveIsAUsageError) {
  EXPECT_EQ(ChooseThreshold(Ranked(), Objective("max_fun")).status().code(), ErrorCode::kUsage);
}

TEST(Threshold, RegressionIsAUsageError) {
  Predictions p = Ranked();
  p.task = TaskType::kRegression;
  EXPECT_EQ(ChooseThreshold(p, Objective("max_f1")).status().code(), ErrorCode::kUsage);
}

}  // namespace
}  // namespace kiln
