// The embedded store: one SQLite file in WAL mode. Several Kiln processes may share the file;
// write transactions take the database's write lock up front (BEGIN IMMEDIATE), so they run one
// after another, and a process killed mid-transaction leaves nothing half-written behind.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/database.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kiln {

class SqliteDatabase : public Database {
 public:
  // How long a writer waits for another process's transaction before giving up.
  static constexpr int kBusyTimeoutMs = 10000;

  // Opens (creating if needed) the file at `path`; ":memory:" gives a private in-memory store.
  // Does not run migrations; Database::Open does.
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path);

  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  Status Transact(const std::function<Status(Transaction&)>& body) override;
  std::string backend() const override { return "sqlite"; }
  std::string location() const override { return path_; }
  Status Ping() override;

  // Runs one statement outside Transact (used for PRAGMAs and by the transaction itself).
  Status Run(const std::string& sql, const std::vector<SqlValue>& params,
             std::vector<SqlRow>* rows);

 private:
  SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  Status Configure();
  Result<sqlite3_stmt*> Prepare(const std::string& sql);
  Status ErrorFor(int rc, const std::string& sql) const;

  sqlite3* db_;
  std::string path_;
  bool in_transaction_ = false;
  // Prepared statements by SQL text; Kiln issues a small fixed set, so the cache stays small.
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace kiln
