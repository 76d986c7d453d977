// The shared store: a PostgreSQL database reached through libpq, for several machines (servers,
// tuning workers, CI) working on one project. Statements use Kiln's portable `?` placeholders,
// translated here to $1..$n; every transaction is SERIALIZABLE and is retried when PostgreSQL
// aborts it for conflicting with a concurrent one.
#pragma once

#include <memory>
#include <string>

#include "store/database.h"

struct pg_conn;

namespace kiln {

// Rewrites `?` placeholders as $1, $2, ... Question marks inside '...' literals, "..." identifiers,
// $tag$...$tag$ bodies and comments are kept. Sets *count to the number of placeholders.
std::string TranslatePlaceholders(const std::string& sql, int* count);

// `uri` with any password replaced by "***", safe to print.
std::string RedactUri(const std::string& uri);

class PostgresDatabase : public Database {
 public:
  // How many times a transaction aborted by a serialisation failure or deadlock is run again.
  static constexpr int kMaxAttempts = 30;

  // Connects to `uri` (a libpq connection URI). Does not run migrations; Database::Open does.
  static Result<std::unique_ptr<PostgresDatabase>> Connect(const std::string& uri);

  ~PostgresDatabase() override;
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  Status Transact(const std::function<Status(Transaction&)>& body) override;
  std::string backend() const override { return "postgresql"; }
  std::string location() const override { return location_; }
  Status Ping() override;

  // Runs one statement. Sets *retryable when the server aborted the transaction for a conflict
  // (SQLSTATE 40001 or 40P01) so that running it again may succeed.
  Status Run(const std::string& sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows,
             bool* retryable);

 private:
  PostgresDatabase(pg_conn* conn, std::string location)
      : conn_(conn), location_(std::move(location)) {}

  Status EnsureConnected();
  Status RunOnce(const std::function<Status(Transaction&)>& body, bool* retryable);

  pg_conn* conn_;
  std::string location_;
  bool in_transaction_ = false;
};

}  // namespace kiln
