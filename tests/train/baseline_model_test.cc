// The baseline family: its strategies against scikit-learn's DummyClassifier and DummyRegressor
// (with and without weights, odd and even row counts, tied targets), its defaults, and the
// save/load, damaged-bytes and wrong-width contracts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "train/model.h"
#include "train/model_test_util.h"

namespace kiln {
namespace {

using testing::GeneratedSet;
using testing::RandomSet;

constexpr double kTolerance = 1e-12;

ModelSpec Baseline(const std::string& strategy) {
  ModelSpec spec;
  spec.family = "baseline";
  spec.strategy = strategy;
  return spec;
}

std::unique_ptr<Model> Train(const std::string& strategy, const GeneratedSet& set) {
  Result<std::unique_ptr<Model>> model = TrainModel(Baseline(strategy), set.data());
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? std::move(model).value() : nullptr;
}

struct PeerCase {
  std::string name;
  std::string strategy;
  GeneratedSet set;
};

// Regression targets rounded to integers, so that the median lands on ties.
GeneratedSet Rounded(GeneratedSet set) {
  for (double& y : set.y) y = std::round(y);
  return set;
}

std::vector<PeerCase> MakePeerCases() {
  std::vector<PeerCase> cases;
  cases.push_back({"prior binary", "prior", RandomSet(1, TaskType::kBinary, 2, 101, 3, false)});
  cases.push_back(
      {"prior binary weighted", "prior", RandomSet(2, TaskType::kBinary, 2, 200, 3, true)});
  cases.push_back(
      {"prior multiclass weighted", "prior", RandomSet(3, TaskType::kMulticlass, 4, 300, 3, true)});
  cases.push_back(
      {"most frequent binary", "most_frequent", RandomSet(4, TaskType::kBinary, 2, 150, 3, false)});
  cases.push_back({"most frequent multiclass weighted", "most_frequent",
                   RandomSet(5, TaskType::kMulticlass, 3, 250, 3, true)});
  cases.push_back({"mean", "mean", RandomSet(6, TaskType::kRegression, 1, 120, 3, false)});
  cases.push_back({"mean weighted", "mean", RandomSet(7, TaskType::kRegression, 1, 130, 3, true)});
  cases.push_back({"median odd", "median", RandomSet(8, TaskType::kRegression, 1, 101, 3, false)});
  cases.push_back({"median even", "median", RandomSet(9, TaskType::kRegression, 1, 100, 3, false)});
  cases.push_back(
      {"median weighted", "median", RandomSet(10, TaskType::kRegression, 1, 140, 3, true)});
  cases.push_back({"median weighted ties", "median",
                   Rounded(RandomSet(11, TaskType::kRegression, 1, 160, 3, true))});
  cases.push_back({"median even ties", "median",
                   Rounded(RandomSet(12, TaskType::kRegression, 1, 90, 3, false))});
  return cases;
}

TEST(BaselineSklearnPeer, StrategiesEqualDummyEstimators) {
  if (!testing::HasSklearn()) GTEST_SKIP() << "/usr/bin/python3 with sklearn is absent";
  const std::vector<PeerCase> cases = MakePeerCases();
  nlohmann::json request = nlohmann::json::array();
  for (const PeerCase& c : cases) {
    const bool regression = c.set.task == TaskType::kRegression;
    request.push_back(testing::PeerCase(c.set, regression ? "dummy_regressor" : "dummy_classifier",
                                        0, c.strategy));
  }
  const nlohmann::json answer = testing::AskSklearnLinear(request);
  ASSERT_TRUE(answer.is_array() && answer.size() == cases.size());

  double worst = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Result<std::unique_ptr<Model>> model =
        TrainModel(Baseline(cases[i].strategy), cases[i].set.data());
    ASSERT_TRUE(model.ok()) << cases[i].name << ": " << model.status().message();
    const Result<std::vector<double>> scores = (*model)->Predict(cases[i].set.test_x);
    ASSERT_TRUE(scores.ok()) << cases[i].name;
    const double deviation = testing::MaxDeviation(*scores, answer[i]["scores"]);
    EXPECT_LE(deviation, kTolerance) << cases[i].name;
    worst = std::max(worst, deviation);
  }
  RecordProperty("max_deviation", fmt::format("{:.3g}", worst));
}

TEST(Baseline, DefaultsArePriorAndMean) {
  const GeneratedSet binary = RandomSet(21, TaskType::kBinary, 2, 40, 2, false);
  const GeneratedSet regression = RandomSet(22, TaskType::kRegression, 1, 40, 2, false);
  EXPECT_EQ((*TrainModel(Baseline(""), binary.data()))->Summary(), R"({"strategy": "prior"})");
  EXPECT_EQ((*TrainModel(Baseline(""), regression.data()))->Summary(), R"({"strategy": "mean"})");
}

TEST(Baseline, MostFrequentTieGoesToTheLowestClass) {
  GeneratedSet set = RandomSet(23, TaskType::kMulticlass, 3, 6, 2, false);
  set.y = {2, 1, 2, 1, 0, 0};
  const std::vector<double> scores = *Train("most_frequent", set)->Predict(set.test_x);
  EXPECT_EQ(std::vector<double>(scores.begin(), scores.begin() + 3),
            (std::vector<double>{1, 0, 0}));
}

TEST(Baseline, UnknownStrategyIsConfigErrorWithSuggestion) {
  const GeneratedSet set = RandomSet(24, TaskType::kRegression, 1, 20, 2, false);
  const Result<std::unique_ptr<Model>> model = TrainModel(Baseline("medain"), set.data());
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), ErrorCode::kConfig);
  EXPECT_NE(model.status().message().find("did you mean 'median'"), std::string::npos)
      << model.status().message();
  EXPECT_EQ(TrainModel(Baseline("prior"), set.data()).status().code(), ErrorCode::kConfig);
}

TEST(Baseline, SaveLoadPredictsBitIdentically) {
  for (const GeneratedSet& set : {RandomSet(25, TaskType::kMulticlass, 3, 50, 2, true),
                                  RandomSet(26, TaskType::kRegression, 1, 50, 2, true)}) {
    const std::unique_ptr<Model> model = Train("", set);
    const std::string bytes = *model->Save();
    const Result<std::unique_ptr<Model>> loaded = LoadModel("baseline", bytes);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    const std::vector<double> before = *model->Predict(set.test_x);
    const std::vector<double> after = *(*loaded)->Predict(set.test_x);
    ASSERT_EQ(before.size(), after.size());
    EXPECT_EQ(std::memcmp(before.data(), after.data(), before.size() * sizeof(double)), 0);
    EXPECT_EQ((*loaded)->Summary(), model->Summary());
  }
}

TEST(Baseline, DamagedOrTruncatedBytesAreDataErrors) {
  const GeneratedSet set = RandomSet(27, TaskType::kBinary, 2, 50, 2, false);
  const std::string bytes = *Train("", set)->Save();
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
    EXPECT_EQ(LoadModel("baseline", damaged).status().code(), ErrorCode::kData) << "byte " << i;
    EXPECT_EQ(LoadModel("baseline", bytes.substr(0, i)).status().code(), ErrorCode::kData)
        << i << " bytes";
  }
  EXPECT_EQ(LoadModel("baseline", bytes + "x").status().code(), ErrorCode::kData);
}

TEST(Baseline, WrongColumnCountIsUsageError) {
  const GeneratedSet set = RandomSet(28, TaskType::kRegression, 1, 30, 3, false);
  const std::unique_ptr<Model> model = Train("median", set);
  FeatureMatrix wider = set.test_x;
  wider.cols = 4;
  EXPECT_EQ(model->Predict(wider).status().code(), ErrorCode::kUsage);
}

TEST(Baseline, SingleClassTrainingIsDataError) {
  GeneratedSet set = RandomSet(29, TaskType::kBinary, 2, 30, 2, false);
  std::fill(set.y.begin(), set.y.end(), 0.0);
  EXPECT_EQ(TrainModel(Baseline(""), set.data()).status().code(), ErrorCode::kData);
}

}  // namespace
}  // namespace kiln
