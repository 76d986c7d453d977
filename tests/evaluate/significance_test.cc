// Tests for bootstrap intervals, the paired bootstrap and DeLong's test (evaluate/significance.h).
// sklearn_peer_test.cc checks DeLong's z and p-value against an independent numpy reference.
#include "evaluate/significance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "evaluate/metrics.h"

namespace kiln {
namespace {

// `n` rows of a binary task whose scores separate the classes by `signal` (0 = noise).
Predictions Scored(size_t n, double signal, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 1);
  Predictions p;
  for (size_t i = 0; i < n; ++i) {
    const double y = i % 2 == 0 ? 1 : 0;
    p.truth.push_back(y);
    p.scores.push_back(1 / (1 + std::exp(-(signal * (2 * y - 1) + noise(rng)))));
  }
  return p;
}

Predictions WithTruthOf(const Predictions& truth, uint64_t seed, double signal) {
  Predictions p = Scored(truth.rows(), signal, seed);
  p.truth = truth.truth;
  return p;
}

TEST(Significance, BootstrapIntervalContainsTheValue) {
  const Predictions p = Scored(400, 1.0, 1);
  const Result<Interval> interval = BootstrapInterval("roc_auc", p, {}, 200);
  ASSERT_TRUE(interval.ok()) << interval.status().message();
  EXPECT_LT(interval->low, interval->value);
  EXPECT_GT(interval->high, interval->value);
  EXPECT_EQ(interval->resamples, 200);
}

TEST(Significance, BootstrapIsReproducibleForASeed) {
  const Predictions p = Scored(200, 0.5, 2);
  const Result<Interval> a = BootstrapInterval("accuracy", p, {}, 100, 0.9, 7);
  const Result<Interval> b = BootstrapInterval("accuracy", p, {}, 100, 0.9, 7);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->low, b->low);
  EXPECT_EQ(a->high, b->high);
}

TEST(Significance, BootstrapSkipsResamplesWhereTheMetricIsUndefined) {
  // Two rows: a quarter of the resamples of {0, 1} draw both rows of the same class.
  Predictions p;
  p.truth = {0, 1};
  p.scores = {0.2, 0.8};
  const Result<Interval> interval = BootstrapInterval("roc_auc", p, {}, 400);
  ASSERT_TRUE(interval.ok());
  EXPECT_LT(interval->resamples, 400);
  EXPECT_GT(interval->resamples, 100);
}

TEST(Significance, PairedBootstrapFindsAClearlyBetterCandidate) {
  const Predictions baseline = Scored(600, 0.1, 3);
  const Predictions candidate = WithTruthOf(baseline, 4, 1.5);
  const Result<Comparison> c = PairedBootstrap("roc_auc", candidate, baseline, {}, 300);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->method, "paired_bootstrap");
  EXPECT_GT(c->difference, 0);
  EXPECT_TRUE(c->significant);
  EXPECT_DOUBLE_EQ(c->p_value, 1.0 / 301.0);
}

TEST(Significance, PairedBootstrapSignsLowerIsBetterMetrics) {
  const Predictions baseline = Scored(600, 0.1, 5);
  const Predictions candidate = WithTruthOf(baseline, 6, 1.5);
  const Result<Comparison> c = PairedBootstrap("log_loss", candidate, baseline, {}, 200);
  ASSERT_TRUE(c.ok());
  EXPECT_LT(c->candidate, c->baseline);
  EXPECT_DOUBLE_EQ(c->difference, c->baseline - c->candidate);
  EXPECT_TRUE(c->significant);
}

TEST(Significance, PairedBootstrapOfAModelAgainstItselfIsNotSignificant) {
  const Predictions p = Scored(300, 1.0, 8);
  const Result<Comparison> c = PairedBootstrap("accuracy", p, p, {}, 100);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->p_value, 1.0);
  EXPECT_FALSE(c->significant);
}

TEST(Significance, PairedBootstrapRefusesDifferentTruth) {
  const Predictions a = Scored(50, 1.0, 9);
  Predictions b = a;
  b.truth[3] = 1 - b.truth[3];
  EXPECT_EQ(PairedBootstrap("accuracy", a, b).status().code(), ErrorCode::kUsage);
}

TEST(Significance, DeLongAgreesWithTheBootstrapOnAClearDifference) {
  const Predictions baseline = Scored(500, 0.2, 10);
  const Predictions candidate = WithTruthOf(baseline, 11, 1.2);
  const Result<Comparison> c = DeLongTest(candidate, baseline);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->method, "delong");
  EXPECT_GT(c->z, 3);
  EXPECT_TRUE(c->significant);
  EXPECT_LT(c->low, c->difference);
  EXPECT_GT(c->low, 0);
}

TEST(Significance, DeLongAucEqualsTheMetric) {
  const Predictions baseline = Scored(101, 0.3, 12);
  const Predictions candidate = WithTruthOf(baseline, 13, 0.6);
  const Result<Comparison> c = DeLongTest(candidate, baseline);
  ASSERT_TRUE(c.ok());
  EXPECT_NEAR(c->candidate, *ComputeMetric("roc_auc", candidate), 1e-12);
  EXPECT_NEAR(c->baseline, *ComputeMetric("roc_auc", baseline), 1e-12);
}

TEST(Significance, DeLongRefusesWeights) {
  Predictions p = Scored(20, 1.0, 14);
  p.weights.assign(20, 1.0);
  EXPECT_EQ(DeLongTest(p, p).status().code(), ErrorCode::kUsage);
}

TEST(Significance, DeLongOfIdenticalModelsIsNotSignificant) {
  const Predictions p = Scored(40, 1.0, 15);
  const Result<Comparison> c = DeLongTest(p, p);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->p_value, 1.0);
  EXPECT_FALSE(c->significant);
}

// BootstrapIntervals must give, metric for metric, what BootstrapInterval gives with the same
// seed: the one-sweep binary path and the per-metric path see the same resamples.
void ExpectIntervalsMatchOneByOne(const Predictions& p, int resamples) {
  const std::map<std::string, double> all = ComputeAllMetrics(p);
  std::vector<std::string> names;
  for (const auto& entry : all) names.push_back(entry.first);
  MetricParams params;
  params.k = kReportTopK;
  const Result<std::map<std::string, Interval>> together =
      BootstrapIntervals(names, p, params, resamples, 0.95, 11);
  ASSERT_TRUE(together.ok()) << together.status().message();
  for (const std::string& name : names) {
    const Result<Interval> alone = BootstrapInterval(name, p, params, resamples, 0.95, 11);
    ASSERT_TRUE(alone.ok()) << name << ": " << alone.status().message();
    ASSERT_EQ(together->count(name), 1u) << name;
    const Interval& t = together->at(name);
    EXPECT_NEAR(t.value, alone->value, 1e-12) << name;
    EXPECT_NEAR(t.low, alone->low, 1e-9) << name;
    EXPECT_NEAR(t.high, alone->high, 1e-9) << name;
    EXPECT_EQ(t.resamples, alone->resamples) << name;
  }
}

TEST(Significance, BootstrapIntervalsEqualOneMetricAtATimeForBinary) {
  Predictions p = Scored(600, 0.8, 3);
  for (double& s : p.scores) s = std::round(s * 50) / 50;  // ties between scores
  p.threshold = 0.4;
  ExpectIntervalsMatchOneByOne(p, 150);
}

// Intervals from resamples drawn ahead, at the threshold chosen afterwards, equal the intervals
// drawn at that threshold directly, to the bit.
void ExpectPreparedMatches(Predictions p, double threshold, int resamples) {
  const std::map<std::string, double> all = ComputeAllMetrics(p);
  std::vector<std::string> names;
  for (const auto& entry : all) names.push_back(entry.first);
  p.threshold = 0.5;  // what is known when the resamples are drawn
  const std::shared_ptr<const PreparedResamples> prepared = PrepareResamples(p, resamples, 17);
  ASSERT_NE(prepared, nullptr);
  p.threshold = threshold;
  const auto direct = BootstrapIntervals(names, p, {}, resamples, 0.95, 17);
  const auto ahead = BootstrapIntervals(names, p, {}, resamples, 0.95, 17, prepared.get());
  ASSERT_TRUE(direct.ok()) << direct.status().message();
  ASSERT_TRUE(ahead.ok()) << ahead.status().message();
  ASSERT_EQ(direct->size(), ahead->size());
  for (const auto& [name, d] : *direct) {
    const Interval& a = ahead->at(name);
    EXPECT_EQ(a.value, d.value) << name;
    EXPECT_EQ(a.low, d.low) << name;
    EXPECT_EQ(a.high, d.high) << name;
    EXPECT_EQ(a.resamples, d.resamples) << name;
  }
}

TEST(Significance, PreparedResamplesGiveTheSameIntervalsAtAnyThreshold) {
  Predictions p = Scored(700, 0.9, 8);
  for (double threshold : {0.5, 0.31, 0.77, 0.0, 1.0}) ExpectPreparedMatches(p, threshold, 120);
  for (double& s : p.scores) s = std::round(s * 40) / 40;  // ties between scores
  for (double threshold : {0.5, 0.4, 0.625}) ExpectPreparedMatches(p, threshold, 120);
}

TEST(Significance, PreparedResamplesDoNotDependOnTheThreads) {
  Predictions p = Scored(500, 0.7, 13);
  const std::vector<std::string> names = {"roc_auc", "pr_auc", "f1", "mcc"};
  const auto one = PrepareResamples(p, 90, 5, 1);
  const auto three = PrepareResamples(p, 90, 5, 3);
  ASSERT_NE(one, nullptr);
  ASSERT_NE(three, nullptr);
  const auto a = BootstrapIntervals(names, p, {}, 90, 0.95, 5, one.get());
  const auto b = BootstrapIntervals(names, p, {}, 90, 0.95, 5, three.get());
  ASSERT_TRUE(a.ok() && b.ok());
  for (const std::string& name : names) {
    EXPECT_EQ(a->at(name).low, b->at(name).low) << name;
    EXPECT_EQ(a->at(name).high, b->at(name).high) << name;
  }
}

TEST(Significance, PreparedResamplesFallBackWhereAClassIsMissing) {
  // Six rows: some resamples hold one class only, where the ranking metrics are undefined.
  ExpectPreparedMatches(Scored(6, 0.5, 9), 0.45, 300);
}

TEST(Significance, PreparedResamplesAreIgnoredWhenTheyDoNotMatch) {
  Predictions p = Scored(300, 1.0, 10);
  const auto prepared = PrepareResamples(p, 100, 17);
  ASSERT_NE(prepared, nullptr);
  const std::vector<std::string> names = {"roc_auc", "f1"};
  Predictions other = Scored(300, 0.3, 11);
  const auto direct = BootstrapIntervals(names, other, {}, 100, 0.95, 17);
  const auto ahead = BootstrapIntervals(names, other, {}, 100, 0.95, 17, prepared.get());
  const auto other_seed = BootstrapIntervals(names, p, {}, 100, 0.95, 18, prepared.get());
  const auto direct_seed = BootstrapIntervals(names, p, {}, 100, 0.95, 18);
  ASSERT_TRUE(direct.ok() && ahead.ok() && other_seed.ok() && direct_seed.ok());
  for (const std::string& name : names) {
    EXPECT_EQ(ahead->at(name).low, direct->at(name).low) << name;
    EXPECT_EQ(other_seed->at(name).high, direct_seed->at(name).high) << name;
  }
}

TEST(Significance, PreparedResamplesNeedAnUnweightedBinaryTask) {
  Predictions weighted = Scored(100, 1.0, 12);
  weighted.weights.assign(100, 2.0);
  EXPECT_EQ(PrepareResamples(weighted, 50, 1), nullptr);
  Predictions regression = Scored(100, 1.0, 12);
  regression.task = TaskType::kRegression;
  EXPECT_EQ(PrepareResamples(regression, 50, 1), nullptr);
  EXPECT_EQ(PrepareResamples(Scored(100, 1.0, 12), 0, 1), nullptr);
}

TEST(Significance, BootstrapIntervalsEqualOneMetricAtATimeWithWeights) {
  Predictions p = Scored(500, 1.2, 4);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> w(0.2, 3.0);
  for (size_t i = 0; i < p.rows(); ++i) p.weights.push_back(i % 11 == 0 ? 0.0 : w(rng));
  ExpectIntervalsMatchOneByOne(p, 150);
}

TEST(Significance, BootstrapIntervalsEqualOneMetricAtATimeOnTinyData) {
  // Few positives: some resamples hold one class and take the per-metric path.
  Predictions p = Scored(40, 0.5, 6);
  for (size_t i = 0; i < p.rows(); ++i) p.truth[i] = i < 3 ? 1 : 0;
  ExpectIntervalsMatchOneByOne(p, 200);
}

TEST(Significance, BootstrapIntervalsEqualOneMetricAtATimeForRegression) {
  Predictions p = Scored(300, 1.0, 7);
  p.task = TaskType::kRegression;
  for (size_t i = 0; i < p.rows(); ++i) p.truth[i] = p.scores[i] * 10 + static_cast<double>(i % 7);
  ExpectIntervalsMatchOneByOne(p, 100);
}

}  // namespace
}  // namespace kiln
