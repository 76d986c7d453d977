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

// Statements run inside one transaction. Not thread-safe; owned by Database::Transact.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Status Exec(const std::string& sql, const std::vector<SqlValue>& params = {}) = 0;
  virtual Result<std::vector<SqlRow>> Query(const std::string& sql,
                                            const std::vector<SqlValue>& params = {}) = 0;
};

class Database {
 public:
  virtual ~Database() = default;

  // Runs `body` in one serialisable write transaction; commits if it returns Ok, rolls back
  // otherwise (and on any exception). Concurrent writers from other processes wait their turn.
  virtual Status Transact(const std::function<Status(Transaction&)>& body) = 0;

  // "sqlite" or "postgresql".
  virtual std::string backend() const = 0;

  // Opens `uri`, then brings the schema up to date with the migrations (see migrations.h).
  //   sqlite:/path/to/kiln.db   or a plain path ending in .db
  //   postgresql://user@host:port/dbname   (libpq connection URI)
  static Result<std::unique_ptr<Database>> Open(const std::string& uri);
};

}  // namespace kiln
