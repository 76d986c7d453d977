// The one interface through which Kiln's state is read and written. Two implementations exist:
// SQLite (the embedded default, a file under .kiln/) and PostgreSQL (a shared store for several
// machines). Domain code (datasets, audit log, later runs and models) is written once against this
// interface in portable SQL; `?` placeholders are translated for each backend.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"

namespace kiln {

// NULL, INTEGER (BIGINT), REAL (DOUBLE PRECISION) or TEXT.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;
using SqlRow = std::vector<SqlValue>;

// Helpers to read a column of a row; a NULL reads as the fallback.
int64_t SqlInt(const SqlValue& v, int64_t fallback = 0);
double SqlDouble(const SqlValue& v, double fallback = 0.0);
std::string SqlText(const SqlValue& v, const std::string& fallback = "");
bool SqlIsNull(const SqlValue& v);

// The current UTC time as every timestamp column holds it: ISO-8601 with milliseconds and a `Z`
// ("2024-05-01T12:34:56.789Z"), so that text order is time order on both backends.
std::string SqlTimestampNow();

// Statements run inside one transaction. Not thread-safe; owned by Database::Transact.
// SQL is written once for both backends with `?` placeholders; a `?` inside a quoted literal or a
// comment is left alone. A statement is one statement (no `;`-separated scripts). Parameters are
// typed BIGINT, DOUBLE PRECISION or TEXT; a NULL has no type, so where the statement itself does
// not fix one (`? IS NULL`) write `CAST(? AS TEXT)`.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Status Exec(const std::string& sql, const std::vector<SqlValue>& params = {}) = 0;
  virtual Result<std::vector<SqlRow>> Query(const std::string& sql,
                                            const std::vector<SqlValue>& params = {}) = 0;

  // The backend this transaction runs on ("sqlite" or "postgresql"), for the rare statement
  // that must differ (locks). Empty for test doubles that stand in for neither.
  virtual std::string backend() const { return ""; }
};

// One connection to the store. Not thread-safe: give each thread (or process) its own.
class Database {
 public:
  virtual ~Database() = default;

  // Runs `body` in one serialisable write transaction; commits if it returns Ok, rolls back
  // otherwise (and on any exception: a std::exception comes back as a kInternal error, anything
  // else is rethrown). Concurrent writers from other processes wait their turn.
  // PostgreSQL may abort a transaction that conflicts with a concurrent one; Transact then rolls
  // back and runs `body` again (a bounded number of times), so effects of `body` outside the
  // database must be safe to repeat. Nested calls on the same Database are refused.
  virtual Status Transact(const std::function<Status(Transaction&)>& body) = 0;

  // "sqlite" or "postgresql".
  virtual std::string backend() const = 0;

  // Where the store lives, for messages: a file path, or host:port/dbname with no password.
  virtual std::string location() const { return backend(); }

  // Checks that the store still answers (reconnecting to a server if the link was lost).
  virtual Status Ping() { return Status::Ok(); }

  // Opens `uri`, then brings the schema up to date with the migrations (see migrations.h).
  //   sqlite:/path/to/kiln.db   or a plain path (sqlite::memory: for a private in-memory store)
  //   postgresql://user@host:port/dbname   (libpq connection URI)
  static Result<std::unique_ptr<Database>> Open(const std::string& uri);
};

}  // namespace kiln
