// `kiln train --ingest`: the kiln.yaml sources are added while the folds train, and the run is the
// one that `kiln data add` followed by `kiln train` would record.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "e2e/cli_project.h"
#include "test_util.h"

namespace kiln {
namespace {

using kiln::testing::CliProject;
using kiln::testing::CommandResult;
using kiln::testing::WriteFile;
using json = nlohmann::json;

// Two sources, training and held-out data, and a consent column that leaves rows out.
constexpr const char* kSpec = R"(version: 1
project: ingest
task: {type: binary, target: y, positive_class: "1"}
metrics: {north_star: {name: roc_auc, threshold: 0.6}}
validation: {folds: 3, seed: 7}
models:
  - {family: xgboost, trees: 20, max_depth: 3}
governance: {consent_column: consent}
data:
  sources:
    - {name: train, path: train.csv}
    - {name: holdout, path: holdout.csv}
)";

// `rows` rows of a, b, a consent flag and a label y that depends on a and b.
std::string LabelledCsv(int rows, int offset) {
  std::string csv = "a,b,consent,y\n";
  for (int i = offset; i < offset + rows; ++i) {
    const int a = i % 10, b = (i * 7) % 13;
    const bool positive = a + b + (i % 3) > 10;
    csv += std::to_string(a) + "," + std::to_string(b) + "," + (i % 9 == 0 ? "no" : "yes") + "," +
           (positive ? "1" : "0") + "\n";
  }
  return csv;
}

// A project over `spec` with its two files written.
std::unique_ptr<CliProject> MakeProject(const std::string& spec = kSpec) {
  auto project = std::make_unique<CliProject>(spec);
  EXPECT_EQ(project->init().exit_code, 0) << project->init().out;
  WriteFile(project->root() / "train.csv", LabelledCsv(300, 0));
  WriteFile(project->root() / "holdout.csv", LabelledCsv(120, 1000));
  return project;
}

// What differs between two runs of the same work in two folders: when they ran, how long they
// took, and where the reports went.
json WithoutTimes(json doc) {
  for (const char* key : {"timings", "created_at", "report_path", "json_path", "bundle"}) {
    doc.erase(key);
  }
  for (json& candidate : doc["leaderboard"]) {
    candidate.erase("seconds");
    candidate.erase("boost_seconds");
    candidate.erase("summary");
  }
  if (doc.contains("evaluation")) doc["evaluation"] = WithoutTimes(doc["evaluation"]);
  return doc;
}

TEST(TrainIngest, RecordsTheRunThatAddingFirstRecords) {
  const std::unique_ptr<CliProject> added_first = MakeProject();
  const std::unique_ptr<CliProject> ingested = MakeProject();
  CommandResult r;
  added_first->RunJson("data add", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json before = added_first->RunJson("train --evaluate holdout --resamples 100", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << before.dump();
  const json during = ingested->RunJson("train --ingest --evaluate holdout --resamples 100", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << during.dump();

  // Same versions (content hashes), same consent exclusions, same folds, same evaluation.
  EXPECT_EQ(during["dataset"], before["dataset"]);
  EXPECT_LT(during["rows_used"].get<int>(), 300);  // rows without consent left out
  // Only the sources added are new; the versions are the same content hashes.
  const json differences = json::diff(WithoutTimes(before), WithoutTimes(during));
  ASSERT_EQ(differences.size(), 1u) << differences.dump();
  EXPECT_EQ(differences[0]["path"], "/added");
  EXPECT_EQ(during["evaluation"]["dataset"], before["evaluation"]["dataset"]);

  // Both sources were added, as `kiln data add` reports them.
  ASSERT_EQ(during["added"].size(), 2u) << during.dump();
  EXPECT_EQ(during["added"][0]["dataset"]["dataset"], "train");
  EXPECT_FALSE(during["added"][0]["already_present"].get<bool>());
  EXPECT_EQ(during["added"][1]["dataset"]["dataset"], "holdout");
  EXPECT_EQ(during["added"][0]["rows_without_consent"], 34) << during["added"][0].dump();
  const json list = ingested->RunJson("data list", &r);
  ASSERT_EQ(list["datasets"].size(), 2u) << list.dump();

  // The store and the audit chain agree: two ingests, the run and its evaluation.
  const json store = ingested->RunJson("store check", &r);
  EXPECT_TRUE(store["ok"].get<bool>()) << store.dump();
  EXPECT_TRUE(store["orphan_artifacts"].empty()) << store.dump();
  const json audit = ingested->RunJson("audit verify", &r);
  EXPECT_TRUE(audit["ok"].get<bool>()) << audit.dump();
  EXPECT_EQ(audit["entries_checked"], 4) << audit.dump();
}

TEST(TrainIngest, UnchangedSourcesAreNotAddedAgain) {
  const std::unique_ptr<CliProject> project = MakeProject();
  CommandResult r;
  project->RunJson("train --ingest", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json again = project->RunJson("train --ingest", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << again.dump();
  EXPECT_TRUE(again["added"][0]["already_present"].get<bool>()) << again["added"].dump();
  EXPECT_EQ(again["run"], "run-2");

  // A changed file is a new version, and the run trains on it.
  WriteFile(project->root() / "train.csv", LabelledCsv(240, 0));
  const json changed = project->RunJson("train --ingest", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << changed.dump();
  const json& version = changed["added"][0]["dataset"];
  EXPECT_EQ(version["seq"], 2) << changed["added"].dump();
  EXPECT_EQ(changed["dataset"], "train@" + version["version"].get<std::string>());
}

TEST(TrainIngest, WithoutDeclaredSourcesIsAUsageError) {
  std::string spec = kSpec;
  spec.erase(spec.find("data:"));
  const std::unique_ptr<CliProject> project = MakeProject(spec);
  CommandResult r;
  const json doc = project->RunJson("train --ingest", &r);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(doc.dump().find("data.sources"), std::string::npos) << doc.dump();
}

TEST(TrainIngest, AnUnreadableSourceStoresNothingAndTrainsNothing) {
  const std::unique_ptr<CliProject> project = MakeProject();
  WriteFile(project->root() / "holdout.csv", "a,b,consent,y\n1,2,yes\n");  // a short row
  CommandResult r;
  const json doc = project->RunJson("train --ingest --evaluate holdout", &r);
  EXPECT_EQ(r.exit_code, 2) << r.out << doc.dump();
  EXPECT_NE(doc.dump().find("holdout.csv"), std::string::npos) << doc.dump();
  EXPECT_TRUE(project->RunJson("data list", &r)["datasets"].empty());
  EXPECT_TRUE(project->RunJson("runs", &r)["runs"].empty());
}

}  // namespace
}  // namespace kiln
