// Checks every metric, curve and confusion matrix against scikit-learn on randomised cases
// (binary, multiclass and regression; with ties, with and without weights, small and large, and
// with a class missing from the truth), and DeLong's test against an independent numpy reference.
// The cases go to tests/scripts/sklearn_metrics.py as JSON under /usr/bin/python3; the tests skip
// when sklearn is not installed there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "evaluate/metrics.h"
#include "evaluate/significance.h"
#include "test_util.h"

namespace kiln {
namespace {

constexpr double kTolerance = 1e-9;

bool HasSklearn() {
  return testing::PeerHas("sklearn, scipy, numpy");
}

// Equal to 1e-9, absolute for values near zero and relative otherwise.
bool Near(double kiln, double reference) {
  return std::abs(kiln - reference) <= kTolerance * std::max(1.0, std::abs(reference));
}

struct Case {
  std::string name;
  Predictions p;
  MetricParams params;
};

nlohmann::json ToJson(const Case& c) {
  nlohmann::json j;
  j["task"] = TaskTypeName(c.p.task);
  j["truth"] = c.p.truth;
  j["scores"] = c.p.scores;
  j["classes"] = c.p.classes;
  j["weights"] = c.p.weights.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.p.weights);
  j["threshold"] = c.p.threshold;
  j["k"] = c.params.k;
  j["beta"] = c.params.beta;
  return j;
}

// Runs the script on `request` and returns its answer (discarded JSON on failure, test failed).
nlohmann::json AskSklearn(const nlohmann::json& request) {
  return testing::AskPeer("sklearn_metrics.py", request);
}

// ----- Case generators ------------------------------------------------------------------------

double Round(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

std::vector<double> Weights(std::mt19937_64& rng, size_t n, bool with_zeros) {
  std::uniform_real_distribution<double> u(0.1, 3.0);
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = with_zeros && i % 7 == 3 ? 0.0 : u(rng);
  return w;
}

// Scores that carry signal: positives centre higher. `decimals` < 0 keeps them continuous.
Case Binary(std::string name, std::mt19937_64& rng, size_t n, int decimals, bool weighted,
            double positive_rate = 0.4) {
  Case c{std::move(name), {}, {}};
  c.p.task = TaskType::kBinary;
  std::bernoulli_distribution label(positive_rate);
  std::normal_distribution<double> noise(0, 1.2);
  for (size_t i = 0; i < n; ++i) {
    const double y = label(rng) ? 1 : 0;
    double s = 1 / (1 + std::exp(-(2 * y - 1 + noise(rng))));
    if (decimals >= 0) s = Round(s, decimals);
    c.p.truth.push_back(y);
    c.p.scores.push_back(s);
  }
  if (weighted) c.p.weights = Weights(rng, n, /*with_zeros=*/n > 50);
  c.params.beta = 0.5;
  return c;
}

// Probabilities from small integer counts, so that ties (within rows and across rows) are common.
// Every class appears in the truth unless `missing_class` names one to leave out.
Case Multiclass(std::string name, std::mt19937_64& rng, size_t n, size_t classes, bool weighted,
                int k, int missing_class = -1) {
  Case c{std::move(name), {}, {}};
  c.p.task = TaskType::kMulticlass;
  c.p.classes = classes;
  std::uniform_int_distribution<size_t> pick(0, classes - 1);
  std::uniform_int_distribution<int> count(0, 4);
  for (size_t i = 0; i < n; ++i) {
    size_t y = i < classes ? i : pick(rng);
    if (static_cast<int>(y) == missing_class) y = (y + 1) % classes;
    std::vector<double> row(classes);
    double sum = 0;
    for (size_t j = 0; j < classes; ++j) sum += row[j] = count(rng) + (j == y ? 3 : 1);
    for (double& v : row) v /= sum;
    c.p.truth.push_back(static_cast<double>(y));
    c.p.scores.insert(c.p.scores.end(), row.begin(), row.end());
  }
  if (weighted) c.p.weights = Weights(rng, n, /*with_zeros=*/n > 50);
  c.params.k = k;
  return c;
}

// Integer-valued truth and predictions give tied residuals; some truths are zero (MAPE's eps).
Case Regression(std::string name, std::mt19937_64& rng, size_t n, bool weighted) {
  Case c{std::move(name), {}, {}};
  c.p.task = TaskType::kRegression;
  std::uniform_int_distribution<int> value(-5, 20);
  std::uniform_int_distribution<int> error(-3, 3);
  for (size_t i = 0; i < n; ++i) {
    const double y = value(rng);
    c.p.truth.push_back(y);
    c.p.scores.push_back(y + error(rng) + (i % 3 == 0 ? 0.25 : 0.0));
  }
  if (weighted) c.p.weights = Weights(rng, n, /*with_zeros=*/n > 50);
  return c;
}

std::vector<Case> MakeCases() {
  std::mt19937_64 rng(20240607);
  std::vector<Case> cases;
  cases.push_back(Binary("binary small continuous", rng, 20, -1, false));
  cases.push_back(Binary("binary small ties weighted", rng, 25, 1, true));
  cases.push_back(Binary("binary large ties", rng, 2000, 2, false));
  cases.push_back(Binary("binary large ties weighted", rng, 1500, 1, true));
  cases.push_back(Binary("binary large continuous weighted", rng, 3000, -1, true, 0.1));
  Case all_negative = Binary("binary single class negative", rng, 30, 1, false, 0.0);
  cases.push_back(all_negative);
  cases.push_back(Binary("binary single class positive", rng, 15, 1, true, 1.0));
  Case none_predicted = Binary("binary nothing predicted positive", rng, 40, 2, false);
  none_predicted.p.threshold = 1.5;
  cases.push_back(none_predicted);
  Case extremes = Binary("binary certain scores", rng, 12, 0, false);
  extremes.p.threshold = 0.3;
  cases.push_back(extremes);
  cases.push_back(Multiclass("multiclass small", rng, 30, 3, false, 2));
  cases.push_back(Multiclass("multiclass large weighted", rng, 1200, 4, true, 2));
  cases.push_back(Multiclass("multiclass top 1 weighted", rng, 200, 5, true, 1));
  cases.push_back(Multiclass("multiclass top 3", rng, 300, 5, false, 3));
  cases.push_back(Multiclass("multiclass class missing", rng, 60, 4, false, 2, 2));
  cases.push_back(Regression("regression small", rng, 15, false));
  cases.push_back(Regression("regression even weighted", rng, 16, true));
  cases.push_back(Regression("regression large weighted", rng, 2000, true));
  cases.push_back(Regression("regression large", rng, 1001, false));
  return cases;
}

// ----- Comparisons ----------------------------------------------------------------------------

void ExpectSameVector(const std::vector<double>& kiln, const nlohmann::json& reference,
                      const std::string& what) {
  ASSERT_EQ(kiln.size(), reference.size()) << what;
  for (size_t i = 0; i < kiln.size(); ++i) {
    EXPECT_PRED2(Near, kiln[i], reference[i].get<double>()) << what << " [" << i << "]";
  }
}

void ExpectSameCurve(const Result<Curve>& kiln, const nlohmann::json& reference,
                     const std::string& what) {
  if (reference.contains("error")) {
    ASSERT_FALSE(kiln.ok()) << what << ": sklearn says " << reference["error"];
    EXPECT_EQ(kiln.status().code(), ErrorCode::kData) << what;
    return;
  }
  ASSERT_TRUE(kiln.ok()) << what << ": " << kiln.status().message();
  ExpectSameVector(kiln->x, reference["x"], what + " x");
  ExpectSameVector(kiln->y, reference["y"], what + " y");
  ExpectSameVector(kiln->thresholds, reference["thresholds"], what + " thresholds");
}

void ExpectSameMetrics(const Case& c, const nlohmann::json& reference) {
  for (const std::string& name : MetricNamesFor(c.p.task)) {
    EXPECT_TRUE(reference.contains(name)) << c.name << ": no sklearn reference for " << name;
  }
  for (const auto& [name, expected] : reference.items()) {
    const Result<double> kiln = ComputeMetric(name, c.p, c.params);
    if (expected.is_object()) {
      ASSERT_FALSE(kiln.ok()) << c.name << " " << name << ": sklearn says " << expected["error"]
                              << ", Kiln gives " << *kiln;
      EXPECT_EQ(kiln.status().code(), ErrorCode::kData) << c.name << " " << name;
      continue;
    }
    ASSERT_TRUE(kiln.ok()) << c.name << " " << name << ": " << kiln.status().message();
    EXPECT_PRED2(Near, *kiln, expected.get<double>()) << c.name << " " << name;
  }
}

void ExpectSameCalibration(const Case& c, const nlohmann::json& reference) {
  const Result<Calibration> kiln = CalibrationCurve(c.p, 10);
  ASSERT_TRUE(kiln.ok()) << c.name << ": " << kiln.status().message();
  ExpectSameVector(kiln->fraction_positive, reference["fraction_positive"], c.name + " fraction");
  ExpectSameVector(kiln->mean_predicted, reference["mean_predicted"], c.name + " mean");
  ExpectSameVector(kiln->counts, reference["counts"], c.name + " counts");
  EXPECT_PRED2(Near, kiln->ece, reference["ece"].get<double>()) << c.name;
}

class MetricsSklearnPeer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HasSklearn()) return;
    cases_ = new std::vector<Case>(MakeCases());
    nlohmann::json request;
    for (const Case& c : *cases_) request["cases"].push_back(ToJson(c));
    answer_ = new nlohmann::json(AskSklearn(request));
  }
  static void TearDownTestSuite() {
    delete cases_;
    delete answer_;
    cases_ = nullptr;
    answer_ = nullptr;
  }
  void SetUp() override {
    if (!HasSklearn()) GTEST_SKIP() << "/usr/bin/python3 with sklearn, scipy and numpy is absent";
    ASSERT_TRUE(answer_->is_object() && (*answer_)["cases"].size() == cases_->size());
  }

  static std::vector<Case>* cases_;
  static nlohmann::json* answer_;
};

std::vector<Case>* MetricsSklearnPeer::cases_ = nullptr;
nlohmann::json* MetricsSklearnPeer::answer_ = nullptr;

TEST_F(MetricsSklearnPeer, MetricsEqualSklearn) {
  for (size_t i = 0; i < cases_->size(); ++i) {
    ExpectSameMetrics((*cases_)[i], (*answer_)["cases"][i]["metrics"]);
  }
}

TEST_F(MetricsSklearnPeer, RocAndPrecisionRecallCurvesEqualSklearn) {
  for (size_t i = 0; i < cases_->size(); ++i) {
    const Case& c = (*cases_)[i];
    if (c.p.task != TaskType::kBinary) continue;
    ExpectSameCurve(RocCurve(c.p), (*answer_)["cases"][i]["roc"], c.name + " roc");
    ExpectSameCurve(PrecisionRecallCurve(c.p), (*answer_)["cases"][i]["pr"], c.name + " pr");
  }
}

TEST_F(MetricsSklearnPeer, CalibrationCurveEqualsSklearn) {
  for (size_t i = 0; i < cases_->size(); ++i) {
    const nlohmann::json& reference = (*answer_)["cases"][i];
    if (reference.contains("calibration"))
      ExpectSameCalibration((*cases_)[i], reference["calibration"]);
  }
}

TEST_F(MetricsSklearnPeer, ConfusionMatrixEqualsSklearn) {
  for (size_t i = 0; i < cases_->size(); ++i) {
    const Case& c = (*cases_)[i];
    if (c.p.task == TaskType::kRegression) continue;
    const nlohmann::json& reference = (*answer_)["cases"][i]["confusion"];
    const std::vector<std::vector<double>> kiln = ConfusionMatrix(c.p);
    ASSERT_EQ(kiln.size(), reference.size()) << c.name;
    for (size_t r = 0; r < kiln.size(); ++r) ExpectSameVector(kiln[r], reference[r], c.name);
  }
}

// The cases where sklearn raises or falls back to a documented value are compared above like the
// others; this spells out the expectations so that a change in either is noticed here.
TEST_F(MetricsSklearnPeer, UndefinedCasesMatchSklearn) {
  for (size_t i = 0; i < cases_->size(); ++i) {
    const Case& c = (*cases_)[i];
    const nlohmann::json& reference = (*answer_)["cases"][i]["metrics"];
    if (c.name == "binary single class negative") {
      EXPECT_TRUE(reference["roc_auc"].is_object());
      EXPECT_EQ(ComputeMetric("roc_auc", c.p).status().code(), ErrorCode::kData);
      EXPECT_EQ(reference["pr_auc"].get<double>(), 0.0);
      EXPECT_EQ(*ComputeMetric("pr_auc", c.p), 0.0);
    }
    if (c.name == "multiclass class missing") {
      EXPECT_TRUE(reference["roc_auc"].is_object());
      EXPECT_EQ(ComputeMetric("roc_auc", c.p).status().code(), ErrorCode::kData);
    }
    if (c.name == "binary nothing predicted positive") {
      EXPECT_EQ(reference["precision"].get<double>(), 0.0);
      EXPECT_EQ(*ComputeMetric("precision", c.p), 0.0);
    }
  }
}

// Two correlated binary scorers on the same rows, the second a noisier copy of the first.
nlohmann::json DeLongPair(std::mt19937_64& rng, size_t n, int decimals, Predictions& a,
                          Predictions& b) {
  std::bernoulli_distribution label(0.35);
  std::normal_distribution<double> noise(0, 1);
  for (size_t i = 0; i < n; ++i) {
    const double y = label(rng) ? 1 : 0;
    const double base = y + noise(rng);
    double sa = 1 / (1 + std::exp(-base)), sb = 1 / (1 + std::exp(-(base + 1.5 * noise(rng))));
    if (decimals >= 0) {
      sa = Round(sa, decimals);
      sb = Round(sb, decimals);
    }
    a.truth.push_back(y);
    b.truth.push_back(y);
    a.scores.push_back(sa);
    b.scores.push_back(sb);
  }
  return {{"truth", a.truth}, {"a", a.scores}, {"b", b.scores}};
}

TEST(SignificancePeer, DeLongMatchesDefinitionalReference) {
  if (!HasSklearn()) GTEST_SKIP() << "/usr/bin/python3 with sklearn, scipy and numpy is absent";
  std::mt19937_64 rng(7);
  std::vector<std::pair<Predictions, Predictions>> pairs(4);
  nlohmann::json request;
  request["cases"] = nlohmann::json::array();
  const size_t sizes[] = {40, 300, 800, 1500};
  const int decimals[] = {-1, 1, 2, -1};
  for (size_t i = 0; i < pairs.size(); ++i) {
    request["delong"].push_back(
        DeLongPair(rng, sizes[i], decimals[i], pairs[i].first, pairs[i].second));
  }
  const nlohmann::json answer = AskSklearn(request);
  ASSERT_TRUE(answer.is_object()) << answer.dump();

  for (size_t i = 0; i < pairs.size(); ++i) {
    const Result<Comparison> kiln = DeLongTest(pairs[i].first, pairs[i].second);
    ASSERT_TRUE(kiln.ok()) << kiln.status().message();
    const nlohmann::json& ref = answer["delong"][i];
    EXPECT_PRED2(Near, kiln->candidate, ref["sklearn_auc_a"].get<double>()) << i;
    EXPECT_PRED2(Near, kiln->baseline, ref["sklearn_auc_b"].get<double>()) << i;
    EXPECT_PRED2(Near, kiln->z, ref["z"].get<double>()) << i;
    EXPECT_PRED2(Near, kiln->p_value, ref["p"].get<double>()) << i;
  }
}

}  // namespace
}  // namespace kiln
