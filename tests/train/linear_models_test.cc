// The logistic and ridge families: coefficients and scores against scikit-learn on randomised
// two-class, multinomial and regression sets with and without weights, plus the contracts every
// family keeps (bit-identical save/load, kData for damaged bytes and unusable rows, kUsage for a
// matrix of the wrong width).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "train/linear_models.h"
#include "train/model.h"
#include "train/model_test_util.h"

namespace kiln {
namespace {

using testing::GeneratedSet;
using testing::RandomSet;

constexpr double kTolerance = 1e-6;

ModelSpec Spec(const std::string& family, double l2 = 1.0) {
  ModelSpec spec;
  spec.family = family;
  spec.l2 = l2;
  spec.max_iterations = 200;
  return spec;
}

std::unique_ptr<Model> Train(const ModelSpec& spec, const GeneratedSet& set) {
  Result<std::unique_ptr<Model>> model = TrainModel(spec, set.data());
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? std::move(model).value() : nullptr;
}

struct PeerCase {
  std::string name;
  std::string family;
  double l2;
  GeneratedSet set;
};

std::vector<PeerCase> MakePeerCases() {
  std::vector<PeerCase> cases;
  cases.push_back({"binary", "logistic", 1.0, RandomSet(1, TaskType::kBinary, 2, 300, 6, false)});
  cases.push_back(
      {"binary weighted", "logistic", 0.25, RandomSet(2, TaskType::kBinary, 2, 400, 9, true)});
  cases.push_back(
      {"binary strong l2", "logistic", 20.0, RandomSet(3, TaskType::kBinary, 2, 200, 5, false)});
  cases.push_back(
      {"multinomial 3", "logistic", 1.0, RandomSet(4, TaskType::kMulticlass, 3, 300, 7, false)});
  cases.push_back({"multinomial 4 weighted", "logistic", 0.5,
                   RandomSet(5, TaskType::kMulticlass, 4, 500, 10, true)});
  cases.push_back(
      {"regression", "ridge", 1.0, RandomSet(6, TaskType::kRegression, 1, 300, 8, false)});
  cases.push_back(
      {"regression weighted", "ridge", 3.0, RandomSet(7, TaskType::kRegression, 1, 250, 6, true)});
  cases.push_back(
      {"regression tiny l2", "ridge", 1e-6, RandomSet(8, TaskType::kRegression, 1, 200, 10, true)});
  return cases;
}

class LinearSklearnPeer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::HasSklearn()) return;
    cases_ = new std::vector<PeerCase>(MakePeerCases());
    nlohmann::json request = nlohmann::json::array();
    for (const PeerCase& c : *cases_) request.push_back(testing::PeerCase(c.set, c.family, c.l2));
    answer_ = new nlohmann::json(testing::AskSklearnLinear(request));
  }
  static void TearDownTestSuite() {
    delete cases_;
    delete answer_;
    cases_ = nullptr;
    answer_ = nullptr;
  }
  void SetUp() override {
    if (!testing::HasSklearn()) GTEST_SKIP() << "/usr/bin/python3 with sklearn is absent";
    ASSERT_TRUE(answer_->is_array() && answer_->size() == cases_->size());
  }

  static std::vector<PeerCase>* cases_;
  static nlohmann::json* answer_;
};

std::vector<PeerCase>* LinearSklearnPeer::cases_ = nullptr;
nlohmann::json* LinearSklearnPeer::answer_ = nullptr;

TEST_F(LinearSklearnPeer, CoefficientsEqualSklearn) {
  double worst = 0;
  for (size_t i = 0; i < cases_->size(); ++i) {
    const PeerCase& c = (*cases_)[i];
    const std::unique_ptr<Model> model = Train(Spec(c.family, c.l2), c.set);
    ASSERT_NE(model, nullptr) << c.name;
    const LinearCoefficients* coef = LinearCoefficientsOf(*model);
    ASSERT_NE(coef, nullptr) << c.name;
    const double coef_deviation = testing::MaxDeviation(coef->coef, (*answer_)[i]["coef"]);
    const double intercept_deviation =
        testing::MaxDeviation(coef->intercept, (*answer_)[i]["intercept"]);
    EXPECT_LE(coef_deviation, kTolerance) << c.name << " coef";
    EXPECT_LE(intercept_deviation, kTolerance) << c.name << " intercept";
    worst = std::max({worst, coef_deviation, intercept_deviation});
  }
  RecordProperty("max_deviation", fmt::format("{:.3g}", worst));
}

TEST_F(LinearSklearnPeer, ScoresEqualSklearn) {
  double worst = 0;
  for (size_t i = 0; i < cases_->size(); ++i) {
    const PeerCase& c = (*cases_)[i];
    const std::unique_ptr<Model> model = Train(Spec(c.family, c.l2), c.set);
    ASSERT_NE(model, nullptr) << c.name;
    const Result<std::vector<double>> scores = model->Predict(c.set.test_x);
    ASSERT_TRUE(scores.ok()) << c.name << ": " << scores.status().message();
    const double deviation = testing::MaxDeviation(*scores, (*answer_)[i]["scores"]);
    EXPECT_LE(deviation, kTolerance) << c.name;
    worst = std::max(worst, deviation);
  }
  RecordProperty("max_deviation", fmt::format("{:.3g}", worst));
}

TEST_F(LinearSklearnPeer, LogisticConvergesWithinDefaultIterations) {
  for (const PeerCase& c : *cases_) {
    if (c.family != "logistic") continue;
    const std::unique_ptr<Model> model = Train(Spec(c.family, c.l2), c.set);
    ASSERT_NE(model, nullptr);
    EXPECT_NE(model->Summary().find(R"("converged": true)"), std::string::npos)
        << c.name << ": " << model->Summary();
  }
}

// ----- Contracts ----------------------------------------------------------------------------

std::vector<GeneratedSet> ContractSets() {
  return {RandomSet(11, TaskType::kBinary, 2, 120, 4, true),
          RandomSet(12, TaskType::kMulticlass, 3, 150, 5, false),
          RandomSet(13, TaskType::kRegression, 1, 100, 4, true)};
}

std::string FamilyFor(const GeneratedSet& set) {
  return set.task == TaskType::kRegression ? "ridge" : "logistic";
}

TEST(LinearModels, SaveLoadPredictsBitIdentically) {
  for (const GeneratedSet& set : ContractSets()) {
    const std::unique_ptr<Model> model = Train(Spec(FamilyFor(set)), set);
    ASSERT_NE(model, nullptr);
    const Result<std::string> bytes = model->Save();
    ASSERT_TRUE(bytes.ok());
    const Result<std::unique_ptr<Model>> loaded = LoadModel(FamilyFor(set), *bytes);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    const std::vector<double> before = *model->Predict(set.test_x);
    const std::vector<double> after = *(*loaded)->Predict(set.test_x);
    ASSERT_EQ(before.size(), after.size());
    EXPECT_EQ(std::memcmp(before.data(), after.data(), before.size() * sizeof(double)), 0);
    EXPECT_EQ((*loaded)->Summary(), model->Summary());
    EXPECT_EQ(*(*loaded)->Save(), *bytes);
  }
}

TEST(LinearModels, EveryFlippedByteIsDataError) {
  for (const GeneratedSet& set : ContractSets()) {
    const std::string bytes = *Train(Spec(FamilyFor(set)), set)->Save();
    for (size_t i = 0; i < bytes.size(); ++i) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
      const Result<std::unique_ptr<Model>> loaded = LoadModel(FamilyFor(set), damaged);
      ASSERT_FALSE(loaded.ok()) << "byte " << i;
      EXPECT_EQ(loaded.status().code(), ErrorCode::kData) << "byte " << i;
    }
  }
}

TEST(LinearModels, EveryTruncationIsDataError) {
  for (const GeneratedSet& set : ContractSets()) {
    const std::string bytes = *Train(Spec(FamilyFor(set)), set)->Save();
    for (size_t size = 0; size < bytes.size(); ++size) {
      const Result<std::unique_ptr<Model>> loaded =
          LoadModel(FamilyFor(set), std::string_view(bytes).substr(0, size));
      ASSERT_FALSE(loaded.ok()) << size << " bytes";
      EXPECT_EQ(loaded.status().code(), ErrorCode::kData) << size << " bytes";
    }
  }
}

TEST(LinearModels, BytesOfAnotherFamilyAreDataError) {
  const GeneratedSet set = RandomSet(14, TaskType::kRegression, 1, 60, 3, false);
  const std::string bytes = *Train(Spec("ridge"), set)->Save();
  const Result<std::unique_ptr<Model>> loaded = LoadModel("logistic", bytes);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), ErrorCode::kData);
  EXPECT_NE(loaded.status().message().find("'ridge'"), std::string::npos);
}

TEST(LinearModels, WrongColumnCountIsUsageError) {
  for (const GeneratedSet& set : ContractSets()) {
    const std::unique_ptr<Model> model = Train(Spec(FamilyFor(set)), set);
    std::mt19937_64 rng(1);
    const FeatureMatrix narrower = testing::RandomFeatures(rng, 5, set.x.cols - 1);
    const Result<std::vector<double>> scores = model->Predict(narrower);
    ASSERT_FALSE(scores.ok());
    EXPECT_EQ(scores.status().code(), ErrorCode::kUsage);
  }
}

TEST(LinearModels, MissingValueIsDataErrorNamingTheColumn) {
  GeneratedSet set = RandomSet(15, TaskType::kBinary, 2, 80, 4, false);
  const std::unique_ptr<Model> model = Train(Spec("logistic"), set);
  set.test_x.values[3 * set.test_x.cols + 2] = NAN;
  const Result<std::vector<double>> scores = model->Predict(set.test_x);
  ASSERT_FALSE(scores.ok());
  EXPECT_EQ(scores.status().code(), ErrorCode::kData);
  EXPECT_NE(scores.status().message().find("column 2 ('f2')"), std::string::npos)
      << scores.status().message();

  set.x.values[10 * set.x.cols + 1] = NAN;
  const Result<std::unique_ptr<Model>> trained = TrainModel(Spec("ridge"), [&] {
    TrainData d = set.data();
    d.task = TaskType::kRegression;
    return d;
  }());
  ASSERT_FALSE(trained.ok());
  EXPECT_EQ(trained.status().code(), ErrorCode::kData);
  EXPECT_NE(trained.status().message().find("column 1"), std::string::npos);
}

TEST(LinearModels, SingleClassTrainingIsDataError) {
  GeneratedSet set = RandomSet(16, TaskType::kBinary, 2, 50, 3, false);
  std::fill(set.y.begin(), set.y.end(), 1.0);
  const Result<std::unique_ptr<Model>> model = TrainModel(Spec("logistic"), set.data());
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), ErrorCode::kData);
}

TEST(LinearModels, ClassWithoutWeightGetsProbabilityZero) {
  GeneratedSet set = RandomSet(17, TaskType::kMulticlass, 4, 200, 4, false);
  set.weights.assign(set.y.size(), 1.0);
  for (size_t i = 0; i < set.y.size(); ++i) {
    if (set.y[i] == 2) set.weights[i] = 0;
  }
  const Result<std::vector<double>> scores = Train(Spec("logistic"), set)->Predict(set.test_x);
  ASSERT_TRUE(scores.ok());
  for (size_t r = 0; r < set.test_x.rows; ++r) {
    EXPECT_EQ((*scores)[r * 4 + 2], 0.0);
    double sum = 0;
    for (size_t c = 0; c < 4; ++c) sum += (*scores)[r * 4 + c];
    EXPECT_NEAR(sum, 1.0, 1e-12);
  }
}

TEST(LinearModels, TwoWeightedClassesOfThreeFitOneLogOddsOutput) {
  GeneratedSet set = RandomSet(21, TaskType::kMulticlass, 3, 120, 3, false);
  set.weights.assign(set.y.size(), 1.0);
  for (size_t i = 0; i < set.y.size(); ++i) {
    if (set.y[i] == 1) set.weights[i] = 0;
  }
  const std::unique_ptr<Model> model = Train(Spec("logistic"), set);
  EXPECT_EQ(LinearCoefficientsOf(*model)->outputs, 1u);
  EXPECT_EQ(LinearCoefficientsOf(*model)->classes, (std::vector<size_t>{0, 2}));
  const std::vector<double> scores = *model->Predict(set.test_x);
  ASSERT_EQ(scores.size(), set.test_x.rows * 3);
  for (size_t r = 0; r < set.test_x.rows; ++r) {
    EXPECT_EQ(scores[r * 3 + 1], 0.0);
    EXPECT_NEAR(scores[r * 3] + scores[r * 3 + 2], 1.0, 1e-12);
  }
}

TEST(LinearModels, TooFewIterationsWarnsButTrains) {
  const GeneratedSet set = RandomSet(18, TaskType::kMulticlass, 3, 200, 6, false);
  ModelSpec spec = Spec("logistic");
  spec.max_iterations = 1;
  const std::unique_ptr<Model> model = Train(spec, set);
  ASSERT_NE(model, nullptr);
  EXPECT_NE(model->Summary().find(R"("converged": false)"), std::string::npos) << model->Summary();
  EXPECT_TRUE(model->Predict(set.test_x).ok());
}

TEST(LinearModels, ImportanceIsAbsoluteCoefficientSummedOverClasses) {
  const GeneratedSet set = RandomSet(19, TaskType::kMulticlass, 3, 150, 4, false);
  const std::unique_ptr<Model> model = Train(Spec("logistic"), set);
  const LinearCoefficients& c = *LinearCoefficientsOf(*model);
  const std::vector<double> importance = model->Importance();
  ASSERT_EQ(importance.size(), 4u);
  for (size_t j = 0; j < 4; ++j) {
    double expected = 0;
    for (size_t o = 0; o < c.outputs; ++o) expected += std::abs(c.coef[o * c.cols + j]);
    EXPECT_DOUBLE_EQ(importance[j], expected);
  }
}

TEST(LinearModels, NegativeL2IsConfigError) {
  const GeneratedSet set = RandomSet(20, TaskType::kRegression, 1, 40, 2, false);
  const Result<std::unique_ptr<Model>> model = TrainModel(Spec("ridge", -1), set.data());
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), ErrorCode::kConfig);
}

TEST(ModelRegistry, ListsBaselineLogisticRidgeInOrder) {
  const std::vector<std::string> names = ModelFamilyNames();
  const auto at = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) - names.begin();
  };
  ASSERT_LT(at("ridge"), static_cast<std::ptrdiff_t>(names.size()));
  EXPECT_LT(at("baseline"), at("logistic"));
  EXPECT_LT(at("logistic"), at("ridge"));
  EXPECT_FALSE(FindModelFamily("logistic")->supports(TaskType::kRegression));
  EXPECT_FALSE(FindModelFamily("ridge")->supports(TaskType::kBinary));
}

}  // namespace
}  // namespace kiln
