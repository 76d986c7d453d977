// `kiln train`, `kiln evaluate` and `kiln runs` driven as a user drives them: on the shared real
// data sets (Adult against an XGBoost peer, bike sharing with its leaking columns, German credit
// behind a gate it cannot pass) and on small files that cannot be trained on.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/status.h"
#include "e2e/cli_project.h"
#include "test_util.h"

namespace kiln {
namespace {

using kiln::testing::CommandResult;
using kiln::testing::RunCommand;
using kiln::testing::SharedDatasets;
using kiln::testing::SourceDir;
using kiln::testing::WriteFile;
using json = nlohmann::json;
namespace fs = std::filesystem;

using Project = kiln::testing::CliProject;

std::set<std::string> LeakColumns(const json& train) {
  std::set<std::string> columns;
  for (const json& leak : train["leaks"]) columns.insert(leak["column"].get<std::string>());
  return columns;
}

bool PythonHasXgboost() {
  return RunCommand("/usr/bin/python3 -c 'import xgboost, pandas, sklearn'").exit_code == 0;
}

// Adult, trained on adult-train.csv and evaluated on adult-test.csv once per test process, on
// first use, so that a test which skips costs no training.
struct AdultRun {
  std::unique_ptr<Project> project;
  std::string setup;  // init and data add output, for failure messages
  CommandResult train_result, evaluate_result;
  json train, evaluate;
};

const AdultRun& Adult(const fs::path& datasets) {
  // Destroyed at exit, which removes the project folder.
  static const std::unique_ptr<AdultRun> run = [&] {
    auto r = std::make_unique<AdultRun>();
    r->project = std::make_unique<Project>(R"(version: 1
task: {type: binary, target: target, positive_class: ">50K"}
metrics:
  north_star: {name: roc_auc, threshold: 0.85}
validation: {split: stratified_kfold, folds: 5, seed: 42}
models:
  - {family: xgboost, trees: 300, max_depth: 6, learning_rate: 0.1}
)");
    r->setup = r->project->init().out;
    for (const std::string name : {"adult-train", "adult-test"}) {
      r->setup += r->project->AddData(datasets / "adult" / (name + ".csv"), name).out;
    }
    // The run is evaluated twice: in the training process, and again by `kiln evaluate`.
    r->train = r->project->RunJson("train -d adult-train --evaluate adult-test", &r->train_result);
    r->evaluate = r->project->RunJson("evaluate latest -d adult-test", &r->evaluate_result);
    return r;
  }();
  return *run;
}

TEST(TrainEvaluateAdult, RecordsAGoRunWithItsReport) {
  const std::optional<fs::path> datasets = SharedDatasets();
  if (!datasets) GTEST_SKIP() << "../shared/datasets not found; the Adult test needs it";
  const AdultRun& adult = Adult(*datasets);
  ASSERT_EQ(adult.train_result.exit_code, 0) << adult.setup << adult.train_result.out;
  EXPECT_EQ(adult.train["chosen"], "xgboost") << adult.train.dump();
  EXPECT_EQ(adult.train["rows_used"], 32561);
  EXPECT_EQ(adult.train["leaderboard"].size(), 2u);

  const json& evaluation = adult.evaluate;
  ASSERT_EQ(adult.evaluate_result.exit_code, 0) << adult.evaluate_result.out << evaluation.dump();
  EXPECT_TRUE(evaluation["gate"]["go"].get<bool>()) << evaluation["gate"].dump();
  EXPECT_EQ(evaluation["dataset"]["rows"], 16281);
  const fs::path html = evaluation["report_path"].get<std::string>();
  const fs::path document = evaluation["json_path"].get<std::string>();
  EXPECT_EQ(html.filename(), "report.html");
  EXPECT_EQ(document.filename(), "evaluation.json");
  EXPECT_TRUE(fs::exists(html));
  EXPECT_TRUE(fs::exists(document));

  CommandResult r;
  const json runs = adult.project->RunJson("runs", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  ASSERT_EQ(runs["runs"].size(), 1u) << runs.dump();
  EXPECT_EQ(runs["runs"][0]["id"], adult.train["run"]);
  EXPECT_EQ(runs["runs"][0]["bundle"], adult.train["bundle"]);

  // The bundle is referenced by its run, so the store holds no orphan; the audit chain is whole.
  const json store = adult.project->RunJson("store check", &r);
  EXPECT_EQ(r.exit_code, 0) << r.out << store.dump();
  EXPECT_TRUE(store["ok"].get<bool>()) << store.dump();
  EXPECT_TRUE(store["orphan_artifacts"].empty()) << store.dump();
  const json audit = adult.project->RunJson("audit verify", &r);
  EXPECT_EQ(r.exit_code, 0) << r.out << audit.dump();
  EXPECT_TRUE(audit["ok"].get<bool>()) << audit.dump();
}

// What differs between two evaluations of one run: when they ran and how long they took.
json WithoutTimes(json evaluation) {
  evaluation.erase("timings");
  evaluation.erase("created_at");
  return evaluation;
}

TEST(TrainEvaluateAdult, TrainingWithEvaluateGivesWhatEvaluateGives) {
  const std::optional<fs::path> datasets = SharedDatasets();
  if (!datasets) GTEST_SKIP() << "../shared/datasets not found; the Adult test needs it";
  const AdultRun& adult = Adult(*datasets);
  ASSERT_EQ(adult.train_result.exit_code, 0) << adult.setup << adult.train_result.out;
  ASSERT_EQ(adult.evaluate_result.exit_code, 0) << adult.evaluate_result.out;
  ASSERT_TRUE(adult.train.contains("evaluation")) << adult.train.dump();
  const json& during = adult.train["evaluation"];
  EXPECT_EQ(during["model"]["run"], adult.train["run"]);
  // The refitted models scored the test set while the folds trained.
  EXPECT_GT(during["timings"]["score_during_training"].get<double>(), 0) << during["timings"];
  EXPECT_EQ(WithoutTimes(during), WithoutTimes(adult.evaluate));
  EXPECT_GT(adult.train["timings"]["evaluation"].get<double>(), 0);
}

TEST(TrainEvaluateAdult, TestRocAucMatchesTheXgboostPeer) {
  const std::optional<fs::path> datasets = SharedDatasets();
  if (!datasets) GTEST_SKIP() << "../shared/datasets not found; the Adult test needs it";
  if (!PythonHasXgboost()) GTEST_SKIP() << "/usr/bin/python3 lacks xgboost, pandas or sklearn";
  const fs::path adult = *datasets / "adult";
  const CommandResult peer =
      RunCommand("/usr/bin/python3 " + (SourceDir() / "tests/scripts/xgboost_adult.py").string() +
                 " " + (adult / "adult-train.csv").string() + " " +
                 (adult / "adult-test.csv").string() + " 2>/dev/null");
  ASSERT_EQ(peer.exit_code, 0) << peer.out;
  const json python = json::parse(peer.out, nullptr, false);
  ASSERT_TRUE(python.is_object()) << peer.out;

  const AdultRun& run = Adult(*datasets);
  ASSERT_EQ(run.evaluate_result.exit_code, 0) << run.setup << run.evaluate_result.out;
  const double kiln_auc = run.evaluate["metrics"]["roc_auc"]["value"].get<double>();
  const double python_auc = python["roc_auc"].get<double>();
  EXPECT_NEAR(kiln_auc, python_auc, 0.003) << "kiln " << kiln_auc << ", python " << python_auc;
  EXPECT_NEAR(python_auc, 0.9265, 0.003);
  RecordProperty("kiln_roc_auc", std::to_string(kiln_auc));
  RecordProperty("python_roc_auc", std::to_string(python_auc));
}

// Bike sharing: `casual` + `registered` = `count`.
std::string BikeSpec(const std::string& exclude) {
  return R"(version: 1
task: {type: regression, target: count}
metrics: {north_star: rmse}
data:
  columns:
    dateday: {type: datetime, format: "%d-%m-%Y"}
  time_column: dateday
  id_columns: [instant]
)" + exclude +
         R"(validation: {split: time_series, folds: 3}
models:
  - {family: xgboost, trees: 20}
)";
}

json TrainBike(const std::string& exclude, CommandResult* result) {
  Project project(BikeSpec(exclude));
  EXPECT_EQ(project.init().exit_code, 0) << project.init().out;
  const CommandResult add =
      project.AddData(*SharedDatasets() / "bike-sharing" / "bike-hourly.csv", "bike");
  EXPECT_EQ(add.exit_code, 0) << add.out;
  return project.RunJson("train", result);
}

TEST(TrainEvaluateBike, ReportsExactlyCasualAndRegisteredAsLeaks) {
  if (!SharedDatasets()) GTEST_SKIP() << "../shared/datasets not found";
  CommandResult r;
  const json train = TrainBike("", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << train.dump();
  EXPECT_EQ(LeakColumns(train), (std::set<std::string>{"casual", "registered"}))
      << train["leaks"].dump();
}

TEST(TrainEvaluateBike, ExcludedLeaksTrainCleanlyOnATimeSeriesSplit) {
  if (!SharedDatasets()) GTEST_SKIP() << "../shared/datasets not found";
  CommandResult r;
  const json train = TrainBike("  exclude_columns: [casual, registered]\n", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << train.dump();
  EXPECT_TRUE(train["leaks"].empty()) << train["leaks"].dump();
  EXPECT_EQ(train["validation"]["split"], "time_series");
  EXPECT_EQ(train["validation"]["folds"], 3);
  EXPECT_EQ(train["rows_used"], 17379);
  for (const json& feature : train["features"]) {
    EXPECT_NE(feature, "casual");
    EXPECT_NE(feature, "registered");
    EXPECT_NE(feature, "instant");
  }
  EXPECT_EQ(train["chosen"], "xgboost");
}

// German credit (1 good, 2 bad; bad is the positive class) behind a ROC AUC it cannot reach,
// trained once per test process on first use.
struct CreditRun {
  std::unique_ptr<Project> project;
  CommandResult setup;
};

const CreditRun& Credit(const fs::path& datasets) {
  // Destroyed at exit, which removes the project folder.
  static const std::unique_ptr<CreditRun> run = [&] {
    auto r = std::make_unique<CreditRun>();
    r->project = std::make_unique<Project>(R"(version: 1
task: {type: binary, target: classlabel21, positive_class: "2"}
metrics:
  north_star: {name: roc_auc, threshold: 0.99}
models:
  - {family: xgboost, trees: 20, max_depth: 3}
)");
    r->setup.out = r->project->init().out;
    r->setup.out +=
        r->project->AddData(datasets / "german-credit" / "german-credit.csv", "credit").out;
    const CommandResult train = r->project->Run("train");
    r->setup.out += train.out;
    r->setup.exit_code = train.exit_code;
    return r;
  }();
  return *run;
}

TEST(TrainEvaluateNoGo, JsonShowsTheFailedNorthStarAndExitsThree) {
  const std::optional<fs::path> datasets = SharedDatasets();
  if (!datasets) GTEST_SKIP() << "../shared/datasets not found; the NO-GO test needs it";
  const CreditRun& credit = Credit(*datasets);
  ASSERT_EQ(credit.setup.exit_code, 0) << credit.setup.out;

  CommandResult r;
  const json doc = credit.project->RunJson("evaluate latest -d credit --resamples 200", &r);
  EXPECT_EQ(r.exit_code, ExitCodeFor(ErrorCode::kGateRefused)) << r.out;
  EXPECT_EQ(r.exit_code, 3);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_FALSE(doc["gate"]["go"].get<bool>());
  ASSERT_FALSE(doc["gate"]["reasons"].empty()) << doc["gate"].dump();
  EXPECT_NE(doc["gate"]["reasons"].dump().find("roc_auc"), std::string::npos)
      << doc["gate"]["reasons"].dump();
  bool failed_north_star = false;
  for (const json& check : doc["gate"]["checks"]) {
    if (check["name"] == "north_star roc_auc >= 0.99") {
      failed_north_star = !check["passed"].get<bool>();
    }
  }
  EXPECT_TRUE(failed_north_star) << doc["gate"]["checks"].dump();
}

TEST(TrainEvaluateNoGo, TrainingWithEvaluateExitsThreeOnNoGo) {
  const std::optional<fs::path> datasets = SharedDatasets();
  if (!datasets) GTEST_SKIP() << "../shared/datasets not found; the NO-GO test needs it";
  const CreditRun& credit = Credit(*datasets);
  ASSERT_EQ(credit.setup.exit_code, 0) << credit.setup.out;

  CommandResult r;
  const json doc = credit.project->RunJson("train --evaluate credit --resamples 200", &r);
  EXPECT_EQ(r.exit_code, 3) << r.out;
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_TRUE(doc["ok"].get<bool>());  // the run is recorded; only its gate refused it
  EXPECT_FALSE(doc["evaluation"]["gate"]["go"].get<bool>()) << doc["evaluation"].dump();
  EXPECT_EQ(doc["evaluation"]["model"]["run"], doc["run"]);

  const CommandResult text = credit.project->Run("train --evaluate credit --resamples 200");
  EXPECT_EQ(text.exit_code, 3) << text.out;
  EXPECT_NE(text.out.find("gate: NO-GO"), std::string::npos) << text.out;
}

TEST(TrainEvaluateNoGo, TextSaysNoGo) {
  const std::optional<fs::path> datasets = SharedDatasets();
  if (!datasets) GTEST_SKIP() << "../shared/datasets not found; the NO-GO test needs it";
  const CreditRun& credit = Credit(*datasets);
  ASSERT_EQ(credit.setup.exit_code, 0) << credit.setup.out;

  const CommandResult r = credit.project->Run("evaluate latest -d credit --resamples 200");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("NO-GO"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL"), std::string::npos) << r.out;
}

// Small files that cannot be trained on, or runs that do not exist.
constexpr const char* kSmallSpec = R"(version: 1
task: {type: binary, target: y, positive_class: "1"}
metrics: {north_star: roc_auc}
validation: {folds: 3}
models:
  - {family: xgboost, trees: 5, max_depth: 2}
)";

// 120 rows of a, b and a label y that depends on them; `constant` makes every label 1.
std::string SmallCsv(bool constant = false) {
  std::string csv = "a,b,y\n";
  for (int i = 0; i < 120; ++i) {
    const int a = i % 10, b = (i * 7) % 13;
    const bool positive = constant || a + b + (i % 3) > 10;
    csv += std::to_string(a) + "," + std::to_string(b) + "," + (positive ? "1" : "0") + "\n";
  }
  return csv;
}

// A project over `spec` with SmallCsv() added as dataset `d`.
std::unique_ptr<Project> SmallProject(const std::string& spec) {
  auto project = std::make_unique<Project>(spec);
  EXPECT_EQ(project->init().exit_code, 0) << project->init().out;
  WriteFile(project->root() / "d.csv", SmallCsv());
  const CommandResult added = project->AddData(project->root() / "d.csv", "d");
  EXPECT_EQ(added.exit_code, 0) << added.out;
  return project;
}

TEST(TrainEvaluateErrors, TargetThatIsNotAColumnIsADataErrorNamingIt) {
  std::string spec = kSmallSpec;
  spec.replace(spec.find("target: y"), 9, "target: income");
  const std::unique_ptr<Project> owner = SmallProject(spec);
  const Project& project = *owner;

  const CommandResult r = project.Run("train");
  EXPECT_EQ(r.exit_code, ExitCodeFor(ErrorCode::kData)) << r.out;
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("'income'"), std::string::npos) << r.out;
}

TEST(TrainEvaluateErrors, ConstantTargetIsADataError) {
  Project project(kSmallSpec);
  ASSERT_EQ(project.init().exit_code, 0) << project.init().out;
  WriteFile(project.root() / "d.csv", SmallCsv(/*constant=*/true));
  ASSERT_EQ(project.AddData(project.root() / "d.csv", "d").exit_code, 0);

  const CommandResult r = project.Run("train");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("constant"), std::string::npos) << r.out;
}

TEST(TrainEvaluateErrors, EvaluatingAnUnknownRunIsNotFoundAndListsTheRuns) {
  const std::unique_ptr<Project> owner = SmallProject(kSmallSpec);
  const Project& project = *owner;
  const CommandResult train = project.Run("train");
  ASSERT_EQ(train.exit_code, 0) << train.out;

  const CommandResult r = project.Run("evaluate run-99 -d d");
  EXPECT_EQ(r.exit_code, ExitCodeFor(ErrorCode::kNotFound)) << r.out;
  EXPECT_NE(r.out.find("no run 'run-99'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run-1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kiln runs"), std::string::npos) << r.out;
}

TEST(TrainEvaluateErrors, TrainingWithEvaluateOnUnknownDataFailsBeforeTraining) {
  const std::unique_ptr<Project> owner = SmallProject(kSmallSpec);
  const Project& project = *owner;

  const CommandResult r = project.Run("train --evaluate holdout");
  EXPECT_EQ(r.exit_code, ExitCodeFor(ErrorCode::kNotFound)) << r.out;
  EXPECT_NE(r.out.find("holdout"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("training on"), std::string::npos) << r.out;
  CommandResult runs;
  EXPECT_TRUE(project.RunJson("runs", &runs)["runs"].empty());
}

TEST(TrainEvaluateErrors, TrainingWithEvaluateWhenTheBaselineIsChosen) {
  std::string spec = kSmallSpec;
  spec.replace(spec.find("{family: xgboost, trees: 5, max_depth: 2}"),
               std::string("{family: xgboost, trees: 5, max_depth: 2}").size(),
               "{family: baseline}");
  const std::unique_ptr<Project> owner = SmallProject(spec);
  const Project& project = *owner;

  CommandResult r;
  const json doc = project.RunJson("train --evaluate d --resamples 50", &r);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_EQ(doc["chosen"], "baseline") << doc.dump();
  ASSERT_TRUE(doc.contains("evaluation")) << doc.dump();
  // The baseline is both models, so both score alike.
  EXPECT_EQ(doc["evaluation"]["metrics"]["roc_auc"]["value"],
            doc["evaluation"]["baseline"]["metrics"]["roc_auc"])
      << doc["evaluation"].dump();
  EXPECT_EQ(r.exit_code, 3) << r.out;  // a baseline never beats itself
}

// Training with --evaluate and `kiln evaluate` of the same run give the same document, for a
// task of each type on small generated data (multiclass scores are rows x classes).
void ExpectEvaluateInsideTrainingMatches(
    const std::string& task, const std::string& metric, const std::string& csv,
    const std::string& models = "  - {family: xgboost, trees: 8, max_depth: 3}\n") {
  Project project("version: 1\ntask: " + task + "\nmetrics: {north_star: " + metric +
                  "}\nvalidation: {folds: 3}\nmodels:\n" + models);
  ASSERT_EQ(project.init().exit_code, 0) << project.init().out;
  WriteFile(project.root() / "d.csv", csv);
  const CommandResult added = project.AddData(project.root() / "d.csv", "d");
  ASSERT_EQ(added.exit_code, 0) << added.out;
  CommandResult trained, evaluated;
  const json train = project.RunJson("train --evaluate d --resamples 60", &trained);
  ASSERT_TRUE(train.is_object() && train.contains("evaluation")) << trained.out;
  const json evaluate = project.RunJson("evaluate latest -d d --resamples 60", &evaluated);
  ASSERT_TRUE(evaluate.is_object()) << evaluated.out;
  EXPECT_EQ(trained.exit_code, evaluated.exit_code) << trained.out << evaluated.out;
  EXPECT_EQ(WithoutTimes(train["evaluation"]), WithoutTimes(evaluate));
}

TEST(TrainEvaluateErrors, EvaluateInsideTrainingMatchesForEveryTaskType) {
  std::string multiclass = "a,b,y\n", regression = "a,b,y\n";
  for (int i = 0; i < 150; ++i) {
    const int a = i % 10, b = (i * 7) % 13;
    multiclass += fmt::format("{},{},{}\n", a, b, a + b < 8 ? "low" : a + b < 14 ? "mid" : "high");
    regression += fmt::format("{},{},{}\n", a, b, 0.5 * a - 0.25 * b + (i % 3));
  }
  ExpectEvaluateInsideTrainingMatches("{type: multiclass, target: y}", "macro_f1", multiclass);
  ExpectEvaluateInsideTrainingMatches("{type: regression, target: y}", "rmse", regression);
  ExpectEvaluateInsideTrainingMatches("{type: binary, target: y, positive_class: \"1\"}", "roc_auc",
                                      SmallCsv());
  // Two candidates: the refits wait for the choice, after the folds.
  ExpectEvaluateInsideTrainingMatches(
      "{type: binary, target: y, positive_class: \"1\"}", "roc_auc", SmallCsv(),
      "  - {family: xgboost, trees: 8, max_depth: 3}\n  - {family: logistic}\n");
}

TEST(TrainEvaluateErrors, EvaluatingWithoutRunsSaysToTrain) {
  const std::unique_ptr<Project> owner = SmallProject(kSmallSpec);
  const Project& project = *owner;

  const CommandResult r = project.Run("evaluate -d d");
  EXPECT_EQ(r.exit_code, ExitCodeFor(ErrorCode::kNotFound)) << r.out;
  EXPECT_NE(r.out.find("kiln train"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kiln
