// Tests for the training sections of kiln.yaml (core/config.h): `models:`, `features:`,
// `decision:` and validation.gap. Positions in expected messages count from 1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/config.h"
#include "test_util.h"

namespace kiln {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The smallest valid spec for `task`, followed by `extra`. A binary spec takes five lines and the
// others four, so `extra` starts on line 6 (binary) or line 5.
std::string Spec(const std::string& extra, const std::string& task = "binary") {
  std::string text = "task:\n  type: " + task + "\n  target: y\n";
  if (task == "binary") text += "  positive_class: \"1\"\n";
  std::string metric = task == "binary" ? "roc_auc" : task == "multiclass" ? "macro_f1" : "rmse";
  return text + "metrics: {north_star: " + metric + "}\n" + extra;
}

ProblemSpec Parsed(const std::string& text) {
  Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().message() << "\n" << text;
  return spec.ok() ? *spec : ProblemSpec{};
}

std::string ConfigError(const std::string& text) {
  Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
  EXPECT_FALSE(spec.ok()) << "parsed although it should not:\n" << text;
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), ErrorCode::kConfig) << spec.status().message();
  return spec.status().message();
}

std::vector<std::string> Families(const ProblemSpec& spec) {
  std::vector<std::string> names;
  for (const ModelSpec& model : spec.training.models) names.push_back(model.family);
  return names;
}

size_t LineCount(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

// --- a broken file in tests/core/fixtures/config -------------------------------------------

TEST(ConfigTrainingFixture, EveryProblemIsReportedAtItsLineInOrder) {
  std::filesystem::path path =
      testing::SourceDir() / "tests" / "core" / "fixtures" / "config" / "training_problems.yaml";
  Result<ProblemSpec> spec = LoadProblemSpec(path);
  ASSERT_FALSE(spec.ok());
  const std::string& message = spec.status().message();
  EXPECT_THAT(message, HasSubstr("training_problems.yaml:9:8 applies to split: time_series"));
  EXPECT_THAT(message, HasSubstr("training_problems.yaml:11:5: logistic is for binary"));
  EXPECT_THAT(message, HasSubstr("training_problems.yaml:12:27 does not apply to xgboost"));
  EXPECT_THAT(message, HasSubstr("training_problems.yaml:13:37 does not apply to ridge"));
  EXPECT_THAT(message, HasSubstr("training_problems.yaml:15:12 must be one of none, standard"));
  EXPECT_THAT(message, HasSubstr("training_problems.yaml:16:47 must be between 2 and 20"));
  EXPECT_THAT(message, HasSubstr("training_problems.yaml:18:3 applies to binary tasks only"));
  EXPECT_EQ(LineCount(message), 7u) << message;
  EXPECT_LT(message.find("yaml:9:8"), message.find("yaml:11:5"));
  EXPECT_LT(message.find("yaml:16:47"), message.find("yaml:18:3"));
}

// The `index`th ```yaml block of docs/kiln-yaml.md, so that the reference's examples stay valid.
std::string DocsExample(size_t index) {
  std::string text = testing::ReadFile(testing::SourceDir() / "docs" / "kiln-yaml.md");
  size_t start = 0;
  for (size_t i = 0; i <= index; ++i) {
    start = text.find("```yaml\n", start);
    if (start == std::string::npos) return "";
    start += 8;
  }
  return text.substr(start, text.find("```", start) - start);
}

TEST(ConfigTrainingDocs, CompleteExampleParses) {
  ProblemSpec spec = Parsed(DocsExample(0));
  EXPECT_EQ(spec.training.models.size(), 4u);
  EXPECT_EQ(spec.training.features.scaling, Scaling::kStandard);
  EXPECT_EQ(spec.training.decision.kind, "max_recall");
}

TEST(ConfigTrainingDocs, TimeSeriesAndSectionExamplesParse) {
  ProblemSpec time_series = Parsed(Spec(DocsExample(1), "regression"));
  EXPECT_EQ(time_series.validation.gap, 24);
  EXPECT_EQ(Parsed(Spec(DocsExample(3))).training.models.size(), 4u);
  EXPECT_EQ(Parsed(Spec(DocsExample(4))).training.features.encode.categorical,
            CategoricalEncoding::kOneHot);
}

// --- defaults ------------------------------------------------------------------------------

TEST(ConfigTraining, AbsentSectionsLeaveModelsEmptyAndDefaultsElsewhere) {
  ProblemSpec spec = Parsed(Spec(""));
  EXPECT_THAT(spec.training.models, IsEmpty());
  EXPECT_EQ(spec.training.features.impute.numeric, NumericImpute::kMedian);
  EXPECT_EQ(spec.training.features.encode.categorical, CategoricalEncoding::kNative);
  EXPECT_EQ(spec.training.features.scaling, Scaling::kNone);
  EXPECT_EQ(spec.training.decision.kind, "fixed");
  EXPECT_DOUBLE_EQ(spec.training.decision.threshold, 0.5);
  EXPECT_EQ(spec.validation.gap, 0);
}

TEST(ConfigTraining, EmptySectionsMeanTheDefaults) {
  ProblemSpec spec = Parsed(Spec("models:\nfeatures:\ndecision:\n"));
  EXPECT_THAT(spec.training.models, IsEmpty());
  EXPECT_EQ(spec.training.features.datetime.parts, DatetimeSpec{}.parts);
  EXPECT_EQ(spec.training.decision.kind, "fixed");
}

// --- models: each family -------------------------------------------------------------------

TEST(ConfigModels, FamilyNamesAreTheShortForm) {
  ProblemSpec spec = Parsed(Spec("models: [baseline, logistic, xgboost, random_forest]\n"));
  EXPECT_THAT(Families(spec), ElementsAre("baseline", "logistic", "xgboost", "random_forest"));
  ModelSpec defaults;
  defaults.family = "xgboost";
  EXPECT_EQ(spec.training.models[2], defaults);
}

TEST(ConfigModels, XgboostTakesItsParameters) {
  ProblemSpec spec =
      Parsed(Spec("models:\n  - family: xgboost\n    trees: 800\n    max_depth: 4\n"
                  "    learning_rate: 0.05\n    early_stopping: 30\n    subsample: 0.8\n"
                  "    colsample: 0.7\n    min_child_weight: 2.5\n    threads: 4\n"));
  ASSERT_EQ(spec.training.models.size(), 1u);
  const ModelSpec& model = spec.training.models[0];
  EXPECT_EQ(model.trees, 800);
  EXPECT_EQ(model.max_depth, 4);
  EXPECT_DOUBLE_EQ(model.learning_rate, 0.05);
  EXPECT_EQ(model.early_stopping, 30);
  EXPECT_DOUBLE_EQ(model.subsample, 0.8);
  EXPECT_DOUBLE_EQ(model.colsample, 0.7);
  EXPECT_DOUBLE_EQ(model.min_child_weight, 2.5);
  EXPECT_EQ(model.threads, 4);
}

TEST(ConfigModels, RandomForestTakesItsParameters) {
  ProblemSpec spec =
      Parsed(Spec("models: [{family: random_forest, trees: 500, max_depth: 12, "
                  "subsample: 0.5, colsample: 0.3, min_child_weight: 0}]\n"));
  const ModelSpec& model = spec.training.models.at(0);
  EXPECT_EQ(model.trees, 500);
  EXPECT_EQ(model.max_depth, 12);
  EXPECT_DOUBLE_EQ(model.subsample, 0.5);
  EXPECT_DOUBLE_EQ(model.colsample, 0.3);
  EXPECT_DOUBLE_EQ(model.min_child_weight, 0);
}

TEST(ConfigModels, RandomForestLeavesSamplingAtOneForTheTrainersDefaults) {
  const ProblemSpec spec = Parsed(Spec("models: [random_forest]\n"));
  const ModelSpec& model = spec.training.models.at(0);
  EXPECT_DOUBLE_EQ(model.subsample, 1.0);
  EXPECT_DOUBLE_EQ(model.colsample, 1.0);
}

TEST(ConfigModels, LogisticTakesL2AndIterations) {
  ProblemSpec spec =
      Parsed(Spec("models: [{family: logistic, l2: 0.1, max_iterations: 500}]\n", "multiclass"));
  EXPECT_DOUBLE_EQ(spec.training.models.at(0).l2, 0.1);
  EXPECT_EQ(spec.training.models.at(0).max_iterations, 500);
}

TEST(ConfigModels, RidgeTakesL2ForRegression) {
  ProblemSpec spec = Parsed(Spec("models: [{family: ridge, l2: 10}]\n", "regression"));
  EXPECT_DOUBLE_EQ(spec.training.models.at(0).l2, 10);
}

TEST(ConfigModels, BaselineStrategyFitsTheTask) {
  EXPECT_EQ(Parsed(Spec("models: [{family: baseline, strategy: most_frequent}]\n"))
                .training.models.at(0)
                .strategy,
            "most_frequent");
  EXPECT_EQ(Parsed(Spec("models: [{family: baseline, strategy: median}]\n", "regression"))
                .training.models.at(0)
                .strategy,
            "median");
}

TEST(ConfigModels, BaselineStrategyDefaultsByTask) {
  EXPECT_EQ(Parsed(Spec("models: [baseline]\n")).training.models.at(0).strategy, "prior");
  EXPECT_EQ(
      Parsed(Spec("models: [{family: baseline}]\n", "regression")).training.models.at(0).strategy,
      "mean");
}

TEST(ConfigModels, BaselineWithItsDefaultStrategyIsARepeat) {
  EXPECT_THAT(ConfigError(Spec("models: [baseline, {family: baseline, strategy: prior}]\n")),
              HasSubstr("models[1] at kiln.yaml:6:20 repeats models[0]"));
}

// --- models: errors ------------------------------------------------------------------------

TEST(ConfigModels, UnknownFamilySuggestsTheNearest) {
  EXPECT_THAT(ConfigError(Spec("models: [xgbost]\n")),
              HasSubstr("models[0] at kiln.yaml:6:10 must be one of baseline, logistic, ridge, "
                        "xgboost, random_forest, got 'xgbost'; did you mean 'xgboost'?"));
  EXPECT_THAT(ConfigError(Spec("models:\n  - {family: random_frest}\n")),
              HasSubstr("models[0].family at kiln.yaml:7:14 must be one of"));
  EXPECT_THAT(ConfigError(Spec("models:\n  - {family: random_frest}\n")),
              HasSubstr("did you mean 'random_forest'?"));
}

TEST(ConfigModels, UnknownParameterSuggestsTheNearest) {
  EXPECT_THAT(ConfigError(Spec("models:\n  - {family: xgboost, max_dept: 4}\n")),
              HasSubstr("unknown key 'max_dept' in models[0] at kiln.yaml:7:23; did you mean "
                        "'max_depth'?"));
}

TEST(ConfigModels, MappingNeedsAFamily) {
  EXPECT_THAT(ConfigError(Spec("models:\n  - {trees: 10}\n")),
              HasSubstr("missing required key 'family' in models[0] at kiln.yaml:7:5"));
}

TEST(ConfigModels, ParameterOfAnotherFamilyNamesTheFamily) {
  EXPECT_THAT(ConfigError(Spec("models:\n  - {family: xgboost, l2: 3}\n")),
              HasSubstr("models[0].l2 at kiln.yaml:7:27 does not apply to xgboost, which takes "
                        "trees, max_depth, learning_rate"));
  EXPECT_THAT(ConfigError(Spec("models: [{family: random_forest, learning_rate: 0.1}]\n")),
              HasSubstr("models[0].learning_rate at kiln.yaml:6:49 does not apply to "
                        "random_forest"));
  EXPECT_THAT(ConfigError(Spec("models: [{family: logistic, trees: 10}]\n")),
              HasSubstr("models[0].trees at kiln.yaml:6:36 does not apply to logistic, which "
                        "takes l2, max_iterations, threads"));
  EXPECT_THAT(ConfigError(Spec("models: [{family: ridge, max_iterations: 9}]\n", "regression")),
              HasSubstr("does not apply to ridge, which takes l2, threads"));
  EXPECT_THAT(ConfigError(Spec("models: [{family: xgboost, strategy: prior}]\n")),
              HasSubstr("models[0].strategy at kiln.yaml:6:38 does not apply to xgboost"));
}

TEST(ConfigModels, WholeNumberParametersHaveRanges) {
  auto error = [](const std::string& entry) {
    return ConfigError(Spec("models: [{family: xgboost, " + entry + "}]\n"));
  };
  EXPECT_THAT(error("trees: 0"), HasSubstr("models[0].trees at kiln.yaml:6:35 must be between 1 "
                                           "and 100000, got 0"));
  EXPECT_THAT(error("max_depth: 33"), HasSubstr("must be between 1 and 32, got 33"));
  EXPECT_THAT(error("early_stopping: -1"), HasSubstr("must be between 0 and 100000, got -1"));
  EXPECT_THAT(error("threads: -2"), HasSubstr("models[0].threads at kiln.yaml:6:37 must be between "
                                              "0 and 4096, got -2"));
  EXPECT_THAT(error("trees: 2.5"), HasSubstr("must be a whole number, got '2.5'"));
  EXPECT_THAT(ConfigError(Spec("models: [{family: logistic, max_iterations: 0}]\n")),
              HasSubstr("models[0].max_iterations at kiln.yaml:6:45 must be between 1 and 100000"));
}

TEST(ConfigModels, RealParametersHaveRanges) {
  auto error = [](const std::string& family, const std::string& entry) {
    return ConfigError(Spec("models: [{family: " + family + ", " + entry + "}]\n"));
  };
  EXPECT_THAT(error("xgboost", "learning_rate: 0"),
              HasSubstr("models[0].learning_rate at kiln.yaml:6:43 must be above 0 and at most 1, "
                        "got 0"));
  EXPECT_THAT(error("xgboost", "learning_rate: 1.5"), HasSubstr("at most 1, got 1.5"));
  EXPECT_THAT(error("xgboost", "subsample: 0"), HasSubstr("must be above 0 and at most 1"));
  EXPECT_THAT(error("random_forest", "colsample: 1.01"), HasSubstr("at most 1, got 1.01"));
  EXPECT_THAT(error("xgboost", "min_child_weight: -1"), HasSubstr("must be at least 0, got -1"));
  EXPECT_THAT(error("logistic", "l2: 0"),
              HasSubstr("models[0].l2 at kiln.yaml:6:33 must be above 0, got 0"));
  EXPECT_THAT(error("logistic", "l2: lots"), HasSubstr("must be a number, got 'lots'"));
}

TEST(ConfigModels, LogisticIsForClassificationOnly) {
  EXPECT_THAT(ConfigError(Spec("models: [logistic]\n", "regression")),
              HasSubstr("models[0] at kiln.yaml:5:10: logistic is for binary and multiclass "
                        "tasks, and task.type is regression; use ridge instead"));
}

TEST(ConfigModels, RidgeIsForRegressionOnly) {
  EXPECT_THAT(ConfigError(Spec("models: [{family: ridge}]\n")),
              HasSubstr("models[0].family at kiln.yaml:6:19: ridge is for regression tasks, and "
                        "task.type is binary; use logistic instead"));
}

TEST(ConfigModels, BaselineStrategyMustFitTheTask) {
  EXPECT_THAT(ConfigError(Spec("models: [{family: baseline, strategy: mean}]\n")),
              HasSubstr("models[0].strategy at kiln.yaml:6:39: 'mean' is a regression baseline, "
                        "and task.type is binary; use prior or most_frequent"));
  EXPECT_THAT(ConfigError(Spec("models: [{family: baseline, strategy: prior}]\n", "regression")),
              HasSubstr("'prior' is a classification baseline, and task.type is regression; use "
                        "mean or median"));
  EXPECT_THAT(ConfigError(Spec("models: [{family: baseline, strategy: meadian}]\n", "regression")),
              HasSubstr("did you mean 'median'?"));
}

TEST(ConfigModels, ExactRepeatIsRefused) {
  EXPECT_THAT(ConfigError(Spec("models: [xgboost, {family: xgboost, trees: 300}]\n")),
              HasSubstr("models[1] at kiln.yaml:6:19 repeats models[0]: xgboost with the same "
                        "parameters would be trained twice"));
}

TEST(ConfigModels, SameFamilyWithOtherParametersIsAllowed) {
  ProblemSpec spec = Parsed(Spec("models: [xgboost, {family: xgboost, max_depth: 3}]\n"));
  EXPECT_THAT(Families(spec), ElementsAre("xgboost", "xgboost"));
  EXPECT_EQ(spec.training.models[1].max_depth, 3);
}

TEST(ConfigModels, EmptyListIsRefused) {
  EXPECT_THAT(ConfigError(Spec("models: []\n")),
              HasSubstr("models at kiln.yaml:6:9 lists no model families; list at least one, or "
                        "remove models:"));
}

TEST(ConfigModels, EntryMustBeANameOrAMapping) {
  EXPECT_THAT(ConfigError(Spec("models: xgboost\n")), HasSubstr("models at kiln.yaml:6:9 must be "
                                                                "a list"));
  EXPECT_THAT(ConfigError(Spec("models: [[xgboost]]\n")),
              HasSubstr("models[0] at kiln.yaml:6:10 must be a model family (e.g. xgboost) or a "
                        "mapping of family: and its parameters, got a list"));
}

// --- validation.gap ------------------------------------------------------------------------

TEST(ConfigGap, IsReadForTimeSeries) {
  ProblemSpec spec =
      Parsed(Spec("data: {time_column: t}\nvalidation: {split: time_series, gap: 7}\n"));
  EXPECT_EQ(spec.validation.gap, 7);
}

TEST(ConfigGap, WithAnotherSplitIsRefused) {
  EXPECT_THAT(ConfigError(Spec("validation: {split: kfold, gap: 3}\n")),
              HasSubstr("validation.gap at kiln.yaml:6:33 applies to split: time_series only, and "
                        "the split is kfold; set validation.split: time_series or remove it"));
}

TEST(ConfigGap, WithTheDefaultSplitIsRefused) {
  EXPECT_THAT(ConfigError(Spec("validation: {gap: 2}\n")),
              HasSubstr("and the split is stratified_kfold"));
}

TEST(ConfigGap, MustNotBeNegative) {
  EXPECT_THAT(ConfigError(Spec("data: {time_column: t}\nvalidation: {split: time_series, "
                               "gap: -1}\n")),
              HasSubstr("validation.gap at kiln.yaml:7:39 must be between 0 and 1000000000, "
                        "got -1"));
}

// --- features ------------------------------------------------------------------------------

TEST(ConfigFeatures, EverySettingIsRead) {
  FeatureSpec features = Parsed(Spec(R"(features:
  impute: {numeric: constant, categorical: most_frequent, fill: -1, missing_indicators: false}
  encode: {categorical: target, target_smoothing: 5, target_folds: 10}
  scaling: robust
  datetime: {parts: [year, hour], reference: "2011-01-01"}
  pca: {components: 3}
  select: {min_variance: 0.01, max_correlation: 0.95, mutual_information_top: 20,
           importance_top: 10}
)"))
                             .training.features;
  EXPECT_EQ(features.impute.numeric, NumericImpute::kConstant);
  EXPECT_EQ(features.impute.categorical, CategoricalImpute::kMostFrequent);
  EXPECT_DOUBLE_EQ(features.impute.numeric_fill, -1);
  EXPECT_FALSE(features.impute.missing_indicators);
  EXPECT_EQ(features.encode.categorical, CategoricalEncoding::kTarget);
  EXPECT_DOUBLE_EQ(features.encode.target_smoothing, 5);
  EXPECT_EQ(features.encode.target_folds, 10);
  EXPECT_EQ(features.scaling, Scaling::kRobust);
  EXPECT_THAT(features.datetime.parts, ElementsAre("year", "hour"));
  EXPECT_EQ(features.datetime.reference, "2011-01-01");
  EXPECT_EQ(features.pca.components, 3);
  EXPECT_DOUBLE_EQ(features.select.min_variance, 0.01);
  EXPECT_DOUBLE_EQ(features.select.max_correlation, 0.95);
  EXPECT_EQ(features.select.mutual_information_top, 20);
  EXPECT_EQ(features.select.importance_top, 10);
}

TEST(ConfigFeatures, OneHotTakesACategoryCap) {
  EncodeSpec encode =
      Parsed(Spec("features: {encode: {categorical: one_hot, max_categories: 50}}\n"))
          .training.features.encode;
  EXPECT_EQ(encode.categorical, CategoricalEncoding::kOneHot);
  EXPECT_EQ(encode.max_categories, 50);
}

TEST(ConfigFeatures, UnknownKeySuggestsTheNearest) {
  EXPECT_THAT(ConfigError(Spec("features: {scalling: standard}\n")),
              HasSubstr("unknown key 'scalling' in features at kiln.yaml:6:12; did you mean "
                        "'scaling'?"));
  EXPECT_THAT(ConfigError(Spec("features:\n  impute: {numerc: mean}\n")),
              HasSubstr("unknown key 'numerc' in features.impute at kiln.yaml:7:12; did you mean "
                        "'numeric'?"));
}

TEST(ConfigFeatures, UnknownChoicesSuggestTheNearest) {
  EXPECT_THAT(ConfigError(Spec("features: {scaling: robus}\n")),
              HasSubstr("features.scaling at kiln.yaml:6:21 must be one of none, standard, "
                        "robust, got 'robus'; did you mean 'robust'?"));
  EXPECT_THAT(ConfigError(Spec("features: {impute: {numeric: meen}}\n")),
              HasSubstr("did you mean 'mean'?"));
  EXPECT_THAT(ConfigError(Spec("features: {impute: {categorical: most_frequnt}}\n")),
              HasSubstr("did you mean 'most_frequent'?"));
  EXPECT_THAT(ConfigError(Spec("features: {encode: {categorical: onehot}}\n")),
              HasSubstr("did you mean 'one_hot'?"));
}

TEST(ConfigFeatures, FillNeedsConstantImputation) {
  EXPECT_THAT(ConfigError(Spec("features: {impute: {fill: 0}}\n")),
              HasSubstr("features.impute.fill at kiln.yaml:6:27 applies to numeric: constant "
                        "only; set features.impute.numeric: constant or remove it"));
}

TEST(ConfigFeatures, TargetSettingsNeedTargetEncoding) {
  EXPECT_THAT(ConfigError(Spec("features: {encode: {target_folds: 3}}\n")),
              HasSubstr("features.encode.target_folds at kiln.yaml:6:35 applies to categorical: "
                        "target only"));
  EXPECT_THAT(
      ConfigError(Spec("features: {encode: {categorical: ordinal, target_smoothing: 1}}\n")),
      HasSubstr("features.encode.target_smoothing at kiln.yaml:6:61 applies to "
                "categorical: target only"));
  EXPECT_THAT(ConfigError(Spec("features: {encode: {categorical: target, max_categories: 5}}\n")),
              HasSubstr("applies to categorical: one_hot and native only"));
}

TEST(ConfigFeatures, EncodingNumbersHaveRanges) {
  EXPECT_THAT(ConfigError(Spec("features: {encode: {max_categories: 1}}\n")),
              HasSubstr("features.encode.max_categories at kiln.yaml:6:37 must be between 2 and "
                        "1000000, got 1"));
  EXPECT_THAT(ConfigError(Spec("features: {encode: {categorical: target, target_folds: 21}}\n")),
              HasSubstr("must be between 2 and 20, got 21"));
  EXPECT_THAT(
      ConfigError(Spec("features: {encode: {categorical: target, target_smoothing: -1}}\n")),
      HasSubstr("must be at least 0, got -1"));
}

TEST(ConfigFeatures, DatetimePartsAreTheStepsParts) {
  EXPECT_THAT(ConfigError(Spec("features: {datetime: {parts: [year, hours]}}\n")),
              HasSubstr("features.datetime.parts[1] at kiln.yaml:6:37 must be one of year, "
                        "month, day_of_week, hour, elapsed, got 'hours'; did you mean 'hour'?"));
  EXPECT_THAT(ConfigError(Spec("features: {datetime: {parts: [year, year]}}\n")),
              HasSubstr("features.datetime.parts[1] at kiln.yaml:6:37 repeats 'year'"));
  EXPECT_THAT(ConfigError(Spec("features: {datetime: {parts: []}}\n")),
              HasSubstr("features.datetime.parts at kiln.yaml:6:30 lists no parts"));
}

TEST(ConfigFeatures, DatetimeReferenceIsAnIsoDate) {
  EXPECT_EQ(Parsed(Spec("features: {datetime: {reference: \"2011-01-01T06:30:00\"}}\n"))
                .training.features.datetime.reference,
            "2011-01-01T06:30:00");
  EXPECT_THAT(ConfigError(Spec("features: {datetime: {reference: 01/02/2011}}\n")),
              HasSubstr("features.datetime.reference at kiln.yaml:6:34 must be a date written "
                        "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, got '01/02/2011'"));
  EXPECT_THAT(ConfigError(Spec("features: {datetime: {reference: 2011-13-01}}\n")),
              HasSubstr("got '2011-13-01'"));
}

TEST(ConfigFeatures, PcaAndSelectionCountsAreNotNegative) {
  EXPECT_THAT(ConfigError(Spec("features: {pca: {components: -1}}\n")),
              HasSubstr("features.pca.components at kiln.yaml:6:30 must be between 0 and 1000000"));
  EXPECT_THAT(ConfigError(Spec("features: {select: {importance_top: -5}}\n")),
              HasSubstr("features.select.importance_top at kiln.yaml:6:37 must be between 0"));
  EXPECT_THAT(ConfigError(Spec("features: {select: {mutual_information_top: -1}}\n")),
              HasSubstr("must be between 0 and 1000000, got -1"));
}

TEST(ConfigFeatures, MaxCorrelationIsAPositiveFraction) {
  EXPECT_THAT(ConfigError(Spec("features: {select: {max_correlation: 0}}\n")),
              HasSubstr("features.select.max_correlation at kiln.yaml:6:38 must be above 0 and at "
                        "most 1, got 0"));
  EXPECT_THAT(ConfigError(Spec("features: {select: {max_correlation: 1.2}}\n")),
              HasSubstr("got 1.2"));
}

TEST(ConfigFeatures, NegativeMinVarianceTurnsTheFilterOff) {
  EXPECT_DOUBLE_EQ(Parsed(Spec("features: {select: {min_variance: -1}}\n"))
                       .training.features.select.min_variance,
                   -1);
}

// --- decision ------------------------------------------------------------------------------

TEST(ConfigDecision, FixedTakesAThreshold) {
  ThresholdObjective decision = Parsed(Spec("decision: {threshold: 0.3}\n")).training.decision;
  EXPECT_EQ(decision.kind, "fixed");
  EXPECT_DOUBLE_EQ(decision.threshold, 0.3);
}

TEST(ConfigDecision, EachObjectiveReadsItsSettings) {
  EXPECT_EQ(Parsed(Spec("decision: {objective: max_f1}\n")).training.decision.kind, "max_f1");
  ThresholdObjective recall =
      Parsed(Spec("decision: {objective: max_recall, min_precision: 0.9}\n")).training.decision;
  EXPECT_EQ(recall.kind, "max_recall");
  EXPECT_DOUBLE_EQ(recall.min_precision, 0.9);
  ThresholdObjective precision =
      Parsed(Spec("decision: {objective: max_precision, min_recall: 0.7}\n")).training.decision;
  EXPECT_DOUBLE_EQ(precision.min_recall, 0.7);
  ThresholdObjective cost = Parsed(Spec("decision:\n  objective: min_cost\n"
                                        "  cost_false_positive: 1\n  cost_false_negative: 0\n"))
                                .training.decision;
  EXPECT_EQ(cost.kind, "min_cost");
  EXPECT_DOUBLE_EQ(cost.cost_false_negative, 0);
}

TEST(ConfigDecision, IsForBinaryTasksOnly) {
  EXPECT_THAT(ConfigError(Spec("decision: {objective: max_f1}\n", "regression")),
              HasSubstr("decision at kiln.yaml:5:11 applies to binary tasks only, and task.type "
                        "is regression; remove it"));
  EXPECT_THAT(ConfigError(Spec("decision: {objective: max_f1}\n", "multiclass")),
              HasSubstr("and task.type is multiclass"));
}

TEST(ConfigDecision, ConstrainedObjectivesNeedTheirConstraint) {
  EXPECT_THAT(ConfigError(Spec("decision: {objective: max_recall}\n")),
              HasSubstr("missing required key 'min_precision' in decision at kiln.yaml:6:11"));
  EXPECT_THAT(ConfigError(Spec("decision: {objective: max_precision}\n")),
              HasSubstr("missing required key 'min_recall' in decision at kiln.yaml:6:11"));
}

TEST(ConfigDecision, SettingsOfAnotherObjectiveAreRefused) {
  EXPECT_THAT(ConfigError(Spec("decision: {objective: max_f1, threshold: 0.4}\n")),
              HasSubstr("decision.threshold at kiln.yaml:6:42 applies to objective: fixed only; "
                        "set decision.objective: fixed or remove it"));
  EXPECT_THAT(ConfigError(Spec("decision: {objective: max_recall, min_precision: 0.8, "
                               "min_recall: 0.5}\n")),
              HasSubstr("decision.min_recall at kiln.yaml:6:67 applies to objective: "
                        "max_precision only"));
  EXPECT_THAT(ConfigError(Spec("decision: {cost_false_positive: 2}\n")),
              HasSubstr("applies to objective: min_cost only"));
}

TEST(ConfigDecision, CostsAreNotNegativeAndNotBothZero) {
  EXPECT_THAT(ConfigError(Spec("decision: {objective: min_cost, cost_false_positive: -1}\n")),
              HasSubstr("decision.cost_false_positive at kiln.yaml:6:54 must be at least 0, "
                        "got -1"));
  EXPECT_THAT(ConfigError(Spec("decision: {objective: min_cost, cost_false_positive: 0, "
                               "cost_false_negative: 0}\n")),
              HasSubstr("decision at kiln.yaml:6:11: cost_false_positive and cost_false_negative "
                        "are both 0"));
}

TEST(ConfigDecision, RatesAndThresholdAreFractions) {
  EXPECT_THAT(ConfigError(Spec("decision: {threshold: 1.5}\n")),
              HasSubstr("decision.threshold at kiln.yaml:6:23 must be between 0 and 1, got 1.5"));
  EXPECT_THAT(ConfigError(Spec("decision: {objective: max_recall, min_precision: 0}\n")),
              HasSubstr("must be above 0 and at most 1, got 0"));
}

TEST(ConfigDecision, UnknownNamesSuggestTheNearest) {
  EXPECT_THAT(ConfigError(Spec("decision: {objective: max_f}\n")),
              HasSubstr("decision.objective at kiln.yaml:6:23 must be one of fixed, max_f1, "
                        "max_recall, max_precision, min_cost, got 'max_f'; did you mean "
                        "'max_f1'?"));
  EXPECT_THAT(ConfigError(Spec("decision: {treshold: 0.4}\n")),
              HasSubstr("unknown key 'treshold' in decision at kiln.yaml:6:12; did you mean "
                        "'threshold'?"));
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

TEST(ConfigExpansion, AliasBombIsRefusedQuickly) {
  std::string text = "version: 1\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < 9; ++level) {
    text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *l" : "*l") + std::to_string(level - 1);
    text += "]\n";
  }
  const Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("anchors and aliases"), std::string::npos)
      << spec.status().message();
}

TEST(ConfigExpansion, AliasInsideItsOwnAnchorIsRefused) {
  const Result<ProblemSpec> spec = ParseProblemSpec("version: 1\nloop: &a [*a]\n", "kiln.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), ErrorCode::kConfig);
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

// yaml-cpp never returns on these; Kiln refuses them before parsing.
TEST(ConfigExpansion, CommaWithNoValueBeforeItIsRefused) {
  for (const char* text : {",", ",]", "version: 1\n- a\n,]", "  , x", "# note\n,}", "!,", "&a ,",
                           "!x ,", "[],'", "a: [b]\n{},", "'a',"}) {
    const Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
    ASSERT_FALSE(spec.ok()) << text;
    EXPECT_NE(spec.status().message().find("outside any list or mapping"), std::string::npos)
        << spec.status().message();
  }
}

TEST(ConfigExpansion, DirectivesAreRefused) {
  for (const char* text : {"%YAML 1.2\n---\nversion: 1\n", "%[\n,", "%,3,,,,\n,,m,,"}) {
    const Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
    ASSERT_FALSE(spec.ok()) << text;
    EXPECT_NE(spec.status().message().find("YAML directive"), std::string::npos)
        << spec.status().message();
    EXPECT_NE(spec.status().message().find("kiln.yaml:1:1"), std::string::npos)
        << spec.status().message();
  }
}

TEST(ConfigExpansion, TextGluedToAFinishedValueIsRefused) {
  for (const char* text : {"\"\"\"\"\"t\"\"\",t'ag$f", "a: 'b'c\n", "a: [1]x\n", "'a'!t\n",
                           "'#'''''!,'\n", "\"a\"&a, a", "[]!t,", "{}&x,"}) {
    const Result<ProblemSpec> spec = ParseProblemSpec(text, "kiln.yaml");
    ASSERT_FALSE(spec.ok()) << text;
    EXPECT_NE(spec.status().message().find("right after a quoted value"), std::string::npos)
        << spec.status().message();
  }
}

TEST(ConfigExpansion, BlockScalarsAreText) {
  // Quotes, commas and brackets inside a block scalar are its text, not YAML.
  const Result<ProblemSpec> spec = ParseProblemSpec(
      "version: 1\nproject: p\ndescription: |\n  The \"north star\" is, [roughly] 'it'.\n"
      "  , more\n\n  %done\ntask: {type: regression, target: y}\n"
      "metrics:\n  north_star: {name: rmse}\n",
      "kiln.yaml");
  ASSERT_FALSE(!spec.ok() && (spec.status().message().find("right after") != std::string::npos ||
                              spec.status().message().find("outside any") != std::string::npos ||
                              spec.status().message().find("directive") != std::string::npos))
      << spec.status().message();
}

TEST(ConfigExpansion, CommasInsideQuotesAndListsAreFine) {
  const Result<ProblemSpec> spec = ParseProblemSpec(
      "version: 1\nproject: it's\ntask: {type: regression, target: y}\n"
      "metrics:\n  north_star: {name: rmse}\n"
      "data:\n  sources:\n    - name: s\n      uri: \"sqlite:x.db\"\n"
      "      query: \"SELECT a\n        , b FROM t\"\n  exclude_columns: [a\n    , b]\n",
      "kiln.yaml");
  EXPECT_FALSE(!spec.ok() && spec.status().message().find("outside any list") != std::string::npos)
      << spec.status().message();
}

}  // namespace
}  // namespace kiln
