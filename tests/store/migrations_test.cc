// Schema migrations on both backends: applied once, in order, atomically, and never onto a store
// from a newer Kiln.
#include "store/migrations.h"

#include <gtest/gtest.h>

#include <thread>

#include "store_fixture.h"

namespace kiln {
namespace {

using testing::StoreTest;

class MigrationsTest : public StoreTest {
 protected:
  int64_t CountMigrations() {
    return SqlInt(Query("SELECT COUNT(*) FROM schema_migrations")[0][0]);
  }
};
KILN_STORE_TEST_SUITE(MigrationsTest);

Migration MakeMigration(int version, std::vector<std::string> sql) {
  Migration m;
  m.version = version;
  m.description = "test " + std::to_string(version);
  m.sql = std::move(sql);
  return m;
}

TEST_P(MigrationsTest, OpenBringsStoreToLatestVersion) {
  auto version = SchemaVersion(*db_);
  ASSERT_TRUE(version.ok()) << version.status().message();
  EXPECT_EQ(*version, LatestSchemaVersion());
  EXPECT_EQ(CountMigrations(), static_cast<int64_t>(Migrations().size()));
}

TEST_P(MigrationsTest, ReopeningChangesNothing) {
  auto applied_at = Query("SELECT applied_at FROM schema_migrations WHERE version = 1");
  ASSERT_NE(OpenAnother(), nullptr);
  ASSERT_NE(OpenAnother(), nullptr);
  EXPECT_EQ(CountMigrations(), static_cast<int64_t>(Migrations().size()));
  EXPECT_EQ(Query("SELECT applied_at FROM schema_migrations WHERE version = 1"), applied_at);
}

TEST_P(MigrationsTest, StoreFromNewerKilnIsRefused) {
  ASSERT_TRUE(Exec("INSERT INTO schema_migrations (version, applied_at, description, "
                   "kiln_version) VALUES (?, '2099-01-01T00:00:00.000Z', 'future', '9.9.9')",
                   {static_cast<int64_t>(LatestSchemaVersion() + 1)})
                  .ok());
  auto reopened = Database::Open(uri_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), ErrorCode::kConfig);
  EXPECT_NE(reopened.status().message().find("Kiln 9.9.9"), std::string::npos)
      << reopened.status().message();
  EXPECT_NE(reopened.status().message().find("upgrade Kiln"), std::string::npos);
}

TEST_P(MigrationsTest, AppliesNewMigrationsInOrder) {
  std::vector<Migration> list = Migrations();
  list.push_back(MakeMigration(LatestSchemaVersion() + 1, {"CREATE TABLE extra_a (k BIGINT)"}));
  list.push_back(MakeMigration(LatestSchemaVersion() + 2, {"INSERT INTO extra_a (k) VALUES (1)"}));
  ASSERT_TRUE(ApplyMigrations(*db_, list).ok());
  ASSERT_TRUE(ApplyMigrations(*db_, list).ok());

  EXPECT_EQ(SqlInt(Query("SELECT COUNT(*) FROM extra_a")[0][0]), 1);
  EXPECT_EQ(*SchemaVersion(*db_), LatestSchemaVersion() + 2);
}

TEST_P(MigrationsTest, RunsOnlyTheStoresOwnBackendStatements) {
  std::vector<Migration> list = Migrations();
  Migration m = MakeMigration(LatestSchemaVersion() + 1, {"CREATE TABLE extra_b (k TEXT)"});
  m.sqlite_sql = {"INSERT INTO extra_b (k) VALUES ('sqlite')"};
  m.postgres_sql = {"INSERT INTO extra_b (k) VALUES ('postgresql')"};
  list.push_back(m);
  ASSERT_TRUE(ApplyMigrations(*db_, list).ok());

  auto rows = Query("SELECT k FROM extra_b");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(SqlText(rows[0][0]), GetParam());
}

TEST_P(MigrationsTest, FailedMigrationLeavesNoTrace) {
  std::vector<Migration> list = Migrations();
  list.push_back(MakeMigration(LatestSchemaVersion() + 1,
                               {"CREATE TABLE extra_c (k BIGINT)", "THIS IS NOT SQL"}));
  Status s = ApplyMigrations(*db_, list);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("while applying store migration"), std::string::npos);

  EXPECT_EQ(*SchemaVersion(*db_), LatestSchemaVersion());
  EXPECT_FALSE(Exec("SELECT COUNT(*) FROM extra_c").ok());
}

TEST_P(MigrationsTest, OutOfOrderListIsRejected) {
  std::vector<Migration> list = {MakeMigration(2, {}), MakeMigration(1, {})};
  EXPECT_EQ(ApplyMigrations(*db_, list).code(), ErrorCode::kInternal);
}

TEST_P(MigrationsTest, ConcurrentOpensOfAFreshStoreAllSucceed) {
  // Start from an empty store: drop what the fixture's Open created.
  db_.reset();
  if (GetParam() == "sqlite") {
    for (const char* f : {"kiln.db", "kiln.db-wal", "kiln.db-shm"})
      std::filesystem::remove(dir_ / f);
  } else {
    ASSERT_EQ(testing::AdminExec(uri_,
                                 "DROP TABLE runs, dataset_versions, datasets, audit_log, "
                                 "schema_migrations"),
              "");
  }

  constexpr int kOpeners = 4;
  std::vector<std::string> errors(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      auto db = Database::Open(uri_);
      if (!db.ok()) errors[i] = db.status().message();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");

  auto db = Database::Open(uri_);
  ASSERT_TRUE(db.ok());
  db_ = std::move(db).value();
  EXPECT_EQ(CountMigrations(), static_cast<int64_t>(Migrations().size()));
}

}  // namespace
}  // namespace kiln
