// The kiln binary driven as a user drives it: exit codes, --json output, and the real data sets.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace kiln {
namespace {

using kiln::testing::KilnBinary;
using kiln::testing::RunCommand;
using kiln::testing::SharedDatasets;
using kiln::testing::TempDir;
using kiln::testing::WriteFile;
using json = nlohmann::json;

std::string Kiln(const TempDir& project, const std::string& args) {
  return KilnBinary() + " --no-progress -C " + project.path().string() + " " + args;
}

json Json(const std::string& out) {
  // Logs go to stderr, which RunCommand interleaves; the JSON document starts at the first '{'.
  size_t start = out.find('{');
  if (start == std::string::npos) return json();
  return json::parse(out.substr(start), nullptr, false);
}

constexpr const char* kSpec = R"(version: 1
task: {type: binary, target: y, positive_class: "1"}
metrics:
  north_star: {name: roc_auc, threshold: 0.7}
)";

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "kiln.yaml", kSpec);
    auto r = RunCommand(KilnBinary() + " init " + dir_.path().string());
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  TempDir dir_;
};

TEST_F(CliTest, VersionPrintsJson) {
  auto r = RunCommand(KilnBinary() + " --json version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(Json(r.out).value("ok", false));
}

TEST_F(CliTest, UnknownSubcommandIsAUsageError) {
  auto r = RunCommand(KilnBinary() + " frobnicate");
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

TEST_F(CliTest, MissingFileIsAUsageErrorThatRegistersNothing) {
  auto r = RunCommand(Kiln(dir_, "data add /nonexistent/file.csv"));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("/nonexistent/file.csv"), std::string::npos) << r.out;
  auto list = RunCommand(Kiln(dir_, "--json data list"));
  EXPECT_TRUE(Json(list.out)["datasets"].empty()) << list.out;
}

// The broken-input corpus through the binary: every file, and a 10 MB field, is a data error
// (exit 2) whose message names the file, the line and the column, and leaves the store as it was:
// no dataset, no artifact, no audit entry.
TEST_F(CliTest, EveryBrokenFileIsADataErrorThatRegistersNothing) {
  const std::filesystem::path corpus =
      testing::SourceDir() / "tests" / "data" / "fixtures" / "broken";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(corpus))
    files.push_back(entry.path());
  const std::filesystem::path huge = dir_ / "huge_field.csv";
  WriteFile(huge, "id,blob\n1,small\n2," + std::string(10u << 20, 'x') + "\n");
  files.push_back(huge);
  ASSERT_GE(files.size(), 10u);
  const auto audit_before = Json(RunCommand(Kiln(dir_, "--json audit verify")).out);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    auto r = RunCommand(Kiln(dir_, "--json data add " + file.string() + " --name broken"));
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find(file.string()), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("line "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("column "), std::string::npos) << r.out;
  }
  auto list = RunCommand(Kiln(dir_, "--json data list"));
  EXPECT_TRUE(Json(list.out)["datasets"].empty()) << list.out;
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / ".kiln" / "artifacts"));
  const auto audit_after = Json(RunCommand(Kiln(dir_, "--json audit verify")).out);
  EXPECT_EQ(audit_after, audit_before);
}

TEST_F(CliTest, OutsideAProjectSaysHowToCreateOne) {
  TempDir empty;
  auto r = RunCommand(Kiln(empty, "data list"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("kiln init"), std::string::npos) << r.out;
}

TEST_F(CliTest, AddShowValidateAndAuditRoundTrip) {
  WriteFile(dir_ / "d.csv", "a,b,y\n1,x,0\n2,y,1\n3,x,1\n");
  auto add = RunCommand(Kiln(dir_, "--json data add d.csv --name d"));
  ASSERT_EQ(add.exit_code, 0) << add.out;
  json added = Json(add.out);
  EXPECT_EQ(added["dataset"]["rows"], 3);
  EXPECT_FALSE(added["already_present"].get<bool>());

  auto again = RunCommand(Kiln(dir_, "--json data add d.csv --name d"));
  EXPECT_TRUE(Json(again.out)["already_present"].get<bool>()) << again.out;

  auto show = RunCommand(Kiln(dir_, "--json data show d@v1"));
  ASSERT_EQ(show.exit_code, 0) << show.out;
  EXPECT_EQ(Json(show.out)["columns"][1]["type"], "categorical");

  auto validate = RunCommand(Kiln(dir_, "data validate d"));
  EXPECT_EQ(validate.exit_code, 0) << validate.out;

  auto verify = RunCommand(Kiln(dir_, "--json audit verify"));
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_EQ(Json(verify.out)["entries_checked"], 1);
}

// kiln.yaml with the two sources `train` and `test` (relative paths resolve from the project).
void DeclareTwoSources(const std::filesystem::path& dir) {
  WriteFile(dir / "kiln.yaml", std::string(kSpec) +
                                   "data:\n  sources:\n    - {name: train, path: train.csv}\n"
                                   "    - {name: test, path: test.csv}\n");
  WriteFile(dir / "train.csv", "a,b,y\n1,x,0\n2,y,1\n3,x,1\n4,y,0\n");
  WriteFile(dir / "test.csv", "a,b,y\n5,x,1\n6,y,0\n");
}

TEST_F(CliTest, AddWithoutASourceAddsEveryDeclaredSource) {
  DeclareTwoSources(dir_.path());
  auto add = RunCommand(Kiln(dir_, "--json data add"));
  ASSERT_EQ(add.exit_code, 0) << add.out;
  const json added = Json(add.out)["added"];
  ASSERT_EQ(added.size(), 2u) << add.out;
  EXPECT_EQ(added[0]["dataset"]["dataset"], "train") << added.dump();
  EXPECT_EQ(added[0]["dataset"]["rows"], 4);
  EXPECT_EQ(added[1]["dataset"]["dataset"], "test") << added.dump();
  EXPECT_EQ(added[1]["dataset"]["rows"], 2);

  auto again = RunCommand(Kiln(dir_, "data add"));
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("train@v1"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("test@v1"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("nothing added"), std::string::npos) << again.out;

  // A name still picks one source.
  WriteFile(dir_ / "test.csv", "a,b,y\n7,x,1\n8,y,0\n9,x,1\n");
  auto one = RunCommand(Kiln(dir_, "--json data add --name test"));
  ASSERT_EQ(one.exit_code, 0) << one.out;
  EXPECT_EQ(Json(one.out)["dataset"]["seq"], 2) << one.out;
  auto verify = RunCommand(Kiln(dir_, "--json audit verify"));
  EXPECT_EQ(Json(verify.out)["entries_checked"], 3) << verify.out;
}

TEST_F(CliTest, AddingEveryDeclaredSourceStoresNoneWhenOneCannotBeRead) {
  DeclareTwoSources(dir_.path());
  WriteFile(dir_ / "test.csv", "a,b,y\n5,x\n6,y,0,9\n");  // ragged rows
  auto add = RunCommand(Kiln(dir_, "data add"));
  EXPECT_EQ(add.exit_code, 2) << add.out;
  EXPECT_NE(add.out.find("test.csv"), std::string::npos) << add.out;
  auto list = RunCommand(Kiln(dir_, "--json data list"));
  EXPECT_TRUE(Json(list.out)["datasets"].empty()) << list.out;
}

TEST_F(CliTest, UnknownDatasetIsNotFound) {
  auto r = RunCommand(Kiln(dir_, "data show nosuch"));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("nosuch"), std::string::npos);
}

TEST_F(CliTest, BrokenKilnYamlNamesLineAndSuggestion) {
  WriteFile(dir_ / "kiln.yaml", "version: 1\ntask:\n  type: binary\n  traget: y\n");
  auto r = RunCommand(Kiln(dir_, "data list"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("target"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(":4:"), std::string::npos) << r.out;
}

TEST(CliRealData, InitProposesBinaryTaskForAdult) {
  auto datasets = SharedDatasets();
  if (!datasets) GTEST_SKIP() << "shared datasets not found";
  TempDir dir;
  std::string csv = (*datasets / "adult" / "adult-train.csv").string();
  auto init = RunCommand(KilnBinary() + " --json init " + dir.path().string() + " --from " + csv +
                         " --target target");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  EXPECT_EQ(Json(init.out)["task"], "binary");
  auto add = RunCommand(KilnBinary() + " --json -C " + dir.path().string() + " data add " + csv +
                        " --name adult");
  ASSERT_EQ(add.exit_code, 0) << add.out;
  json a = Json(add.out);
  EXPECT_EQ(a["dataset"]["rows"], 32561);
  EXPECT_EQ(a["dataset"]["columns"], 15);
  EXPECT_TRUE(a["pii"].empty()) << a["pii"].dump();
}

}  // namespace
}  // namespace kiln
