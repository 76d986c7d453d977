#include "ingest/dataset_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "store/audit.h"
#include "test_util.h"

namespace kiln {
namespace {

using kiln::testing::TempDir;
using kiln::testing::WriteFile;

constexpr const char* kSpec = R"(version: 1
project: shop
task:
  type: binary
  target: churned
  positive_class: "yes"
metrics:
  north_star: {name: roc_auc, threshold: 0.7}
governance:
  consent_column: consent
  retention_days: 30
)";

class DatasetServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_ / "kiln.yaml", kSpec);
    InitOptions init;
    init.dir = dir_.path();
    ASSERT_TRUE(InitProject(init).ok());
    Result<Project> p = Project::Open(ProjectOptions{dir_.path(), ""});
    ASSERT_TRUE(p.ok()) << p.status().message();
    project_.emplace(std::move(*p));
  }

  std::string Csv(const std::string& name, const std::string& content) {
    WriteFile(dir_ / name, content);
    return (dir_ / name).string();
  }

  AddDatasetReport Add(const std::string& path, const std::string& name) {
    AddDatasetOptions options;
    options.source_spec = path;
    options.name = name;
    Result<AddDatasetReport> r = AddDataset(*project_, options);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : AddDatasetReport{};
  }

  TempDir dir_;
  std::optional<Project> project_;
};

constexpr const char* kCustomers =
    "id,email,spend,consent,churned\n"
    "1,ann@example.com,10.5,yes,no\n"
    "2,bob@example.org,3.25,no,yes\n"
    "3,cy@example.net,7,yes,no\n"
    "4,di@example.com,,yes,yes\n";

TEST_F(DatasetServiceTest, AddingTheSameDataTwiceIsANoOp) {
  std::string path = Csv("c.csv", kCustomers);
  AddDatasetReport first = Add(path, "customers");
  AddDatasetReport second = Add(path, "customers");
  EXPECT_FALSE(first.already_present);
  EXPECT_TRUE(second.already_present);
  EXPECT_EQ(first.record.version, second.record.version);
  EXPECT_EQ(second.record.seq, 1);
}

TEST_F(DatasetServiceTest, ChangedDataBecomesTheNextVersion) {
  Add(Csv("c.csv", kCustomers), "customers");
  AddDatasetReport v2 = Add(Csv("c2.csv", std::string(kCustomers) + "5,ed@example.com,1,yes,no\n"),
                            "customers");
  EXPECT_FALSE(v2.already_present);
  EXPECT_EQ(v2.record.seq, 2);
  EXPECT_EQ(v2.record.rows, 5);
  Result<LoadedDataset> latest = LoadDataset(*project_, {"customers", ""});
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->record.seq, 2);
  Result<LoadedDataset> v1 = LoadDataset(*project_, {"customers", "v1"});
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->frame.rows(), 4u);
}

TEST_F(DatasetServiceTest, StoredVersionLoadsBackIdentically) {
  AddDatasetReport r = Add(Csv("c.csv", kCustomers), "customers");
  Result<LoadedDataset> loaded = LoadDataset(*project_, {"customers", r.record.version});
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Frame& f = loaded->frame;
  ASSERT_EQ(f.cols(), 5u);
  EXPECT_EQ(f.column(0).type, ColumnType::kInteger);
  EXPECT_EQ(f.column(2).type, ColumnType::kFloat);
  EXPECT_DOUBLE_EQ(f.column(2).floats[1], 3.25);
  EXPECT_TRUE(f.column(2).is_missing(3));
}

TEST_F(DatasetServiceTest, IngestReportsPiiAndRecordsLineage) {
  AddDatasetReport r = Add(Csv("c.csv", kCustomers), "customers");
  bool email_found = false;
  for (const PiiFinding& f : r.pii) email_found |= (f.column == "email");
  EXPECT_TRUE(email_found);
  EXPECT_NE(r.record.lineage_json.find("\"pii\""), std::string::npos);
  EXPECT_NE(r.record.lineage_json.find("c.csv"), std::string::npos);
  EXPECT_FALSE(r.record.created_by.empty());
}

TEST_F(DatasetServiceTest, RowsWithoutConsentAreExcludedFromTraining) {
  AddDatasetReport r = Add(Csv("c.csv", kCustomers), "customers");
  ASSERT_TRUE(r.consent_excluded.has_value());
  EXPECT_EQ(*r.consent_excluded, 1);
  Result<LoadedDataset> loaded = LoadDataset(*project_, {"customers", ""});
  ASSERT_TRUE(loaded.ok());
  int64_t excluded = 0;
  Result<Frame> training = ApplyGovernance(*project_, loaded->frame, &excluded);
  ASSERT_TRUE(training.ok());
  EXPECT_EQ(training->rows(), 3u);
  EXPECT_EQ(excluded, 1);
}

TEST_F(DatasetServiceTest, FirstIngestWritesAnEditableContractThatLaterDataIsCheckedAgainst) {
  AddDatasetReport first = Add(Csv("c.csv", kCustomers), "customers");
  EXPECT_TRUE(first.contract_created);
  EXPECT_TRUE(std::filesystem::exists(first.contract_path));
  AddDatasetReport second =
      Add(Csv("c2.csv", std::string(kCustomers) + "5,ed@example.com,-999999,no,no\n"),
          "customers");
  ASSERT_TRUE(second.contract_check.has_value());
  EXPECT_FALSE(second.contract_check->passed);
}

TEST_F(DatasetServiceTest, PurgeExpiredRemovesOldVersionsAndAudits) {
  AddDatasetReport r = Add(Csv("c.csv", kCustomers), "customers");
  auto now = std::chrono::system_clock::now();
  Result<PurgeReport> none = PurgeExpired(*project_, false, now);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_TRUE(none->purged.empty());

  Result<PurgeReport> purged = PurgeExpired(*project_, false, now + std::chrono::hours(24 * 31));
  ASSERT_TRUE(purged.ok()) << purged.status().message();
  ASSERT_EQ(purged->purged.size(), 1u);
  EXPECT_TRUE(purged->purged[0].artifact_deleted);
  EXPECT_FALSE(project_->artifacts().Exists(r.record.artifact));
  Result<LoadedDataset> gone = LoadDataset(*project_, {"customers", "v1"});
  EXPECT_FALSE(gone.ok());

  Result<std::vector<AuditEntry>> log = ListAudit(project_->db(), 10);
  ASSERT_TRUE(log.ok());
  bool purge_logged = false;
  for (const AuditEntry& e : *log) purge_logged |= (e.action == "dataset.purge");
  EXPECT_TRUE(purge_logged);
}

TEST_F(DatasetServiceTest, CheckStoreFindsACorruptArtifact) {
  AddDatasetReport r = Add(Csv("c.csv", kCustomers), "customers");
  Result<StoreCheckReport> clean = CheckStore(*project_, false);
  ASSERT_TRUE(clean.ok());
  EXPECT_TRUE(clean->ok());

  auto path = project_->artifacts().PathOf(r.record.artifact);
  std::filesystem::permissions(path, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  std::string bytes = kiln::testing::ReadFile(path);
  bytes[bytes.size() / 2] ^= 0x5a;
  WriteFile(path, bytes);
  Result<StoreCheckReport> broken = CheckStore(*project_, false);
  ASSERT_TRUE(broken.ok());
  EXPECT_FALSE(broken->ok());
  ASSERT_EQ(broken->problems.size(), 1u);
}

TEST_F(DatasetServiceTest, DatasetRefsAreParsedAndBadOnesExplained) {
  Result<DatasetRef> ref = ParseDatasetRef("adult@v2");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->name, "adult");
  EXPECT_EQ(ref->version, "v2");
  EXPECT_FALSE(ParseDatasetRef("adult@").ok());
  EXPECT_FALSE(ParseDatasetRef("../etc").ok());
}

}  // namespace
}  // namespace kiln
