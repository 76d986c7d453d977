// `kiln train --ingest`: the kiln.yaml sources are added while the folds train, and the run is the
// one that `kiln data add` followed by `kiln train` would record.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace kiln {
namespace {

using kiln::testing::CommandResult;
using kiln::testing::KilnBinary;
using kiln::testing::ReadFile;
using kiln::testing::RunCommand;
using kiln::testing::TempDir;
using kiln::testing::WriteFile;
using json = nlohmann::json;
namespace fs = std::filesystem;

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

class TrainIngestTest : public ::testing::Test {
 protected:
  // A project over kSpec with its two files written; `spec` replaces kSpec when given.
  static void MakeProject(const TempDir& dir, const std::string& spec = kSpec) {
    WriteFile(dir / "kiln.yaml", spec);
    WriteFile(dir / "train.csv", LabelledCsv(300, 0));
    WriteFile(dir / "holdout.csv", LabelledCsv(120, 1000));
    const CommandResult init = RunCommand(KilnBinary() + " init " + dir.path().string());
    ASSERT_EQ(init.exit_code, 0) << init.out;
  }

  // The JSON document a command prints with --json (null when it does not parse).
  json RunJson(const TempDir& dir, const std::string& args, CommandResult* result) const {
    const fs::path out = scratch_ / "stdout.json";
    *result = RunCommand("(" + KilnBinary() + " --no-progress --json -C " + dir.path().string() +
                         " " + args + " > " + out.string() + ")");
    return json::parse(ReadFile(out), nullptr, false);
  }

  TempDir scratch_;
};

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

TEST_F(TrainIngestTest, RecordsTheRunThatAddingFirstRecords) {
  TempDir added_first, ingested;
  MakeProject(added_first);
  MakeProject(ingested);
  CommandResult r;
  RunJson(added_first, "data add", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json before = RunJson(added_first, "train --evaluate holdout --resamples 100", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << before.dump();
  const json during = RunJson(ingested, "train --ingest --evaluate holdout --resamples 100", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << during.dump();

  // Same versions (content hashes), same consent exclusions, same folds, same evaluation.
  EXPECT_EQ(during["dataset"], before["dataset"]);
  EXPECT_EQ(during["rows_used"], before["rows_used"]);
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
  const json list = RunJson(ingested, "data list", &r);
  ASSERT_EQ(list["datasets"].size(), 2u) << list.dump();

  // The store and the audit chain agree: two ingests, the run and its evaluation.
  const json store = RunJson(ingested, "store check", &r);
  EXPECT_TRUE(store["ok"].get<bool>()) << store.dump();
  EXPECT_TRUE(store["orphan_artifacts"].empty()) << store.dump();
  const json audit = RunJson(ingested, "audit verify", &r);
  EXPECT_TRUE(audit["ok"].get<bool>()) << audit.dump();
  EXPECT_EQ(audit["entries_checked"], 4) << audit.dump();
}

TEST_F(TrainIngestTest, UnchangedSourcesAreNotAddedAgain) {
  TempDir dir;
  MakeProject(dir);
  CommandResult r;
  RunJson(dir, "train --ingest", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const json again = RunJson(dir, "train --ingest", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << again.dump();
  EXPECT_TRUE(again["added"][0]["already_present"].get<bool>()) << again["added"].dump();
  EXPECT_EQ(again["run"], "run-2");

  // A changed file is a new version, and the run trains on it.
  WriteFile(dir / "train.csv", LabelledCsv(240, 0));
  const json changed = RunJson(dir, "train --ingest", &r);
  ASSERT_EQ(r.exit_code, 0) << r.out << changed.dump();
  EXPECT_EQ(changed["added"][0]["dataset"]["seq"], 2) << changed["added"].dump();
  EXPECT_EQ(changed["dataset"].get<std::string>().rfind("train@", 0), 0u);
  EXPECT_EQ(changed["dataset"],
            "train@" + changed["added"][0]["dataset"]["version"].get<std::string>());
}

TEST_F(TrainIngestTest, WithoutDeclaredSourcesIsAUsageError) {
  TempDir dir;
  std::string spec = kSpec;
  spec.erase(spec.find("data:"));
  MakeProject(dir, spec);
  CommandResult r;
  const json doc = RunJson(dir, "train --ingest", &r);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(doc.dump().find("data.sources"), std::string::npos) << doc.dump();
}

TEST_F(TrainIngestTest, AnUnreadableSourceStoresNothingAndTrainsNothing) {
  TempDir dir;
  MakeProject(dir);
  WriteFile(dir / "holdout.csv", "a,b,consent,y\n1,2,yes\n");  // a short row
  CommandResult r;
  const json doc = RunJson(dir, "train --ingest --evaluate holdout", &r);
  EXPECT_EQ(r.exit_code, 2) << r.out << doc.dump();
  EXPECT_NE(doc.dump().find("holdout.csv"), std::string::npos) << doc.dump();
  EXPECT_TRUE(RunJson(dir, "data list", &r)["datasets"].empty());
  EXPECT_TRUE(RunJson(dir, "runs", &r)["runs"].empty());
}

}  // namespace
}  // namespace kiln
