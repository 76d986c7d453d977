// Scaling and PCA against scikit-learn (StandardScaler, RobustScaler, PCA) run under
// /usr/bin/python3 as the oracle; skipped when scikit-learn is absent.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "feature_test_util.h"
#include "features/pipeline.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::AllRows;
using testing::FloatColumn;
using testing::Inputs;
using testing::MakeFrame;
using testing::PlainSpec;

constexpr size_t kRows = 60;
constexpr size_t kCols = 4;
constexpr int kComponents = 2;

bool HasSklearn() {
  static const bool has =
      testing::RunCommand("/usr/bin/python3 -c 'import sklearn'").exit_code == 0;
  return has;
}

// Correlated columns with different scales and skews, so every scaler and component differs.
std::vector<std::vector<double>> Matrix() {
  std::vector<std::vector<double>> rows;
  for (size_t i = 0; i < kRows; ++i) {
    const double t = static_cast<double>(i);
    const double a = std::sin(t * 0.7) * 3 + t * 0.05;
    const double b = a * 2 + std::cos(t * 1.3);
    const double c = std::exp(std::fmod(t * 0.37, 3.0)) * 10;
    const double d = static_cast<double>(i % 7) - b * 0.1;
    rows.push_back({a, b, c, d});
  }
  return rows;
}

Frame MatrixFrame(const std::vector<std::vector<double>>& rows) {
  std::vector<Column> columns;
  for (size_t j = 0; j < kCols; ++j) {
    std::vector<double> values;
    for (const auto& row : rows) values.push_back(row[j]);
    columns.push_back(FloatColumn("x" + std::to_string(j), values));
  }
  return MakeFrame(std::move(columns));
}

const nlohmann::json& Oracle() {
  static const nlohmann::json result = [] {
    testing::TempDir dir;
    testing::WriteFile(dir / "in.json",
                       nlohmann::json({{"x", Matrix()}, {"components", kComponents}}).dump());
    const std::string script =
        (testing::SourceDir() / "tests" / "scripts" / "sklearn_features.py").string();
    const testing::CommandResult run =
        testing::RunCommand("/usr/bin/python3 " + script + " " + (dir / "in.json").string() + " " +
                            (dir / "out.json").string());
    EXPECT_EQ(run.exit_code, 0) << run.out;
    return nlohmann::json::parse(testing::ReadFile(dir / "out.json"), nullptr, false);
  }();
  return result;
}

FeatureMatrix FitTransform(const FeatureSpec& spec) {
  const Frame frame = MatrixFrame(Matrix());
  Target target;
  target.task = TaskType::kRegression;
  target.values.assign(kRows, 0);
  target.values[0] = 1;
  Result<FeaturePipeline> p =
      FeaturePipeline::Fit(frame, AllRows(kRows), target, spec, Inputs({"x0", "x1", "x2", "x3"}));
  EXPECT_TRUE(p.ok()) << p.status().message();
  Result<FeatureMatrix> m = p->Transform(frame);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return std::move(m).value();
}

void ExpectMatches(const FeatureMatrix& m, const nlohmann::json& expected) {
  ASSERT_EQ(m.rows, kRows);
  for (size_t i = 0; i < kRows; ++i) {
    for (size_t j = 0; j < m.cols; ++j) {
      EXPECT_NEAR(m.at(i, j), expected[i][j].get<double>(), 1e-5) << i << "," << j;
    }
  }
}

TEST(FeatureScale, StandardEqualsSklearnStandardScaler) {
  if (!HasSklearn()) GTEST_SKIP() << "scikit-learn is not installed for /usr/bin/python3";
  FeatureSpec spec = PlainSpec();
  spec.scaling = Scaling::kStandard;
  ExpectMatches(FitTransform(spec), Oracle()["standard"]);
}

TEST(FeatureScale, RobustEqualsSklearnRobustScaler) {
  if (!HasSklearn()) GTEST_SKIP() << "scikit-learn is not installed for /usr/bin/python3";
  FeatureSpec spec = PlainSpec();
  spec.scaling = Scaling::kRobust;
  ExpectMatches(FitTransform(spec), Oracle()["robust"]);
}

TEST(FeaturePca, ComponentsEqualSklearnUpToSign) {
  if (!HasSklearn()) GTEST_SKIP() << "scikit-learn is not installed for /usr/bin/python3";
  FeatureSpec spec = PlainSpec();
  spec.pca.components = kComponents;
  const FeatureMatrix m = FitTransform(spec);
  ASSERT_EQ(m.names, (std::vector<std::string>{"pc1", "pc2"}));
  const nlohmann::json& expected = Oracle()["pca"];
  for (size_t c = 0; c < m.cols; ++c) {
    // The sign is a convention; both signs of a component are the same component.
    const double sign = (m.at(0, c) >= 0) == (expected[0][c].get<double>() >= 0) ? 1 : -1;
    double variance = 0;
    for (size_t i = 0; i < kRows; ++i) {
      EXPECT_NEAR(m.at(i, c), sign * expected[i][c].get<double>(), 1e-4) << i << "," << c;
      variance += static_cast<double>(m.at(i, c)) * m.at(i, c);
    }
    variance /= kRows - 1;
    EXPECT_NEAR(variance, Oracle()["explained_variance"][c].get<double>(), 1e-4);
  }
}

}  // namespace
}  // namespace kiln
