// Train(): cross-validation of the candidates on small synthetic frames, the choice, the refit,
// and the errors a user meets when the data cannot be trained on.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "features/feature_test_util.h"

namespace kiln {
namespace {

using testing::CategoricalColumn;
using testing::FloatColumn;
using testing::IntColumn;
using testing::MakeFrame;
using testing::TextColumn;

// A kiln.yaml with `extra` appended, parsed as the CLI would parse it.
ProblemSpec Spec(const std::string& task, const std::string& extra = "") {
  const std::string yaml = "version: 1\nproject: t\ntask: " + task + "\n" + extra;
  Result<ProblemSpec> spec = ParseProblemSpec(yaml, "kiln.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? *spec : ProblemSpec{};
}

constexpr const char* kBinaryTask = R"({type: binary, target: y, positive_class: "yes"})";
constexpr const char* kRocAuc = "metrics: {north_star: roc_auc}\n";
constexpr const char* kSmallXgboost =
    "models: [logistic, {family: xgboost, trees: 20, max_depth: 3, learning_rate: 0.3}]\n";

ProblemSpec BinarySpec(const std::string& extra = kSmallXgboost) {
  return Spec(kBinaryTask, std::string(kRocAuc) + extra);
}

// An XOR of the signs of a and b, which no linear model separates and shallow trees do; c is
// noise with a few missing values. Every `missing_every`-th row (0 = none) has no label.
Frame XorFrame(size_t rows, uint64_t seed, size_t missing_every = 0) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  std::vector<double> a, b, c;
  std::vector<std::string> y;
  for (size_t r = 0; r < rows; ++r) {
    a.push_back(normal(rng));
    b.push_back(normal(rng));
    c.push_back(r % 17 == 3 ? testing::kNan : normal(rng));
    const bool positive = (a.back() > 0) != (b.back() > 0);
    y.push_back(missing_every != 0 && r % missing_every == 1 ? "" : positive ? "yes" : "no");
  }
  return MakeFrame(
      {FloatColumn("a", a), FloatColumn("b", b), FloatColumn("c", c), CategoricalColumn("y", y)});
}

// y = 3a - 2b + noise, with an hourly timestamp `t` and rows in time order.
Frame LinearFrame(size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0, 1);
  std::vector<double> a, b, y;
  std::vector<int64_t> t;
  for (size_t r = 0; r < rows; ++r) {
    a.push_back(normal(rng));
    b.push_back(normal(rng));
    y.push_back(3 * a.back() - 2 * b.back() + 0.5 * normal(rng));
    t.push_back(1'300'000'000 + static_cast<int64_t>(r) * 3600);
  }
  return MakeFrame({testing::DatetimeColumn("t", t), FloatColumn("a", a), FloatColumn("b", b),
                    FloatColumn("y", y)});
}

const CandidateResult* Find(const TrainOutcome& out, const std::string& name) {
  for (const CandidateResult& c : out.leaderboard) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

ModelSpec Family(const std::string& name) {
  ModelSpec spec;
  spec.family = name;
  return spec;
}

std::vector<std::string> Families(const std::vector<ModelSpec>& specs) {
  std::vector<std::string> out;
  for (const ModelSpec& s : specs) out.push_back(s.family);
  return out;
}

TEST(Trainer, ChoosesXgboostWhenItBeatsTheBaseline) {
  Result<TrainOutcome> out = Train(BinarySpec(), XorFrame(400, 1));
  ASSERT_TRUE(out.ok()) << out.status().message();

  EXPECT_EQ(out->chosen, "xgboost");
  const CandidateResult* xgb = Find(*out, "xgboost");
  const CandidateResult* base = Find(*out, "baseline");
  ASSERT_NE(xgb, nullptr);
  ASSERT_NE(base, nullptr);
  EXPECT_GT(xgb->mean.at("roc_auc"), 0.9);
  EXPECT_LT(base->mean.at("roc_auc"), 0.6);
  EXPECT_EQ(out->bundle.candidate.spec.family, "xgboost");
  EXPECT_EQ(out->bundle.baseline.spec.family, "baseline");
  EXPECT_TRUE(out->cv_gate.go);
  // Kiln's tree runtime scores the trees, not XGBoost's predictor.
  EXPECT_NE(xgb->summary.find(R"("scorer":"kiln")"), std::string::npos) << xgb->summary;
}

TEST(Trainer, FoldsSideBySideGiveTheSameRunAsOneAtATime) {
  const Frame frame = XorFrame(500, 3);
  TrainOptions one, two;
  one.threads = 1;
  two.threads = 2;
  Result<TrainOutcome> a = Train(BinarySpec(), frame, one);
  Result<TrainOutcome> b = Train(BinarySpec(), frame, two);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->leaderboard.size(), b->leaderboard.size());
  for (size_t c = 0; c < a->leaderboard.size(); ++c) {
    EXPECT_EQ(a->leaderboard[c].name, b->leaderboard[c].name);
    EXPECT_EQ(a->leaderboard[c].folds, b->leaderboard[c].folds);
    EXPECT_EQ(a->leaderboard[c].oof.scores, b->leaderboard[c].oof.scores);
  }
  EXPECT_EQ(a->chosen, b->chosen);
  Result<std::vector<double>> sa = a->bundle.candidate.Score(frame);
  Result<std::vector<double>> sb = b->bundle.candidate.Score(frame);
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(*sa, *sb);
}

TEST(Trainer, LeaderboardHoldsEveryCandidateWithFoldsAndFullOutOfFoldScores) {
  Result<TrainOutcome> out = Train(BinarySpec(), XorFrame(300, 2));
  ASSERT_TRUE(out.ok()) << out.status().message();

  ASSERT_EQ(out->leaderboard.size(), 3u);
  std::vector<std::string> names;
  for (const CandidateResult& c : out->leaderboard) names.push_back(c.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"baseline", "logistic", "xgboost"}));
  for (const CandidateResult& c : out->leaderboard) {
    ASSERT_EQ(c.folds.size(), 5u) << c.name;
    for (const auto& fold : c.folds) EXPECT_TRUE(fold.count("roc_auc")) << c.name;
    EXPECT_TRUE(c.stddev.count("roc_auc")) << c.name;
    ASSERT_EQ(c.oof.rows(), 300u) << c.name;
    ASSERT_EQ(c.oof.scores.size(), 300u) << c.name;
    for (double s : c.oof.scores) {
      ASSERT_GE(s, 0.0) << c.name;
      ASSERT_LE(s, 1.0) << c.name;
    }
  }
}

TEST(Trainer, OutOfFoldScoresAreFilledForEveryRow) {
  // A real model scores nothing at exactly 0 on this data, so a zero is a row no fold covered.
  Result<TrainOutcome> out = Train(BinarySpec(), XorFrame(250, 3));
  ASSERT_TRUE(out.ok()) << out.status().message();
  const CandidateResult* xgb = Find(*out, "xgboost");
  ASSERT_NE(xgb, nullptr);
  EXPECT_EQ(std::count(xgb->oof.scores.begin(), xgb->oof.scores.end(), 0.0), 0);
}

TEST(Trainer, RowsWithoutATargetAreLeftOutAndCounted) {
  const Frame frame = XorFrame(300, 4, /*missing_every=*/10);
  Result<TrainOutcome> out = Train(BinarySpec(), frame);
  ASSERT_TRUE(out.ok()) << out.status().message();

  EXPECT_EQ(out->rows_missing_target, 30u);
  EXPECT_EQ(out->rows_used, 270u);
  for (const CandidateResult& c : out->leaderboard) EXPECT_EQ(c.oof.rows(), 270u) << c.name;
}

TEST(Trainer, MissingTargetColumnIsADataErrorNamingIt) {
  ProblemSpec spec = BinarySpec();
  spec.task.target = "income";
  Result<TrainOutcome> out = Train(spec, XorFrame(100, 5));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kData);
  EXPECT_NE(out.status().message().find("'income'"), std::string::npos) << out.status().message();
  EXPECT_NE(out.status().message().find("task.target"), std::string::npos)
      << out.status().message();
}

TEST(Trainer, ConstantTargetIsADataError) {
  Frame frame = MakeFrame({FloatColumn("a", std::vector<double>(60, 1.0)),
                           CategoricalColumn("y", std::vector<std::string>(60, "yes"))});
  Result<TrainOutcome> out = Train(BinarySpec(), frame);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kData);
  EXPECT_NE(out.status().message().find("constant"), std::string::npos) << out.status().message();
}

TEST(Trainer, ConstantRegressionTargetIsADataError) {
  Frame frame = MakeFrame({FloatColumn("a", {1, 2, 3, 4, 5}), FloatColumn("y", {7, 7, 7, 7, 7})});
  Result<TrainOutcome> out =
      Train(Spec("{type: regression, target: y}", "metrics: {north_star: rmse}\n"), frame);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kData);
  EXPECT_NE(out.status().message().find("constant"), std::string::npos) << out.status().message();
}

TEST(Trainer, TrainingFoldWithOneClassIsADataErrorNamingTheFold) {
  // Every positive row is in group "p", so the fold that tests group "p" trains on negatives only.
  std::vector<double> a;
  std::vector<std::string> g, y;
  for (size_t r = 0; r < 100; ++r) {
    const bool positive = r % 5 == 0;
    a.push_back(static_cast<double>(r));
    g.push_back(positive ? "p" : "n" + std::to_string(r % 4));
    y.push_back(positive ? "yes" : "no");
  }
  const Frame frame =
      MakeFrame({FloatColumn("a", a), CategoricalColumn("g", g), CategoricalColumn("y", y)});
  const ProblemSpec spec = BinarySpec(
      "data: {group_column: g}\n"
      "validation: {split: group_kfold, folds: 5}\n");
  ASSERT_EQ(spec.validation.split, SplitKind::kGroupKFold);

  Result<TrainOutcome> out = Train(spec, frame);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kData);
  EXPECT_NE(out.status().message().find("of 5 trains on a single class ('no')"), std::string::npos)
      << out.status().message();
}

TEST(Trainer, UnknownFamilyIsAUsageErrorWithTheNearestName) {
  ProblemSpec spec = BinarySpec();
  spec.training.models = {Family("xgbost")};
  Result<TrainOutcome> out = Train(spec, XorFrame(100, 6));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kUsage);
  EXPECT_NE(out.status().message().find("unknown model family 'xgbost'"), std::string::npos)
      << out.status().message();
  EXPECT_NE(out.status().message().find("did you mean 'xgboost'"), std::string::npos)
      << out.status().message();
}

TEST(Trainer, ClassificationFamilyOnRegressionNamesTheTask) {
  ProblemSpec spec = Spec("{type: regression, target: y}", "metrics: {north_star: rmse}\n");
  spec.training.models = {Family("logistic")};
  Result<TrainOutcome> out = Train(spec, LinearFrame(100, 7));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kUsage);
  EXPECT_NE(out.status().message().find("'logistic' does not support regression"),
            std::string::npos)
      << out.status().message();
}

TEST(Trainer, RegressionFamilyOnClassificationNamesTheTask) {
  ProblemSpec spec = BinarySpec();
  spec.training.models = {Family("ridge")};
  Result<TrainOutcome> out = Train(spec, XorFrame(100, 8));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kUsage);
  EXPECT_NE(out.status().message().find("'ridge' does not support binary"), std::string::npos)
      << out.status().message();
}

TEST(CandidateSpecs, ClassificationDefaultsAreBaselineLogisticXgboost) {
  EXPECT_EQ(Families(CandidateSpecs(BinarySpec(""))),
            (std::vector<std::string>{"baseline", "logistic", "xgboost"}));
}

TEST(CandidateSpecs, RegressionDefaultsAreBaselineRidgeXgboost) {
  const ProblemSpec spec = Spec("{type: regression, target: y}", "metrics: {north_star: rmse}\n");
  EXPECT_EQ(Families(CandidateSpecs(spec)),
            (std::vector<std::string>{"baseline", "ridge", "xgboost"}));
}

TEST(CandidateSpecs, BaselineComesFirstWhetherListedOrNot) {
  EXPECT_EQ(Families(CandidateSpecs(BinarySpec("models: [xgboost]\n"))),
            (std::vector<std::string>{"baseline", "xgboost"}));

  const std::vector<ModelSpec> listed = CandidateSpecs(
      BinarySpec("models: [xgboost, {family: baseline, strategy: most_frequent}]\n"));
  ASSERT_EQ(Families(listed), (std::vector<std::string>{"baseline", "xgboost"}));
  EXPECT_EQ(listed[0].strategy, "most_frequent");
}

TEST(CandidateNames, RepeatedFamiliesAreNumbered) {
  const std::vector<ModelSpec> specs =
      CandidateSpecs(BinarySpec("models: [xgboost, {family: xgboost, trees: 50}, logistic]\n"));
  EXPECT_EQ(CandidateNames(specs),
            (std::vector<std::string>{"baseline", "xgboost", "xgboost#2", "logistic"}));
}

TEST(FeatureColumns, LeavesOutTargetIdsGroupExclusionsPiiAndConsent) {
  const ProblemSpec spec = BinarySpec(
      "data: {id_columns: [id], group_column: g, exclude_columns: [leak]}\n"
      "governance: {pii_columns: [email], consent_column: consent}\n");
  const Frame frame = MakeFrame({IntColumn("id", {1, 2}), FloatColumn("a", {1, 2}),
                                 CategoricalColumn("g", {"x", "y"}), FloatColumn("leak", {0, 1}),
                                 TextColumn("email", {"a@b.c", "d@e.f"}),
                                 CategoricalColumn("consent", {"yes", "yes"}),
                                 FloatColumn("b", {3, 4}), CategoricalColumn("y", {"no", "yes"})});
  EXPECT_EQ(FeatureColumns(spec, frame), (std::vector<std::string>{"a", "b"}));
}

TEST(Trainer, TimeSeriesSplitTrainsARegression) {
  const ProblemSpec spec = Spec("{type: regression, target: y}",
                                "metrics: {north_star: rmse}\n"
                                "data: {time_column: t}\n"
                                "validation: {split: time_series, folds: 4, gap: 5}\n"
                                "models: [ridge, {family: xgboost, trees: 20}]\n");
  ASSERT_EQ(spec.validation.split, SplitKind::kTimeSeries);

  Result<TrainOutcome> out = Train(spec, LinearFrame(300, 9));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->chosen, "ridge");
  EXPECT_EQ(out->features, (std::vector<std::string>{"t", "a", "b"}));
  const CandidateResult* ridge = Find(*out, "ridge");
  ASSERT_NE(ridge, nullptr);
  EXPECT_EQ(ridge->folds.size(), 4u);
  EXPECT_LT(ridge->mean.at("rmse"), 1.0);
  EXPECT_LT(ridge->mean.at("rmse"), Find(*out, "baseline")->mean.at("rmse"));
}

TEST(Trainer, EarlyStoppingKeepsFewerRoundsThanTrees) {
  // Labels are coin flips: validation loss stops improving after a handful of rounds.
  std::mt19937_64 rng(10);
  std::normal_distribution<double> normal(0, 1);
  std::vector<double> a, b;
  std::vector<std::string> y;
  for (size_t r = 0; r < 400; ++r) {
    a.push_back(normal(rng));
    b.push_back(normal(rng));
    y.push_back(rng() % 2 ? "yes" : "no");
  }
  const Frame frame =
      MakeFrame({FloatColumn("a", a), FloatColumn("b", b), CategoricalColumn("y", y)});
  const ProblemSpec spec = BinarySpec(
      "models: [{family: xgboost, trees: 200, max_depth: 6, learning_rate: 0.5, "
      "early_stopping: 5}]\n");

  Result<TrainOutcome> out = Train(spec, frame);
  ASSERT_TRUE(out.ok()) << out.status().message();
  const CandidateResult* xgb = Find(*out, "xgboost");
  ASSERT_NE(xgb, nullptr);
  const nlohmann::json fold = nlohmann::json::parse(xgb->summary);
  EXPECT_LT(fold["rounds_grown"].get<int>(), 200) << xgb->summary;
  EXPECT_LE(fold["rounds_kept"].get<int>(), fold["rounds_grown"].get<int>()) << xgb->summary;
  EXPECT_LT(fold["rounds_kept"].get<int>(), 200) << xgb->summary;

  ASSERT_NE(out->bundle.candidate.model, nullptr);
  const nlohmann::json refit = nlohmann::json::parse(out->bundle.candidate.model->Summary());
  EXPECT_LT(refit["rounds_kept"].get<int>(), 200) << refit.dump();
}

constexpr const char* kOneXgboost =
    "models: [{family: xgboost, trees: 20, max_depth: 3, learning_rate: 0.3}]\n";

TEST(Trainer, WorkBesideTheFitsRunsOnce) {
  std::atomic<int> calls{0};
  TrainOptions options;
  options.beside = [&] {
    ++calls;
    return Status::Ok();
  };
  Result<TrainOutcome> out = Train(BinarySpec(kOneXgboost), XorFrame(300, 4), options);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(calls.load(), 1);
}

TEST(Trainer, AFailureBesideTheFitsFailsTheTraining) {
  TrainOptions options;
  options.beside = [] { return MakeError(ErrorCode::kIo, "the disk is full"); };
  Result<TrainOutcome> out = Train(BinarySpec(kOneXgboost), XorFrame(300, 4), options);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "the disk is full");
}

TEST(Trainer, EachRefitIsHandedOverOnceWithTheBundlesModels) {
  const Frame frame = XorFrame(300, 5);
  std::mutex mutex;
  std::vector<std::pair<bool, std::vector<double>>> handed;  // (baseline, scores on `frame`)
  TrainOptions options;
  options.on_refit = [&](const TrainOptions::Refitted& refit) -> Status {
    KILN_ASSIGN_OR_RETURN(std::vector<double> scores, refit.pair->Score(frame));
    const std::lock_guard<std::mutex> lock(mutex);
    handed.emplace_back(refit.baseline, std::move(scores));
    return Status::Ok();
  };
  Result<TrainOutcome> out = Train(BinarySpec(kOneXgboost), frame, options);
  ASSERT_TRUE(out.ok()) << out.status().message();

  ASSERT_EQ(handed.size(), 2u);
  std::sort(handed.begin(), handed.end());
  EXPECT_FALSE(handed[0].first);
  EXPECT_TRUE(handed[1].first);
  Result<std::vector<double>> candidate = out->bundle.candidate.Score(frame);
  Result<std::vector<double>> baseline = out->bundle.baseline.Score(frame);
  ASSERT_TRUE(candidate.ok() && baseline.ok());
  EXPECT_EQ(handed[0].second, *candidate);
  EXPECT_EQ(handed[1].second, *baseline);
}

TEST(Trainer, AFailedHandOverFailsTheTraining) {
  TrainOptions options;
  options.on_refit = [](const TrainOptions::Refitted& refit) -> Status {
    if (refit.baseline) return Status::Ok();
    return MakeError(ErrorCode::kData, "the held-out data has no target");
  };
  Result<TrainOutcome> out = Train(BinarySpec(kOneXgboost), XorFrame(300, 6), options);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "the held-out data has no target");
}

}  // namespace
}  // namespace kiln
