// The dataset catalog on both backends: adding versions, resolving version references, purging,
// and listing.
#include "store/catalog.h"

#include <gtest/gtest.h>

#include <thread>

#include "store_fixture.h"

namespace kiln {
namespace {

using testing::StoreTest;

DatasetVersionRecord MakeVersion(const std::string& dataset, const std::string& hash) {
  DatasetVersionRecord r;
  r.dataset = dataset;
  r.version = hash;
  r.rows = 100;
  r.cols = 5;
  r.schema_json = "{\"columns\":[]}";
  r.artifact = "objects/" + hash;
  r.artifact_bytes = 4096;
  r.source = "data/" + dataset + ".csv";
  r.created_by = "tester@host";
  r.kiln_version = "0.1.0";
  r.lineage_json = "{}";
  return r;
}

class CatalogTest : public StoreTest {
 protected:
  Result<DatasetVersionRecord> Insert(const DatasetVersionRecord& rec) {
    Result<DatasetVersionRecord> out = Status();
    Status s = db_->Transact([&](Transaction& tx) -> Status {
      out = InsertDatasetVersion(tx, rec);
      return out.status();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<DatasetVersionRecord> Find(const std::string& name, const std::string& version) {
    Result<DatasetVersionRecord> out = Status();
    Status s = db_->Transact([&](Transaction& tx) -> Status {
      out = FindDatasetVersion(tx, name, version);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Status Purge(const std::string& name, const std::string& version) {
    return db_->Transact([&](Transaction& tx) {
      return MarkDatasetVersionPurged(tx, name, version, "2024-01-01T00:00:00.000Z");
    });
  }

  // Three versions of "adult"; the first two share the prefix "aaaaaa".
  void AddThreeVersions() {
    ASSERT_TRUE(Insert(MakeVersion("adult", "aaaaaa11")).ok());
    ASSERT_TRUE(Insert(MakeVersion("adult", "aaaaaa22")).ok());
    ASSERT_TRUE(Insert(MakeVersion("adult", "bbbbbb33")).ok());
  }
};
KILN_STORE_TEST_SUITE(CatalogTest);

TEST_P(CatalogTest, InsertAssignsSequenceNumbersPerDataset) {
  EXPECT_EQ(Insert(MakeVersion("adult", "a1a1a1a1"))->seq, 1);
  EXPECT_EQ(Insert(MakeVersion("adult", "b2b2b2b2"))->seq, 2);
  EXPECT_EQ(Insert(MakeVersion("iris", "c3c3c3c3"))->seq, 1);
}

TEST_P(CatalogTest, InsertFillsCreationTime) {
  auto rec = Insert(MakeVersion("adult", "a1a1a1a1"));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->created_at.size(), 24u);
}

TEST_P(CatalogTest, StoredRecordReadsBackUnchanged) {
  auto inserted = Insert(MakeVersion("adult", "a1a1a1a1"));
  ASSERT_TRUE(inserted.ok());
  auto found = Find("adult", "a1a1a1a1");
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->rows, 100);
  EXPECT_EQ(found->cols, 5);
  EXPECT_EQ(found->schema_json, inserted->schema_json);
  EXPECT_EQ(found->artifact, "objects/a1a1a1a1");
  EXPECT_EQ(found->artifact_bytes, 4096);
  EXPECT_EQ(found->source, "data/adult.csv");
  EXPECT_EQ(found->created_at, inserted->created_at);
  EXPECT_EQ(found->created_by, "tester@host");
  EXPECT_EQ(found->kiln_version, "0.1.0");
  EXPECT_EQ(found->lineage_json, "{}");
  EXPECT_FALSE(found->purged());
}

TEST_P(CatalogTest, EmptyReferenceFindsTheLatest) {
  AddThreeVersions();
  EXPECT_EQ(Find("adult", "")->version, "bbbbbb33");
}

TEST_P(CatalogTest, FindsBySequenceNumber) {
  AddThreeVersions();
  EXPECT_EQ(Find("adult", "v2")->version, "aaaaaa22");
  EXPECT_EQ(Find("adult", "v9").status().code(), ErrorCode::kNotFound);
}

TEST_P(CatalogTest, FindsByUniquePrefix) {
  AddThreeVersions();
  EXPECT_EQ(Find("adult", "bbbbbb")->version, "bbbbbb33");
  EXPECT_EQ(Find("adult", "AAAAAA2")->version, "aaaaaa22");
}

TEST_P(CatalogTest, AmbiguousPrefixIsAUsageError) {
  AddThreeVersions();
  auto found = Find("adult", "aaaaaa");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), ErrorCode::kUsage);
  EXPECT_NE(found.status().message().find("aaaaaa11"), std::string::npos);
  EXPECT_NE(found.status().message().find("aaaaaa22"), std::string::npos);
}

TEST_P(CatalogTest, ShortPrefixIsNotAccepted) {
  AddThreeVersions();
  auto found = Find("adult", "bbbbb");
  EXPECT_EQ(found.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(found.status().message().find("at least 6"), std::string::npos);
}

TEST_P(CatalogTest, UnknownDatasetIsNotFoundWithAHint) {
  auto found = Find("nope", "");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(found.status().message().find("'nope'"), std::string::npos);
  EXPECT_NE(found.status().message().find("kiln data list"), std::string::npos);
}

TEST_P(CatalogTest, PurgedVersionIsNotTheLatest) {
  AddThreeVersions();
  ASSERT_TRUE(Purge("adult", "bbbbbb33").ok());
  EXPECT_EQ(Find("adult", "")->version, "aaaaaa22");
}

TEST_P(CatalogTest, PurgedVersionStillResolvesByName) {
  AddThreeVersions();
  ASSERT_TRUE(Purge("adult", "bbbbbb33").ok());
  auto found = Find("adult", "v3");
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->purged());
  EXPECT_EQ(*found->purged_at, "2024-01-01T00:00:00.000Z");
}

TEST_P(CatalogTest, AllPurgedMeansNoLatest) {
  ASSERT_TRUE(Insert(MakeVersion("adult", "a1a1a1a1")).ok());
  ASSERT_TRUE(Purge("adult", "a1a1a1a1").ok());
  EXPECT_EQ(Find("adult", "").status().code(), ErrorCode::kNotFound);
}

TEST_P(CatalogTest, PurgingTwiceKeepsTheFirstTime) {
  ASSERT_TRUE(Insert(MakeVersion("adult", "a1a1a1a1")).ok());
  ASSERT_TRUE(Purge("adult", "a1a1a1a1").ok());
  ASSERT_TRUE(db_->Transact([](Transaction& tx) {
                   return MarkDatasetVersionPurged(tx, "adult", "a1a1a1a1",
                                                   "2030-01-01T00:00:00.000Z");
                 })
                  .ok());
  EXPECT_EQ(*Find("adult", "v1")->purged_at, "2024-01-01T00:00:00.000Z");
}

TEST_P(CatalogTest, PurgingAnUnknownVersionIsNotFound) {
  ASSERT_TRUE(Insert(MakeVersion("adult", "a1a1a1a1")).ok());
  EXPECT_EQ(Purge("adult", "ffffffff").code(), ErrorCode::kNotFound);
}

TEST_P(CatalogTest, AddingPresentDataAgainIsRefused) {
  ASSERT_TRUE(Insert(MakeVersion("adult", "a1a1a1a1")).ok());
  auto again = Insert(MakeVersion("adult", "a1a1a1a1"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kUsage);
  EXPECT_NE(again.status().message().find("v1"), std::string::npos);
}

TEST_P(CatalogTest, AddingPurgedDataAgainRestoresIt) {
  AddThreeVersions();
  ASSERT_TRUE(Purge("adult", "bbbbbb33").ok());
  auto restored = Insert(MakeVersion("adult", "bbbbbb33"));
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(restored->seq, 3);
  EXPECT_EQ(Find("adult", "")->version, "bbbbbb33");
  EXPECT_FALSE(Find("adult", "v3")->purged());
}

TEST_P(CatalogTest, ListsDatasetsWithCountsAndLatest) {
  AddThreeVersions();
  ASSERT_TRUE(Insert(MakeVersion("iris", "c3c3c3c3")).ok());
  ASSERT_TRUE(Purge("adult", "bbbbbb33").ok());

  std::vector<DatasetSummary> list;
  ASSERT_TRUE(db_->Transact([&](Transaction& tx) -> Status {
                   KILN_ASSIGN_OR_RETURN(list, ListDatasets(tx));
                   return Status::Ok();
                 })
                  .ok());
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "adult");
  EXPECT_EQ(list[0].versions, 3);
  EXPECT_EQ(list[0].purged_versions, 1);
  EXPECT_EQ(list[0].latest_version, "aaaaaa22");
  EXPECT_EQ(list[0].latest_seq, 2);
  EXPECT_EQ(list[1].name, "iris");
  EXPECT_EQ(list[1].versions, 1);
}

TEST_P(CatalogTest, ListsVersionsOldestFirst) {
  AddThreeVersions();
  std::vector<DatasetVersionRecord> versions;
  ASSERT_TRUE(db_->Transact([&](Transaction& tx) -> Status {
                   KILN_ASSIGN_OR_RETURN(versions, ListDatasetVersions(tx, "adult"));
                   return Status::Ok();
                 })
                  .ok());
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].seq, 1);
  EXPECT_EQ(versions[2].version, "bbbbbb33");
}

TEST_P(CatalogTest, ConcurrentInsertsGetDistinctSequenceNumbers) {
  constexpr int kThreads = 3;
  constexpr int kPerThread = 5;
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto db = Database::Open(uri_);
      if (!db.ok()) {
        errors[t] = db.status().message();
        return;
      }
      for (int i = 0; i < kPerThread && errors[t].empty(); ++i) {
        std::string hash = "f" + std::to_string(t) + "e" + std::to_string(i) + "0000000";
        Status s = (*db)->Transact([&](Transaction& tx) {
          return InsertDatasetVersion(tx, MakeVersion("shared", hash)).status();
        });
        if (!s.ok()) errors[t] = s.message();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");

  auto rows = Query("SELECT COUNT(*), COUNT(DISTINCT seq), MAX(seq) FROM dataset_versions");
  EXPECT_EQ(SqlInt(rows[0][0]), kThreads * kPerThread);
  EXPECT_EQ(SqlInt(rows[0][1]), kThreads * kPerThread);
  EXPECT_EQ(SqlInt(rows[0][2]), kThreads * kPerThread);
}

}  // namespace
}  // namespace kiln
