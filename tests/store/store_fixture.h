// A fixture that runs each store test against both backends: SQLite in a fresh temporary
// directory, and PostgreSQL in a fresh database created for the test on the server named by
// KILN_TEST_POSTGRES_URI (start one with scripts/pg-test-server). Without that variable the
// PostgreSQL instances skip.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "store/database.h"
#include "test_util.h"

namespace kiln::testing {

// `uri` with its database name replaced by `dbname`.
inline std::string WithDatabase(const std::string& uri, const std::string& dbname) {
  size_t authority = uri.find("://");
  authority = authority == std::string::npos ? 0 : authority + 3;
  size_t query = uri.find('?', authority);
  size_t path = uri.find('/', authority);
  if (path == std::string::npos || (query != std::string::npos && path > query)) path = query;
  std::string tail = query == std::string::npos ? "" : uri.substr(query);
  return uri.substr(0, path == std::string::npos ? uri.size() : path) + "/" + dbname + tail;
}

// Runs one statement outside a transaction (CREATE/DROP DATABASE cannot run inside one).
inline std::string AdminExec(const std::string& uri, const std::string& sql) {
  PGconn* conn = PQconnectdb(uri.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK) error = PQresultErrorMessage(res);
    PQclear(res);
  }
  PQfinish(conn);
  return error;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      uri_ = "sqlite:" + (dir_ / "kiln.db").string();
    } else {
      const char* admin = std::getenv("KILN_TEST_POSTGRES_URI");
      if (admin == nullptr || admin[0] == '\0') {
        GTEST_SKIP() << "KILN_TEST_POSTGRES_URI is not set; start a server with "
                        "`eval \"$(scripts/pg-test-server start /tmp/kiln-pg)\"` to run the "
                        "PostgreSQL store tests";
      }
      admin_uri_ = admin;
      static std::atomic<int> counter{0};
      dbname_ = "kiln_t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
                std::to_string(std::random_device{}() % 100000);
      std::string error = AdminExec(admin_uri_, "CREATE DATABASE " + dbname_);
      ASSERT_EQ(error, "") << "cannot create the test database on " << admin_uri_;
      uri_ = WithDatabase(admin_uri_, dbname_);
    }
    auto db = Database::Open(uri_);
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(db).value();
  }

  void TearDown() override {
    db_.reset();
    if (!dbname_.empty()) {
      EXPECT_EQ(AdminExec(admin_uri_, "DROP DATABASE IF EXISTS " + dbname_ + " WITH (FORCE)"), "");
    }
  }

  // A second, independent connection to the same store.
  std::unique_ptr<Database> OpenAnother() {
    auto db = Database::Open(uri_);
    EXPECT_TRUE(db.ok()) << db.status().message();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Runs one statement in its own transaction.
  Status Exec(const std::string& sql, const std::vector<SqlValue>& params = {}) {
    return db_->Transact([&](Transaction& tx) { return tx.Exec(sql, params); });
  }

  std::vector<SqlRow> Query(const std::string& sql, const std::vector<SqlValue>& params = {}) {
    std::vector<SqlRow> rows;
    Status s = db_->Transact([&](Transaction& tx) -> Status {
      auto r = tx.Query(sql, params);
      if (!r.ok()) return r.status();
      rows = std::move(r).value();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return rows;
  }

  TempDir dir_;
  std::string uri_;
  std::string admin_uri_;
  std::string dbname_;
  std::unique_ptr<Database> db_;
};

inline std::string BackendName(const ::testing::TestParamInfo<std::string>& info) {
  return info.param == "sqlite" ? "SQLite" : "PostgreSQL";
}

}  // namespace kiln::testing

// Instantiates a StoreTest-derived suite once per backend.
#define KILN_STORE_TEST_SUITE(suite)                                                   \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::Values("sqlite", "postgresql"), \
                           ::kiln::testing::BackendName)
