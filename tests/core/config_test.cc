// Tests for kiln.yaml parsing and validation (core/config.h) and the edit distance behind its
// "did you mean" suggestions (core/text_distance.h).
#include "core/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/text_distance.h"
#include "test_util.h"

namespace kiln {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kFullSpec = R"(version: 1
project: adult-income
task:
  type: binary
  target: target
  positive_class: ">50K"
metrics:
  north_star: {name: roc_auc, threshold: 0.90}
  guardrails:
    - {name: accuracy, min: 0.85}
    - {name: log_loss, max: 0.35}
fairness:
  protected_attributes: [sex, race]
  limits:
    - {metric: demographic_parity_difference, max: 0.2}
    - {metric: equalized_odds_difference, max: 0.2}
data:
  sources:
    - name: adult
      path: ../shared/datasets/adult/adult-train.csv
      delimiter: ","
  missing_values: ["", "NA", "?", "null"]
  columns:
    fnlgwt: {type: float}
    dateday: {type: datetime, format: "%d-%m-%Y"}
  id_columns: [ID]
  time_column: dateday
  group_column: customer_id
  exclude_columns: [casual, registered]
validation:
  split: stratified_kfold
  folds: 5
  seed: 42
governance:
  pii_columns: [email]
  consent_column: consent
  retention_days: 365
)";

// The smallest valid binary spec, to which tests append one section.
std::string Minimal(const std::string& extra = "", const std::string& task = "binary") {
  std::string text = "task:\n  type: " + task + "\n  target: y\n";
  if (task == "binary") text += "  positive_class: \"1\"\n";
  std::string metric = task == "binary" ? "roc_auc" : task == "multiclass" ? "macro_f1" : "rmse";
  text += "metrics:\n  north_star: {name: " + metric + "}\n";
  return text + extra;
}

// The message of the kConfig error that parsing `text` must produce.
std::string ConfigError(const std::string& text, const std::string& file = "kiln.yaml") {
  Result<ProblemSpec> spec = ParseProblemSpec(text, file);
  EXPECT_FALSE(spec.ok()) << "parsed although it should not:\n" << text;
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), ErrorCode::kConfig) << spec.status().message();
  return spec.status().message();
}

std::string FixtureError(const std::string& name) {
  std::filesystem::path path =
      testing::SourceDir() / "tests" / "core" / "fixtures" / "config" / name;
  Result<ProblemSpec> spec = LoadProblemSpec(path);
  EXPECT_FALSE(spec.ok()) << name << " parsed although it should not";
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), ErrorCode::kConfig) << spec.status().message();
  return spec.status().message();
}

size_t LineCount(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

// --- a valid file --------------------------------------------------------------------------

TEST(ConfigParse, FullExampleFillsEverySection) {
  Result<ProblemSpec> spec = ParseProblemSpec(kFullSpec, "/home/me/adult/kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->version, 1);
  EXPECT_EQ(spec->project, "adult-income");
  EXPECT_EQ(spec->task.type, TaskType::kBinary);
  EXPECT_EQ(spec->task.target, "target");
  EXPECT_EQ(spec->task.positive_class, ">50K");
  EXPECT_EQ(spec->metrics.north_star.metric, "roc_auc");
  EXPECT_EQ(spec->metrics.north_star.direction, MetricDirection::kHigherIsBetter);
  EXPECT_DOUBLE_EQ(spec->metrics.north_star.threshold.value(), 0.9);
  ASSERT_EQ(spec->metrics.guardrails.size(), 2u);
  EXPECT_DOUBLE_EQ(spec->metrics.guardrails[0].min.value(), 0.85);
  EXPECT_DOUBLE_EQ(spec->metrics.guardrails[1].max.value(), 0.35);
  EXPECT_EQ(spec->fairness.protected_attributes, (std::vector<std::string>{"sex", "race"}));
  ASSERT_EQ(spec->fairness.limits.size(), 2u);
  EXPECT_EQ(spec->fairness.limits[1].metric, "equalized_odds_difference");
}

TEST(ConfigParse, FullExampleFillsDataValidationAndGovernance) {
  Result<ProblemSpec> spec = ParseProblemSpec(kFullSpec, "/home/me/adult/kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->data.sources.size(), 1u);
  EXPECT_EQ(spec->data.sources[0].name, "adult");
  EXPECT_EQ(spec->data.sources[0].delimiter, ',');
  EXPECT_EQ(spec->data.missing_values, (std::vector<std::string>{"", "NA", "?", "null"}));
  EXPECT_EQ(spec->data.columns.at("dateday").type, ColumnType::kDatetime);
  EXPECT_EQ(spec->data.columns.at("dateday").datetime_format, "%d-%m-%Y");
  EXPECT_EQ(spec->data.id_columns, std::vector<std::string>{"ID"});
  EXPECT_EQ(spec->data.time_column, "dateday");
  EXPECT_EQ(spec->data.group_column, "customer_id");
  EXPECT_EQ(spec->validation.split, SplitKind::kStratifiedKFold);
  EXPECT_EQ(spec->validation.seed, 42u);
  EXPECT_EQ(spec->governance.consent_column, "consent");
  EXPECT_EQ(spec->governance.retention_days, 365);
}

TEST(ConfigParse, RelativeSourcePathResolvesAgainstTheFilesDirectory) {
  Result<ProblemSpec> spec = ParseProblemSpec(kFullSpec, "/home/me/adult/kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->data.sources[0].path, "/home/me/shared/datasets/adult/adult-train.csv");
  EXPECT_EQ(spec->data.sources[0].Spec(), "/home/me/shared/datasets/adult/adult-train.csv");
}

TEST(ConfigParse, AbsoluteSourcePathIsKept) {
  auto spec = ParseProblemSpec(Minimal("data:\n  sources:\n    - path: /data/x.csv\n"), "a/k.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->data.sources[0].path, "/data/x.csv");
  EXPECT_EQ(spec->data.sources[0].name, "x");
}

TEST(ConfigParse, SqliteUriPathResolvesAndQueryIsKept) {
  auto spec = ParseProblemSpec(
      Minimal("data:\n  sources:\n    - {name: db, uri: \"sqlite:x.db\", query: SELECT 1}\n"),
      "/p/kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->data.sources[0].Spec(), "sqlite:/p/x.db");
  EXPECT_EQ(ToSourceOptions(spec->data.sources[0]).query, "SELECT 1");
}

TEST(ConfigParse, PostgresUriIsKeptVerbatim) {
  auto spec = ParseProblemSpec(
      Minimal("data:\n  sources:\n    - {name: pg, uri: \"postgresql://u@h/db\", query: q}\n"),
      "/p/kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->data.sources[0].Spec(), "postgresql://u@h/db");
}

TEST(ConfigParse, OmittedSectionsGetDefaults) {
  auto spec = ParseProblemSpec(Minimal(), "/work/credit/kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->project, "credit");
  EXPECT_EQ(spec->data.missing_values, InferOptions{}.missing_tokens);
  EXPECT_EQ(spec->validation.split, SplitKind::kStratifiedKFold);
  EXPECT_EQ(spec->validation.folds, 5);
  EXPECT_EQ(spec->validation.seed, 42u);
  EXPECT_FALSE(spec->metrics.north_star.threshold.has_value());
  EXPECT_FALSE(spec->governance.retention_days.has_value());
}

TEST(ConfigParse, RegressionDefaultsToPlainKFold) {
  auto spec = ParseProblemSpec(Minimal("", "regression"), "kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->validation.split, SplitKind::kKFold);
  EXPECT_EQ(spec->metrics.north_star.direction, MetricDirection::kLowerIsBetter);
}

TEST(ConfigParse, NorthStarAcceptsTheShortForm) {
  auto spec = ParseProblemSpec(
      "task: {type: multiclass, target: y}\nmetrics: {north_star: top_k_accuracy}\n", "k.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->metrics.north_star.metric, "top_k_accuracy");
  EXPECT_EQ(spec->metrics.north_star.k, 2);
}

TEST(ConfigParse, NumericPositiveClassIsKeptAsWritten) {
  auto spec = ParseProblemSpec(
      "task: {type: binary, target: y, positive_class: 1}\nmetrics: {north_star: f1}\n", "k.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->task.positive_class, "1");
}

TEST(ConfigParse, ColumnTypeShortFormAndTabDelimiter) {
  auto spec =
      ParseProblemSpec(Minimal("data:\n  sources: [{path: x.tsv, delimiter: tab, header: false}]\n"
                               "  columns: {zip: categorical}\n"),
                       "k.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->data.columns.at("zip").type, ColumnType::kCategorical);
  EXPECT_EQ(spec->data.sources[0].delimiter, '\t');
  EXPECT_EQ(ToSourceOptions(spec->data.sources[0]).csv.header, 0);
}

TEST(ConfigParse, ToInferOptionsCarriesTokensTypesAndFormats) {
  Result<ProblemSpec> spec = ParseProblemSpec(kFullSpec, "kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  InferOptions options = ToInferOptions(*spec);
  EXPECT_EQ(options.missing_tokens, spec->data.missing_values);
  EXPECT_EQ(options.type_overrides.at("fnlgwt"), ColumnType::kFloat);
  EXPECT_EQ(options.type_overrides.at("dateday"), ColumnType::kDatetime);
  EXPECT_EQ(options.datetime_formats.at("dateday"), "%d-%m-%Y");
  EXPECT_EQ(options.datetime_formats.count("fnlgwt"), 0u);
}

TEST(ConfigLoad, ReadsAFileAndResolvesPathsAgainstItsDirectory) {
  testing::TempDir dir;
  testing::WriteFile(dir / "kiln.yaml", Minimal("data:\n  sources: [{path: data/train.csv}]\n"));
  Result<ProblemSpec> spec = LoadProblemSpec(dir / "kiln.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->data.sources[0].path, (dir.path() / "data" / "train.csv").lexically_normal());
  EXPECT_EQ(spec->data.sources[0].name, "train");
}

TEST(ConfigLoad, ADirectoryMeansTheKilnYamlInIt) {
  testing::TempDir dir;
  testing::WriteFile(dir / "kiln.yaml", Minimal());
  Result<ProblemSpec> spec = LoadProblemSpec(dir.path());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->file, dir.path() / "kiln.yaml");
}

TEST(ConfigParse, ProjectNamesAreMadeValid) {
  EXPECT_EQ(ToProjectName("  my project (v2)"), "my-project--v2-");
  EXPECT_EQ(ToProjectName("__"), "");
  EXPECT_TRUE(IsValidProjectName("adult-income_2.0"));
  EXPECT_FALSE(IsValidProjectName("-adult"));
  EXPECT_FALSE(IsValidProjectName(std::string(65, 'a')));
}

TEST(ConfigLoad, MissingFileIsNotFound) {
  testing::TempDir dir;
  Result<ProblemSpec> spec = LoadProblemSpec(dir / "kiln.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(spec.status().message(), HasSubstr("kiln init"));
}

// --- broken files in tests/core/fixtures/config --------------------------------------------

TEST(ConfigFixtures, SyntaxErrorGivesOneBasedLineAndColumn) {
  std::string message = FixtureError("syntax_error.yaml");
  EXPECT_THAT(message, HasSubstr("YAML syntax error at "));
  EXPECT_THAT(message, HasSubstr("syntax_error.yaml:5:"));
  EXPECT_THAT(message, HasSubstr("not closed with ']'"));
}

TEST(ConfigFixtures, UnknownKeyNamesTheNearestValidKey) {
  EXPECT_THAT(FixtureError("unknown_key.yaml"), HasSubstr("unknown key 'traget' in task at "));
  EXPECT_THAT(FixtureError("unknown_key.yaml"),
              HasSubstr("unknown_key.yaml:4:3; did you mean 'target'?"));
}

TEST(ConfigFixtures, UnknownKeyAlsoReportsTheMissingRequiredKey) {
  EXPECT_THAT(FixtureError("unknown_key.yaml"),
              HasSubstr("missing required key 'target' in task at "));
}

TEST(ConfigFixtures, WrongTypeNamesPathPositionAndExpectation) {
  std::string message = FixtureError("wrong_type.yaml");
  EXPECT_THAT(message, HasSubstr("metrics.north_star.threshold at "));
  EXPECT_THAT(message, HasSubstr("wrong_type.yaml:7:42 must be a number, got 'high'"));
  EXPECT_THAT(message, HasSubstr("wrong_type.yaml:9:10 must be a whole number, got a list"));
}

TEST(ConfigFixtures, MissingTargetIsReportedAtItsSection) {
  EXPECT_THAT(FixtureError("missing_target.yaml"),
              HasSubstr("missing required key 'target' in task at "));
  EXPECT_THAT(FixtureError("missing_target.yaml"), HasSubstr("missing_target.yaml:4:3"));
}

TEST(ConfigFixtures, BadEnumerationsListChoicesAndSuggest) {
  std::string message = FixtureError("bad_enum.yaml");
  EXPECT_THAT(message, HasSubstr("bad_enum.yaml:3:9 must be one of binary, multiclass, "
                                 "regression, got 'binar'; did you mean 'binary'?"));
  EXPECT_THAT(message, HasSubstr("names an unknown metric 'roc_acu'; did you mean 'roc_auc'?"));
  EXPECT_THAT(message, HasSubstr("bad_enum.yaml:9:10"));
  EXPECT_THAT(message, HasSubstr("did you mean 'stratified_kfold'?"));
}

TEST(ConfigFixtures, TabIndentationIsNamedAsTheCause) {
  std::string message = FixtureError("tab_indent.yaml");
  EXPECT_THAT(message, HasSubstr("tab character in the indentation at "));
  EXPECT_THAT(message, HasSubstr("tab_indent.yaml:4:1"));
}

TEST(ConfigFixtures, UnquotedGreaterThanLabelGetsAQuotingHint) {
  std::string message = FixtureError("unquoted_block_scalar.yaml");
  EXPECT_THAT(message, HasSubstr("unquoted_block_scalar.yaml:4:"));
  EXPECT_THAT(message, HasSubstr("must be quoted, e.g. \">50K\""));
}

TEST(ConfigFixtures, EveryProblemIsReportedOnItsOwnLine) {
  std::string message = FixtureError("many_problems.yaml");
  EXPECT_THAT(message, HasSubstr("unknown key 'taks' at the top level at "));
  EXPECT_THAT(message, HasSubstr("did you mean 'task'?"));
  EXPECT_THAT(message, HasSubstr("must be between 0 and 1 for accuracy, got 1.5"));
  EXPECT_THAT(message, HasSubstr("metrics.guardrails[1] at "));
  EXPECT_THAT(message, HasSubstr("needs min, max or both"));
  EXPECT_THAT(message, HasSubstr("demographic_parity_ratio is bounded by min"));
  EXPECT_THAT(message, HasSubstr("another source is already named 'adult'"));
  EXPECT_THAT(message, HasSubstr("governance.retention_days at "));
  EXPECT_EQ(LineCount(message), 7u) << message;
}

TEST(ConfigFixtures, ProblemsAreOrderedByLine) {
  std::string message = FixtureError("many_problems.yaml");
  EXPECT_LT(message.find("many_problems.yaml:3:1"), message.find("many_problems.yaml:8:"));
  EXPECT_LT(message.find("many_problems.yaml:8:"), message.find("many_problems.yaml:19:"));
}

// --- individual rules ----------------------------------------------------------------------

TEST(ConfigValidate, EmptyFileSaysHowToStart) {
  EXPECT_THAT(ConfigError(""), HasSubstr("kiln init"));
  EXPECT_THAT(ConfigError("# only a comment\n"), HasSubstr("is empty"));
}

TEST(ConfigValidate, TopLevelMustBeAMapping) {
  EXPECT_THAT(ConfigError("- a\n- b\n"), HasSubstr("must be a mapping of sections"));
}

TEST(ConfigValidate, SeveralDocumentsAreRefused) {
  EXPECT_THAT(ConfigError(Minimal() + "---\n" + Minimal()), HasSubstr("2 YAML documents"));
}

TEST(ConfigValidate, MissingSectionsAreRequired) {
  std::string message = ConfigError("project: x\n");
  EXPECT_THAT(message, HasSubstr("missing required key 'task' at the top level"));
  EXPECT_THAT(message, HasSubstr("missing required key 'metrics' at the top level"));
}

TEST(ConfigValidate, MissingTaskTypeAndNorthStar) {
  std::string message = ConfigError("task: {target: y}\nmetrics: {}\n");
  EXPECT_THAT(message, HasSubstr("missing required key 'type' in task"));
  EXPECT_THAT(message, HasSubstr("missing required key 'north_star' in metrics"));
}

TEST(ConfigValidate, BinaryNeedsAPositiveClass) {
  EXPECT_THAT(ConfigError("task: {type: binary, target: y}\nmetrics: {north_star: f1}\n"),
              HasSubstr("missing required key 'positive_class' in task at kiln.yaml:1:7"));
}

TEST(ConfigValidate, PositiveClassIsForBinaryOnly) {
  EXPECT_THAT(ConfigError("task: {type: regression, target: y, positive_class: a}\n"
                          "metrics: {north_star: rmse}\n"),
              HasSubstr("task.positive_class at kiln.yaml:1:53 applies to binary tasks only"));
}

TEST(ConfigValidate, EmptyValueIsReportedAtItsKey) {
  EXPECT_THAT(ConfigError("task:\n  type: binary\n  target:\n  positive_class: a\n"
                          "metrics: {north_star: f1}\n"),
              HasSubstr("task.target at kiln.yaml:3:3 must be a string, got nothing"));
}

TEST(ConfigValidate, MetricMustFitTheTask) {
  std::string message =
      ConfigError(Minimal("", "regression") + "  guardrails: [{name: f1, min: 0.5}]\n");
  EXPECT_THAT(message, HasSubstr("metrics.guardrails[0].name at kiln.yaml:"));
  EXPECT_THAT(message, HasSubstr("'f1' does not apply to a regression task; use one of rmse, mae"));
}

TEST(ConfigValidate, FairnessMetricIsNotAGuardrail) {
  EXPECT_THAT(ConfigError(Minimal("  guardrails: [{name: demographic_parity_ratio, min: 0.8}]\n")),
              HasSubstr("is a fairness metric; limit it under fairness.limits"));
}

TEST(ConfigValidate, UnknownMetricWithoutNearNameListsKnownOnes) {
  EXPECT_THAT(ConfigError("task: {type: regression, target: y}\nmetrics: {north_star: zzz}\n"),
              HasSubstr("unknown metric 'zzz'; known metrics are rmse, mae, mape, r2, median_ae"));
}

TEST(ConfigValidate, ThresholdMustLieInTheMetricsRange) {
  EXPECT_THAT(ConfigError("task: {type: binary, target: y, positive_class: a}\n"
                          "metrics: {north_star: {name: roc_auc, threshold: 1.2}}\n"),
              HasSubstr("metrics.north_star.threshold at kiln.yaml:2:50 must be between 0 and 1 "
                        "for roc_auc, got 1.2"));
  EXPECT_THAT(ConfigError(Minimal("", "regression") + "  guardrails: [{name: rmse, max: -1}]\n"),
              HasSubstr("must be at least 0 for rmse, got -1"));
  EXPECT_THAT(ConfigError(Minimal("", "regression") + "  guardrails: [{name: r2, min: 2}]\n"),
              HasSubstr("must be at most 1 for r2, got 2"));
}

TEST(ConfigValidate, GuardrailMinAboveMaxIsRefused) {
  EXPECT_THAT(ConfigError(Minimal("  guardrails: [{name: accuracy, min: 0.9, max: 0.8}]\n")),
              HasSubstr("has min 0.9 above max 0.8"));
}

TEST(ConfigValidate, KIsForTopKAccuracyOnly) {
  EXPECT_THAT(
      ConfigError(Minimal("  guardrails: [{name: accuracy, min: 0.5, k: 3}]\n")),
      HasSubstr("metrics.guardrails[0].k at kiln.yaml:7:46 applies to top_k_accuracy only"));
}

TEST(ConfigValidate, TargetCannotBeExcluded) {
  EXPECT_THAT(ConfigError(Minimal("data: {exclude_columns: [a, y]}\n")),
              HasSubstr("data.exclude_columns at kiln.yaml:7:29 lists the target 'y'"));
}

TEST(ConfigValidate, TargetCannotBeAProtectedAttribute) {
  EXPECT_THAT(ConfigError(Minimal("fairness: {protected_attributes: [y]}\n")),
              HasSubstr("fairness.protected_attributes at kiln.yaml:7:35 lists the target 'y'"));
}

TEST(ConfigValidate, TargetCannotBeTheTimeColumn) {
  EXPECT_THAT(ConfigError(Minimal("data: {time_column: y}\n")),
              HasSubstr("data.time_column at kiln.yaml:7:21 is the target 'y'"));
}

TEST(ConfigValidate, RepeatedNamesInAListAreReported) {
  EXPECT_THAT(ConfigError(Minimal("data: {id_columns: [a, a]}\n")),
              HasSubstr("data.id_columns[1] at kiln.yaml:7:24 repeats 'a'"));
}

TEST(ConfigValidate, DuplicateKeysAreReported) {
  EXPECT_THAT(ConfigError(Minimal("data: {time_column: t, time_column: u}\n")),
              HasSubstr("duplicate key 'time_column' in data at kiln.yaml:7:24 (first given at "
                        "kiln.yaml:7:21)"));
}

TEST(ConfigValidate, DuplicateSourceNamesAreReported) {
  EXPECT_THAT(ConfigError(Minimal("data:\n  sources: [{path: a/x.csv}, {path: b/x.csv}]\n")),
              HasSubstr("another source is already named 'x'"));
}

TEST(ConfigValidate, SourceNeedsExactlyOneOfPathAndUri) {
  EXPECT_THAT(ConfigError(Minimal("data:\n  sources: [{name: a}]\n")),
              HasSubstr("missing required key 'path' in data.sources[0]"));
  EXPECT_THAT(ConfigError(Minimal("data:\n  sources: [{path: a, uri: \"sqlite:b\", query: q}]\n")),
              HasSubstr("has both path and uri"));
}

TEST(ConfigValidate, DatabaseSourceNeedsAQueryAndFileSourceTakesNone) {
  EXPECT_THAT(ConfigError(Minimal("data:\n  sources: [{name: d, uri: \"sqlite:b.db\"}]\n")),
              HasSubstr("missing required key 'query' in data.sources[0]"));
  EXPECT_THAT(ConfigError(Minimal("data:\n  sources: [{path: a.csv, query: q}]\n")),
              HasSubstr("applies to uri: sources only"));
}

TEST(ConfigValidate, UnsupportedUriSchemeIsRefused) {
  EXPECT_THAT(ConfigError(Minimal("data:\n  sources: [{name: d, uri: \"mysql://h\", query: q}]\n")),
              HasSubstr("must start with sqlite: or postgresql://"));
}

TEST(ConfigValidate, RetentionDaysMustBePositive) {
  EXPECT_THAT(ConfigError(Minimal("governance: {retention_days: 0}\n")),
              HasSubstr("governance.retention_days at kiln.yaml:7:30 must be between 1 and 36500, "
                        "got 0"));
}

TEST(ConfigValidate, SplitNeedsTheColumnsItUses) {
  EXPECT_THAT(ConfigError(Minimal("validation: {split: group_kfold}\n")),
              HasSubstr("group_kfold needs data.group_column"));
  EXPECT_THAT(ConfigError(Minimal("validation: {split: time_series}\n")),
              HasSubstr("time_series needs data.time_column"));
  EXPECT_THAT(ConfigError(Minimal("validation: {split: stratified_kfold}\n", "regression")),
              HasSubstr("use kfold for a regression task"));
}

TEST(ConfigValidate, FoldsMustBeAtLeastTwo) {
  EXPECT_THAT(ConfigError(Minimal("validation: {folds: 1}\n")),
              HasSubstr("validation.folds at kiln.yaml:7:21 must be between 2 and 100, got 1"));
}

TEST(ConfigValidate, FairnessLimitsNeedProtectedAttributesAndABinaryTask) {
  std::string limits = "fairness:\n  limits: [{metric: equalized_odds_difference, max: 0.1}]\n";
  EXPECT_THAT(ConfigError(Minimal(limits)), HasSubstr("need fairness.protected_attributes"));
  EXPECT_THAT(ConfigError(Minimal(limits + "  protected_attributes: [sex]\n", "multiclass")),
              HasSubstr("apply to binary tasks only, and task.type is multiclass"));
}

TEST(ConfigValidate, UnknownFairnessMetricIsSuggested) {
  EXPECT_THAT(ConfigError(Minimal("fairness:\n  protected_attributes: [sex]\n"
                                  "  limits: [{metric: demographic_parity_diff, max: 0.1}]\n")),
              HasSubstr("did you mean 'demographic_parity_difference'?"));
}

TEST(ConfigValidate, DatetimeFormatOnlyForDatetimeColumns) {
  EXPECT_THAT(ConfigError(Minimal("data:\n  columns: {a: {type: float, format: \"%Y\"}}\n")),
              HasSubstr("data.columns.a.format at kiln.yaml:8:38 applies to datetime columns"));
  EXPECT_THAT(ConfigError(Minimal("data:\n  columns: {a: {type: datetime, format: Y-m-d}}\n")),
              HasSubstr("must be a strftime pattern"));
}

TEST(ConfigValidate, UnknownColumnTypeIsSuggested) {
  EXPECT_THAT(ConfigError(Minimal("data:\n  columns: {a: {type: categorcal}}\n")),
              HasSubstr("did you mean 'categorical'?"));
}

TEST(ConfigValidate, BareNullAmongMissingValuesAsksForQuotes) {
  EXPECT_THAT(ConfigError(Minimal("data: {missing_values: [NA, null]}\n")),
              HasSubstr("data.missing_values[1] at kiln.yaml:7:24 is empty"));
  EXPECT_TRUE(ParseProblemSpec(Minimal("data: {missing_values: [NA, \"null\"]}\n"), "k").ok());
}

TEST(ConfigValidate, NewerVersionAsksForAnUpgrade) {
  EXPECT_THAT(ConfigError("version: 2\n" + Minimal()), HasSubstr("upgrade Kiln"));
}

TEST(ConfigValidate, ProjectNameIsRestricted) {
  EXPECT_THAT(ConfigError("project: \"my project\"\n" + Minimal()),
              HasSubstr("project at kiln.yaml:1:10 must be 1 to 64 letters"));
}

TEST(ConfigValidate, NonNameKeysAreRefused) {
  EXPECT_THAT(ConfigError(Minimal("? [a, b]\n: 1\n")), HasSubstr("keys must be plain names"));
}

TEST(ConfigValidate, ReportIsCappedButCountsTheRest) {
  std::string text = Minimal();
  for (int i = 0; i < 30; ++i) text += "unknown_" + std::to_string(i) + ": 1\n";
  std::string message = ConfigError(text);
  EXPECT_EQ(LineCount(message), 21u);
  EXPECT_THAT(message, HasSubstr("... and 10 more problems in kiln.yaml"));
}

TEST(ConfigValidate, DeepNestingIsRefusedBeforeParsing) {
  std::string text = "a: " + std::string(10000, '[');
  EXPECT_THAT(ConfigError(text), HasSubstr("nests lists or mappings more than 64 deep"));
}

TEST(ConfigValidate, OversizedTextIsRefused) {
  std::string text = Minimal() + "#" + std::string(kMaxProblemSpecBytes, 'x') + "\n";
  EXPECT_THAT(ConfigError(text), HasSubstr("may be at most"));
}

TEST(ConfigValidate, AliasesAreReadLikeTheirAnchors) {
  auto spec = ParseProblemSpec(Minimal("data: {id_columns: &ids [a, b], exclude_columns: *ids}\n"),
                               "k.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->data.exclude_columns, (std::vector<std::string>{"a", "b"}));
}

TEST(ConfigValidate, MessagesNeverQuoteControlCharacters) {
  EXPECT_THAT(ConfigError(Minimal("data: {time_column: [\"a\\nb\"]}\n")), Not(HasSubstr("a\nb")));
}

// --- metric table --------------------------------------------------------------------------

TEST(ConfigMetrics, DirectionsFollowTheMetric) {
  EXPECT_EQ(FindMetric("roc_auc")->direction, MetricDirection::kHigherIsBetter);
  EXPECT_EQ(FindMetric("log_loss")->direction, MetricDirection::kLowerIsBetter);
  EXPECT_EQ(FindMetric("rmse")->direction, MetricDirection::kLowerIsBetter);
  EXPECT_EQ(FindFairnessMetric("demographic_parity_ratio")->direction,
            MetricDirection::kHigherIsBetter);
  EXPECT_EQ(FindMetric("demographic_parity_ratio"), nullptr);
}

TEST(ConfigMetrics, EveryNamedMetricIsKnown) {
  for (const char* name :
       {"accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc",
        "log_loss", "brier", "mcc", "macro_f1", "micro_f1", "weighted_f1", "top_k_accuracy", "rmse",
        "mae", "mape", "r2", "median_ae"}) {
    EXPECT_NE(FindMetric(name), nullptr) << name;
  }
  EXPECT_EQ(KnownMetrics().size(), 19u);
  EXPECT_EQ(KnownFairnessMetrics().size(), 4u);
}

// --- edit distance -------------------------------------------------------------------------

TEST(TextDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("traget", "target"), 1u);
  EXPECT_EQ(EditDistance("ab", "ba"), 1u);
}

TEST(TextDistance, NearestNameIgnoresCaseAndFarNames) {
  std::vector<std::string> names = {"target", "type", "positive_class"};
  EXPECT_EQ(NearestName("Traget", std::span<const std::string>(names)), "target");
  EXPECT_EQ(NearestName("positive", std::span<const std::string>(names)), "positive_class");
  EXPECT_EQ(NearestName("zzzzzz", std::span<const std::string>(names)), std::nullopt);
  EXPECT_EQ(NearestName("pos", std::span<const std::string>(names)), "positive_class");
}

}  // namespace
}  // namespace kiln
