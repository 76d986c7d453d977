// SQL sources: SQLite databases built in a temporary directory, and PostgreSQL when
// KILN_TEST_POSTGRES_URI names a server the test may create tables in.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "data/columnar.h"
#include "data/csv_reader.h"
#include "data/infer.h"
#include "data/source.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::TempDir;

// Runs `sql` (several statements allowed) on a new or existing SQLite file.
void ExecSqlite(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

class SqliteSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "people.sqlite";
    ExecSqlite(db_,
               "CREATE TABLE people (name TEXT, age INTEGER, height REAL, note TEXT);"
               "INSERT INTO people VALUES ('ann', 34, 1.7, 'x'), ('bob', NULL, 2.0, ''),"
               "  ('cy', -5, NULL, NULL);");
  }

  Result<RawTable> Read(const std::string& query) {
    KILN_ASSIGN_OR_RETURN(std::unique_ptr<DataSource> source, Open(query));
    return source->Read(nullptr);
  }

  Result<std::unique_ptr<DataSource>> Open(const std::string& query) {
    SourceOptions options;
    options.query = query;
    return OpenSource("sqlite:" + db_.string(), options);
  }

  TempDir dir_;
  std::filesystem::path db_;
};

TEST_F(SqliteSourceTest, ReadsNamesAndValuesAsText) {
  Result<RawTable> t = Read("SELECT name, age, height FROM people ORDER BY rowid");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->names, (std::vector<std::string>{"name", "age", "height"}));
  ASSERT_EQ(t->rows(), 3u);
  EXPECT_EQ(t->cells[0][2], "cy");
  EXPECT_EQ(t->cells[1][0], "34");
  EXPECT_EQ(t->cells[1][2], "-5");
  EXPECT_EQ(t->cells[2][0], "1.7");
  EXPECT_EQ(t->cells[2][1], "2.0");
}

TEST_F(SqliteSourceTest, NullIsANullViewAndEmptyTextIsNot) {
  Result<RawTable> t = Read("SELECT age, note FROM people ORDER BY rowid");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->cells[0][1].data(), nullptr);
  EXPECT_NE(t->cells[1][1].data(), nullptr);
  EXPECT_TRUE(t->cells[1][1].empty());
  EXPECT_EQ(t->cells[1][2].data(), nullptr);
}

TEST_F(SqliteSourceTest, RealsRenderAsShortestRoundTripWithAPoint) {
  Result<RawTable> t =
      Read("SELECT 0.1, 1.0/3.0, 3.0, 1e300, -0.0, 9e999, 12345678901234567, 100000.0, 2.5e-8");
  ASSERT_TRUE(t.ok()) << t.status().message();
  std::vector<std::string> got;
  for (const auto& column : t->cells) got.emplace_back(column[0]);
  EXPECT_EQ(got, (std::vector<std::string>{"0.1", "0.3333333333333333", "3.0", "1e+300", "-0.0",
                                           "inf", "12345678901234567", "100000.0", "2.5e-08"}));
}

TEST_F(SqliteSourceTest, ZeroRowsKeepTheColumnNames) {
  Result<RawTable> t = Read("SELECT name, age FROM people WHERE age > 1000");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->names, (std::vector<std::string>{"name", "age"}));
  EXPECT_EQ(t->rows(), 0u);
}

TEST_F(SqliteSourceTest, AcceptsWithCommentsAndATrailingSemicolon) {
  Result<RawTable> t = Read(
      "-- adults only\n/* a CTE */ WITH a AS (SELECT * FROM people WHERE age > 0) "
      "SELECT name FROM a; ");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->rows(), 1u);
}

TEST_F(SqliteSourceTest, QueryIsRequired) {
  Result<std::unique_ptr<DataSource>> s = Open("  ");
  EXPECT_EQ(s.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(s.status().message(), "a SQL source needs --query");
}

TEST_F(SqliteSourceTest, StatementsThatWriteAreRefused) {
  for (std::string query :
       {"DELETE FROM people", "DROP TABLE people", "PRAGMA journal_mode=WAL",
        "INSERT INTO people VALUES ('x', 1, 1.0, 'y')", "WITH a AS (SELECT 1) DELETE FROM people",
        "SELECT 1; DELETE FROM people"}) {
    SCOPED_TRACE(query);
    EXPECT_EQ(Read(query).status().code(), ErrorCode::kUsage);
  }
  EXPECT_EQ(Read("SELECT * FROM people")->rows(), 3u);
}

TEST_F(SqliteSourceTest, SqlErrorsNameTheSourceAndTheCause) {
  Status s = Read("SELECT * FROM nowhere").status();
  EXPECT_EQ(s.code(), ErrorCode::kData);
  EXPECT_NE(s.message().find(db_.string()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("no such table: nowhere"), std::string::npos) << s.message();
}

TEST_F(SqliteSourceTest, MissingDatabaseIsAnIoError) {
  SourceOptions options;
  options.query = "SELECT 1";
  Result<std::unique_ptr<DataSource>> s =
      OpenSource("sqlite:" + (dir_ / "nope.db").string(), options);
  ASSERT_TRUE(s.ok());
  Status read = (*s)->Read(nullptr).status();
  EXPECT_EQ(read.code(), ErrorCode::kIo);
  EXPECT_NE(read.message().find("nope.db"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "nope.db"));
}

TEST_F(SqliteSourceTest, DescribeNamesTheDatabaseAndQuery) {
  std::unique_ptr<DataSource> s = std::move(Open("SELECT name FROM people").value());
  EXPECT_EQ(s->Describe(), "sqlite:" + db_.string() + " (query: SELECT name FROM people)");
}

TEST_F(SqliteSourceTest, ReportsProgressOnLargeResults) {
  ExecSqlite(db_,
             "CREATE TABLE n AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
             "WHERE x < 200000) SELECT x FROM c;");
  SourceOptions options;
  options.query = "SELECT x FROM n";
  std::unique_ptr<DataSource> s = std::move(OpenSource("sqlite:" + db_.string(), options).value());
  uint64_t last = 0;
  Result<RawTable> t = s->Read([&](uint64_t done, uint64_t) { last = done; });
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->rows(), 200000u);
  EXPECT_EQ(t->cells[0][199999], "200000");
  EXPECT_GT(last, 0u);
}

// The dataset version id must not depend on where the data came from.
TEST_F(SqliteSourceTest, SameDataAsCsvGivesTheSameContentHash) {
  std::string csv =
      "name,age,height,when,flag\nann,34,1.5,2020-01-31,true\nbob,,2.0,2021-02-01,false\n"
      "cy,-5,,2019-12-24,true\n";
  ExecSqlite(
      db_,
      "CREATE TABLE t (name TEXT, age INTEGER, height REAL, \"when\" TEXT, flag TEXT);"
      "INSERT INTO t VALUES ('ann', 34, 1.5, '2020-01-31', 'true'),"
      "  ('bob', NULL, 2.0, '2021-02-01', 'false'), ('cy', -5, NULL, '2019-12-24', 'true');");
  Result<RawTable> from_csv = ReadCsv(csv, CsvOptions{}, "t.csv", nullptr);
  Result<RawTable> from_sql = Read("SELECT * FROM t ORDER BY rowid");
  ASSERT_TRUE(from_csv.ok()) << from_csv.status().message();
  ASSERT_TRUE(from_sql.ok()) << from_sql.status().message();

  Result<Frame> a = InferFrame(*from_csv, InferOptions{});
  Result<Frame> b = InferFrame(*from_sql, InferOptions{});
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  for (size_t k = 0; k < a->cols(); ++k) {
    EXPECT_EQ(a->column(k).type, b->column(k).type) << a->column(k).name;
  }
  EXPECT_EQ(ContentHash(*a), ContentHash(*b));
}

// ---- PostgreSQL, against a real server when one is offered. ----

class PostgresSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* uri = std::getenv("KILN_TEST_POSTGRES_URI");
    if (uri == nullptr || *uri == '\0') GTEST_SKIP() << "KILN_TEST_POSTGRES_URI is not set";
    uri_ = uri;
    conn_ = PQconnectdb(uri);
    ASSERT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
    table_ = "kiln_source_test_" + std::to_string(std::random_device{}());
    Exec("CREATE TABLE " + table_ +
         " (name text, age bigint, height double precision, ok boolean, score real)");
    Exec("INSERT INTO " + table_ +
         " VALUES ('ann', 34, 1.7, true, 0.5), ('bob', NULL, 2, false, NULL),"
         " ('', -5, 'Infinity', NULL, 3)");
  }

  void TearDown() override {
    if (conn_ == nullptr) return;
    Exec("DROP TABLE IF EXISTS " + table_);
    PQfinish(conn_);
  }

  void Exec(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(conn_);
    PQclear(r);
  }

  Result<RawTable> Read(const std::string& query) {
    SourceOptions options;
    options.query = query;
    KILN_ASSIGN_OR_RETURN(std::unique_ptr<DataSource> source, OpenSource(uri_, options));
    return source->Read(nullptr);
  }

  std::string uri_;
  PGconn* conn_ = nullptr;
  std::string table_;
};

TEST_F(PostgresSourceTest, ReadsNamesValuesAndNulls) {
  Result<RawTable> t = Read("SELECT * FROM " + table_ + " ORDER BY age NULLS LAST");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->names, (std::vector<std::string>{"name", "age", "height", "ok", "score"}));
  ASSERT_EQ(t->rows(), 3u);
  EXPECT_EQ(t->cells[0][0], "");
  EXPECT_NE(t->cells[0][0].data(), nullptr);
  EXPECT_EQ(t->cells[1][0], "-5");
  EXPECT_EQ(t->cells[1][2].data(), nullptr);
  EXPECT_EQ(t->cells[2][0], "inf");
  EXPECT_EQ(t->cells[2][1], "1.7");
  EXPECT_EQ(t->cells[2][2], "2.0");
  EXPECT_EQ(t->cells[3][0].data(), nullptr);
  EXPECT_EQ(t->cells[3][1], "true");
  EXPECT_EQ(t->cells[3][2], "false");
  EXPECT_EQ(t->cells[4][0], "3.0");
  EXPECT_EQ(t->cells[4][1], "0.5");
}

TEST_F(PostgresSourceTest, StatementsThatWriteAreRefused) {
  EXPECT_EQ(Read("DELETE FROM " + table_).status().code(), ErrorCode::kUsage);
  EXPECT_FALSE(Read("WITH d AS (DELETE FROM " + table_ + " RETURNING *) SELECT * FROM d").ok());
  EXPECT_FALSE(Read("SELECT 1; DELETE FROM " + table_).ok());
  EXPECT_EQ(Read("SELECT * FROM " + table_)->rows(), 3u);
}

TEST_F(PostgresSourceTest, ReadsResultsLargerThanOneBatch) {
  uint64_t last = 0;
  SourceOptions options;
  options.query = "SELECT g AS n, g / 4.0 AS q FROM generate_series(1, 25000) AS g";
  std::unique_ptr<DataSource> source = std::move(OpenSource(uri_, options).value());
  Result<RawTable> t = source->Read([&](uint64_t done, uint64_t) { last = done; });
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->rows(), 25000u);
  EXPECT_EQ(t->cells[0][24999], "25000");
  EXPECT_EQ(t->cells[1][1], "0.50000000000000000000");
  EXPECT_EQ(last, 25000u);
}

TEST_F(PostgresSourceTest, SameDataAsCsvGivesTheSameContentHash) {
  std::string csv = "name,age,height,ok\nann,34,1.7,true\nbob,,2.0,false\n,-5,inf,\n";
  Result<RawTable> from_csv = ReadCsv(csv, CsvOptions{}, "t.csv", nullptr);
  Result<RawTable> from_pg =
      Read("SELECT name, age, height, ok FROM " + table_ + " ORDER BY height");
  ASSERT_TRUE(from_csv.ok()) << from_csv.status().message();
  ASSERT_TRUE(from_pg.ok()) << from_pg.status().message();
  Result<Frame> a = InferFrame(*from_csv, InferOptions{});
  Result<Frame> b = InferFrame(*from_pg, InferOptions{});
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(ContentHash(*a), ContentHash(*b));
}

TEST_F(PostgresSourceTest, SqlErrorsNameTheCause) {
  Status s = Read("SELECT * FROM kiln_no_such_table").status();
  EXPECT_EQ(s.code(), ErrorCode::kData);
  EXPECT_NE(s.message().find("kiln_no_such_table"), std::string::npos) << s.message();
}

TEST(PostgresSource, DescribeHidesThePassword) {
  SourceOptions options;
  options.query = "SELECT 1";
  std::unique_ptr<DataSource> s = std::move(
      OpenSource("postgresql://kiln:s3cret@db.example:5432/ml?sslmode=require&password=s3cret",
                 options)
          .value());
  std::string shown = s->Describe();
  EXPECT_EQ(shown.find("s3cret"), std::string::npos) << shown;
  EXPECT_EQ(shown, "postgresql://kiln@db.example:5432/ml?sslmode=require (query: SELECT 1)");
}

TEST(PostgresSource, ConnectionFailureIsAnIoErrorWithoutThePassword) {
  SourceOptions options;
  options.query = "SELECT 1";
  std::unique_ptr<DataSource> s = std::move(
      OpenSource("postgresql://kiln:s3cret@127.0.0.1:1/ml?connect_timeout=2", options).value());
  Status read = s->Read(nullptr).status();
  EXPECT_EQ(read.code(), ErrorCode::kIo);
  EXPECT_EQ(read.message().find("s3cret"), std::string::npos) << read.message();
}

TEST(PostgresSource, QueryIsRequired) {
  Result<std::unique_ptr<DataSource>> s = OpenSource("postgresql://localhost/db", SourceOptions{});
  EXPECT_EQ(s.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(s.status().message(), "a SQL source needs --query");
}

}  // namespace
}  // namespace kiln
