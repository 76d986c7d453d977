// The store interface on both backends: opening by URI, binding and reading every value kind,
// transactions, and the error codes callers rely on.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "store/database.h"
#include "store/postgres_database.h"
#include "store_fixture.h"

namespace kiln {
namespace {

using testing::StoreTest;

class DatabaseTest : public StoreTest {};
KILN_STORE_TEST_SUITE(DatabaseTest);

TEST_P(DatabaseTest, ReportsItsBackend) {
  EXPECT_EQ(db_->backend(), GetParam());
  EXPECT_TRUE(db_->Ping().ok());
}

TEST_P(DatabaseTest, BindsAndReadsEveryValueKind) {
  ASSERT_TRUE(Exec("CREATE TABLE t (i BIGINT, d DOUBLE PRECISION, s TEXT, n TEXT)").ok());
  const int64_t big = std::numeric_limits<int64_t>::min();
  const std::string text = "h\xc3\xa9llo 'quoted' \"double\" ? $1 \\ end";
  ASSERT_TRUE(
      Exec("INSERT INTO t (i, d, s, n) VALUES (?, ?, ?, ?)", {big, 0.1, text, std::monostate{}})
          .ok());

  auto rows = Query("SELECT i, d, s, n FROM t");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(rows[0][0]), big);
  EXPECT_EQ(std::get<double>(rows[0][1]), 0.1);
  EXPECT_EQ(std::get<std::string>(rows[0][2]), text);
  EXPECT_TRUE(SqlIsNull(rows[0][3]));
}

TEST_P(DatabaseTest, RoundTripsExtremeDoubles) {
  ASSERT_TRUE(Exec("CREATE TABLE t (k BIGINT, d DOUBLE PRECISION)").ok());
  std::vector<double> values = {std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::denorm_min(), -0.0, 1.0 / 3.0, -1e300};
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_TRUE(
        Exec("INSERT INTO t (k, d) VALUES (?, ?)", {static_cast<int64_t>(i), values[i]}).ok());
  }
  auto rows = Query("SELECT d FROM t ORDER BY k");
  ASSERT_EQ(rows.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(SqlDouble(rows[i][0]), values[i]);
}

// A NULL parameter carries no type, so where nothing else fixes one it needs a CAST (on
// PostgreSQL; SQLite accepts either).
TEST_P(DatabaseTest, NullParameterMatchesIsNull) {
  auto rows = Query("SELECT COUNT(*) FROM schema_migrations WHERE CAST(? AS TEXT) IS NULL",
                    {std::monostate{}});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_GT(SqlInt(rows[0][0]), 0);
}

TEST_P(DatabaseTest, QuestionMarkInsideLiteralIsNotAPlaceholder) {
  auto rows = Query("SELECT '?', ?", {std::string("x")});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(SqlText(rows[0][0]), "?");
  EXPECT_EQ(SqlText(rows[0][1]), "x");
}

TEST_P(DatabaseTest, PlaceholderCountMismatchIsAnInternalError) {
  Status s = Exec("SELECT ?, ?", {int64_t{1}});
  EXPECT_EQ(s.code(), ErrorCode::kInternal);
  EXPECT_NE(s.message().find("2 placeholders but 1 parameters"), std::string::npos) << s.message();
}

TEST_P(DatabaseTest, SyntaxErrorIsAnInternalError) {
  EXPECT_EQ(Exec("SELEKT 1").code(), ErrorCode::kInternal);
}

TEST_P(DatabaseTest, ConstraintViolationIsADataError) {
  ASSERT_TRUE(Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(Exec("INSERT INTO t (k) VALUES ('a')").ok());
  EXPECT_EQ(Exec("INSERT INTO t (k) VALUES ('a')").code(), ErrorCode::kData);
}

TEST_P(DatabaseTest, ForeignKeysAreEnforced) {
  Status s = Exec(
      "INSERT INTO dataset_versions (dataset, version, seq, rows, cols, schema_json, artifact, "
      "artifact_bytes, source, created_at, created_by, kiln_version, lineage_json) "
      "VALUES ('nope', 'abc', 1, 0, 0, '', '', 0, '', '', '', '', '')");
  EXPECT_EQ(s.code(), ErrorCode::kData) << s.message();
}

TEST_P(DatabaseTest, FailedBodyRollsBack) {
  ASSERT_TRUE(Exec("CREATE TABLE t (k BIGINT)").ok());
  Status s = db_->Transact([](Transaction& tx) -> Status {
    KILN_RETURN_IF_ERROR(tx.Exec("INSERT INTO t (k) VALUES (1)"));
    return MakeError(ErrorCode::kData, "changed my mind");
  });
  EXPECT_EQ(s.code(), ErrorCode::kData);
  EXPECT_EQ(SqlInt(Query("SELECT COUNT(*) FROM t")[0][0]), 0);
}

TEST_P(DatabaseTest, ExceptionInBodyRollsBackAndBecomesAnError) {
  ASSERT_TRUE(Exec("CREATE TABLE t (k BIGINT)").ok());
  Status s = db_->Transact([](Transaction& tx) -> Status {
    KILN_RETURN_IF_ERROR(tx.Exec("INSERT INTO t (k) VALUES (1)"));
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(s.code(), ErrorCode::kInternal);
  EXPECT_NE(s.message().find("boom"), std::string::npos);
  EXPECT_EQ(SqlInt(Query("SELECT COUNT(*) FROM t")[0][0]), 0);
}

TEST_P(DatabaseTest, IgnoredStatementErrorStillPreventsCommit) {
  ASSERT_TRUE(Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  Status s = db_->Transact([](Transaction& tx) -> Status {
    KILN_RETURN_IF_ERROR(tx.Exec("INSERT INTO t (k) VALUES ('a')"));
    (void)tx.Exec("INSERT INTO t (k) VALUES ('a')");
    return Status::Ok();
  });
  if (GetParam() == "postgresql") {
    // PostgreSQL has aborted the transaction; reporting success would be a lie.
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(SqlInt(Query("SELECT COUNT(*) FROM t")[0][0]), 0);
  } else {
    // SQLite undoes only the failed statement, so the first insert commits.
    EXPECT_TRUE(s.ok());
    EXPECT_EQ(SqlInt(Query("SELECT COUNT(*) FROM t")[0][0]), 1);
  }
}

TEST_P(DatabaseTest, CommittedChangesAreSeenByAnotherConnection) {
  ASSERT_TRUE(Exec("CREATE TABLE t (k BIGINT)").ok());
  ASSERT_TRUE(Exec("INSERT INTO t (k) VALUES (?)", {int64_t{42}}).ok());
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  int64_t seen = 0;
  ASSERT_TRUE(other
                  ->Transact([&](Transaction& tx) -> Status {
                    KILN_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT k FROM t"));
                    seen = SqlInt(rows.at(0).at(0));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(seen, 42);
}

TEST_P(DatabaseTest, NestedTransactIsRefused) {
  Status inner;
  Status outer = db_->Transact([&](Transaction&) -> Status {
    inner = db_->Transact([](Transaction&) { return Status::Ok(); });
    return Status::Ok();
  });
  EXPECT_TRUE(outer.ok());
  EXPECT_EQ(inner.code(), ErrorCode::kInternal);
}

TEST_P(DatabaseTest, MultipleStatementsInOneCallAreRefused) {
  EXPECT_FALSE(Exec("SELECT 1; SELECT 2").ok());
}

TEST_P(DatabaseTest, LocationNeverShowsAPassword) {
  EXPECT_FALSE(db_->location().empty());
  EXPECT_EQ(db_->location().find(':' + std::string("secret")), std::string::npos);
}

TEST(DatabaseOpenTest, UnknownSchemeIsAConfigError) {
  auto db = Database::Open("mysql://root:hunter2@db/kiln");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kConfig);
  EXPECT_EQ(db.status().message().find("hunter2"), std::string::npos);
}

TEST(DatabaseOpenTest, MissingDirectoryIsAnIoError) {
  auto db = Database::Open("sqlite:/nonexistent-kiln-dir/sub/kiln.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kIo);
  EXPECT_NE(db.status().message().find("/nonexistent-kiln-dir/sub/kiln.db"), std::string::npos);
}

TEST(DatabaseOpenTest, PlainPathOpensSqlite) {
  testing::TempDir dir;
  auto db = Database::Open((dir / "plain.db").string());
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ((*db)->backend(), "sqlite");
}

TEST(DatabaseOpenTest, InMemorySqliteIsMigrated) {
  auto db = Database::Open("sqlite::memory:");
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_TRUE((*db)
                  ->Transact([](Transaction& tx) {
                    return tx.Query("SELECT COUNT(*) FROM audit_log").status();
                  })
                  .ok());
}

TEST(DatabaseOpenTest, UnreachableServerIsAnIoErrorWithoutThePassword) {
  auto db = Database::Open("postgresql://kiln:s3cr3tpw@127.0.0.1:1/kiln?connect_timeout=2");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kIo);
  EXPECT_EQ(db.status().message().find("s3cr3tpw"), std::string::npos) << db.status().message();
  EXPECT_NE(db.status().message().find("127.0.0.1:1"), std::string::npos) << db.status().message();
  EXPECT_NE(db.status().message().find("server is running"), std::string::npos);
}

TEST(SqlValueTest, ReadersConvertAndFallBack) {
  EXPECT_EQ(SqlInt(SqlValue(int64_t{7})), 7);
  EXPECT_EQ(SqlInt(SqlValue(std::string("12"))), 12);
  EXPECT_EQ(SqlInt(SqlValue(std::monostate{}), -1), -1);
  EXPECT_EQ(SqlDouble(SqlValue(int64_t{2})), 2.0);
  EXPECT_EQ(SqlText(SqlValue(int64_t{5})), "5");
  EXPECT_EQ(SqlText(SqlValue(std::monostate{}), "none"), "none");
  EXPECT_TRUE(SqlIsNull(SqlValue()));
}

TEST(SqlValueTest, TimestampIsIsoUtcWithMilliseconds) {
  std::string ts = SqlTimestampNow();
  ASSERT_EQ(ts.size(), 24u) << ts;
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
}

TEST(PlaceholderTest, NumbersPlaceholdersInOrder) {
  int n = 0;
  EXPECT_EQ(TranslatePlaceholders("SELECT ? + ?, x FROM t WHERE y = ?", &n),
            "SELECT $1 + $2, x FROM t WHERE y = $3");
  EXPECT_EQ(n, 3);
}

TEST(PlaceholderTest, LeavesQuotedTextAndCommentsAlone) {
  int n = 0;
  EXPECT_EQ(TranslatePlaceholders("SELECT 'a?''?', \"q?\", ? -- why?\n/* a? /* b? */ c? */ ?", &n),
            "SELECT 'a?''?', \"q?\", $1 -- why?\n/* a? /* b? */ c? */ $2");
  EXPECT_EQ(n, 2);
}

TEST(PlaceholderTest, LeavesDollarQuotedAndEscapedStringsAlone) {
  int n = 0;
  EXPECT_EQ(TranslatePlaceholders("SELECT $tag$ ? $tag$, E'\\'?', $$?$$, ?", &n),
            "SELECT $tag$ ? $tag$, E'\\'?', $$?$$, $1");
  EXPECT_EQ(n, 1);
}

TEST(RedactUriTest, HidesPasswordsInUserInfoAndQuery) {
  EXPECT_EQ(RedactUri("postgresql://kiln:pw@db:5432/k"), "postgresql://kiln:***@db:5432/k");
  EXPECT_EQ(RedactUri("postgresql://kiln@db/k?password=pw&sslmode=require"),
            "postgresql://kiln@db/k?password=***&sslmode=require");
  EXPECT_EQ(RedactUri("postgresql://kiln@db/k"), "postgresql://kiln@db/k");
}

}  // namespace
}  // namespace kiln
