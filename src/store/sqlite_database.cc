// SQLite backend: prepared statements with bound parameters, a small statement cache, and
// transactions that take the write lock at BEGIN so concurrent writer processes queue up.
#include "store/sqlite_database.h"

#include <sqlite3.h>

#include <chrono>
#include <exception>
#include <thread>

namespace kiln {
namespace {

constexpr size_t kMaxCachedStatements = 128;

// Text of a statement for error messages: short enough to read, long enough to recognise.
std::string Excerpt(const std::string& sql) {
  constexpr size_t kMax = 80;
  std::string out = sql.size() <= kMax ? sql : sql.substr(0, kMax) + "...";
  for (char& c : out) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

bool OnlyWhitespaceOrSemicolons(const char* p) {
  for (; *p != '\0'; ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';') return false;
  }
  return true;
}

Status BindParams(sqlite3_stmt* stmt, const std::vector<SqlValue>& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    int index = static_cast<int>(i) + 1;
    const SqlValue& v = params[i];
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::monostate>(v)) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (const auto* n = std::get_if<int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt, index, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(stmt, index, *d);
    } else {
      const auto& s = std::get<std::string>(v);
      rc = sqlite3_bind_text64(stmt, index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) {
      return MakeError(ErrorCode::kInternal, "cannot bind parameter {}: {}", index,
                       sqlite3_errstr(rc));
    }
  }
  return Status::Ok();
}

SqlValue ColumnValue(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, col);
    case SQLITE_NULL:
      return std::monostate{};
    default: {
      // TEXT and BLOB both come back as bytes; Kiln stores no binary columns.
      const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, col));
      int size = sqlite3_column_bytes(stmt, col);
      return std::string(data == nullptr ? "" : data, static_cast<size_t>(size));
    }
  }
}

class SqliteTransaction : public Transaction {
 public:
  explicit SqliteTransaction(SqliteDatabase& db) : db_(db) {}

  Status Exec(const std::string& sql, const std::vector<SqlValue>& params) override {
    return db_.Run(sql, params, nullptr);
  }

  Result<std::vector<SqlRow>> Query(const std::string& sql,
                                    const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    KILN_RETURN_IF_ERROR(db_.Run(sql, params, &rows));
    return rows;
  }

  std::string backend() const override { return "sqlite"; }

 private:
  SqliteDatabase& db_;
};

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path) {
  if (path.empty()) {
    return MakeError(ErrorCode::kConfig, "empty SQLite store path: give sqlite:/path/to/kiln.db");
  }
  sqlite3* handle = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc);
    sqlite3_close(handle);
    return MakeError(ErrorCode::kIo,
                     "cannot open SQLite store {}: {}; check that the directory exists and is "
                     "writable",
                     path, why);
  }

  std::unique_ptr<SqliteDatabase> db(new SqliteDatabase(handle, path));
  KILN_RETURN_IF_ERROR(db->Configure());
  return db;
}

SqliteDatabase::~SqliteDatabase() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

// WAL lets readers proceed while one process writes, and a killed writer's partial transaction
// is discarded on the next open. synchronous=FULL syncs the WAL at every commit, so a change
// Kiln has reported as done (a promotion, an audit entry) also survives a power failure; commits
// are rare enough in Kiln that the extra fsync does not matter.
Status SqliteDatabase::Configure() {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);

  // Switching a brand-new file to WAL needs an exclusive lock, and SQLite reports a clash with
  // another opener at that moment as SQLITE_BUSY without consulting the busy handler; retry for
  // as long as the busy timeout would have waited.
  std::string mode;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    char* error = nullptr;
    int rc = sqlite3_exec(
        db_, "PRAGMA journal_mode=WAL",
        [](void* out, int, char** values, char**) {
          *static_cast<std::string*>(out) = values[0] != nullptr ? values[0] : "";
          return 0;
        },
        &mode, &error);
    sqlite3_free(error);
    if (rc == SQLITE_OK) break;
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) {
      return ErrorFor(rc, "PRAGMA journal_mode=WAL");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (mode != "wal" && path_ != ":memory:") {
    return MakeError(ErrorCode::kIo,
                     "SQLite store {} cannot use write-ahead logging (journal mode is '{}'); "
                     "put the store on a local file system",
                     path_, mode);
  }
  KILN_RETURN_IF_ERROR(Run("PRAGMA synchronous=FULL", {}, nullptr));
  KILN_RETURN_IF_ERROR(Run("PRAGMA foreign_keys=ON", {}, nullptr));
  return Status::Ok();
}

Status SqliteDatabase::ErrorFor(int rc, const std::string& sql) const {
  std::string what = sqlite3_errmsg(db_);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return MakeError(ErrorCode::kIo,
                       "SQLite store {} stayed locked by another process for more than {} s; "
                       "retry when the other Kiln command has finished",
                       path_, kBusyTimeoutMs / 1000);
    case SQLITE_CONSTRAINT:
      return MakeError(ErrorCode::kData, "SQLite store {}: {} (in: {})", path_, what, Excerpt(sql));
    case SQLITE_ERROR:
    case SQLITE_RANGE:
    case SQLITE_MISUSE:
      return MakeError(ErrorCode::kInternal, "SQLite store {}: {} (in: {})", path_, what,
                       Excerpt(sql));
    default:
      return MakeError(ErrorCode::kIo, "SQLite store {}: {} (in: {})", path_, what, Excerpt(sql));
  }
}

Result<sqlite3_stmt*> SqliteDatabase::Prepare(const std::string& sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) return it->second;

  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size() + 1), &stmt, &tail);
  if (rc != SQLITE_OK) return ErrorFor(rc, sql);
  if (stmt == nullptr) {
    return MakeError(ErrorCode::kInternal, "empty SQL statement given to the store");
  }
  if (tail != nullptr && !OnlyWhitespaceOrSemicolons(tail)) {
    sqlite3_finalize(stmt);
    return MakeError(ErrorCode::kInternal, "more than one SQL statement in one call (in: {})",
                     Excerpt(sql));
  }

  if (statements_.size() >= kMaxCachedStatements) {
    for (auto& [text, cached] : statements_) sqlite3_finalize(cached);
    statements_.clear();
  }
  statements_.emplace(sql, stmt);
  return stmt;
}

Status SqliteDatabase::Run(const std::string& sql, const std::vector<SqlValue>& params,
                           std::vector<SqlRow>* rows) {
  KILN_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql));
  // Reset before use rather than after, so an early return above never leaves a bound statement.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);

  int expected = sqlite3_bind_parameter_count(stmt);
  if (expected != static_cast<int>(params.size())) {
    return MakeError(ErrorCode::kInternal,
                     "statement has {} placeholders but {} parameters (in: {})", expected,
                     params.size(), Excerpt(sql));
  }
  KILN_RETURN_IF_ERROR(BindParams(stmt, params));

  int columns = sqlite3_column_count(stmt);
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      Status error = ErrorFor(rc, sql);
      sqlite3_reset(stmt);
      return error;
    }
    if (rows == nullptr) continue;
    SqlRow row;
    row.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) row.push_back(ColumnValue(stmt, c));
    rows->push_back(std::move(row));
  }
  sqlite3_reset(stmt);
  return Status::Ok();
}

Status SqliteDatabase::Transact(const std::function<Status(Transaction&)>& body) {
  if (in_transaction_) {
    return MakeError(ErrorCode::kInternal,
                     "nested transaction on SQLite store {}: pass the Transaction down instead",
                     path_);
  }
  KILN_RETURN_IF_ERROR(Run("BEGIN IMMEDIATE", {}, nullptr));
  in_transaction_ = true;

  SqliteTransaction tx(*this);
  Status status;
  try {
    status = body(tx);
  } catch (const std::exception& e) {
    status = MakeError(ErrorCode::kInternal, "unexpected exception in a store transaction: {}",
                       e.what());
  } catch (...) {
    (void)Run("ROLLBACK", {}, nullptr);
    in_transaction_ = false;
    throw;
  }

  if (status.ok()) status = Run("COMMIT", {}, nullptr);
  if (!status.ok() && !sqlite3_get_autocommit(db_)) (void)Run("ROLLBACK", {}, nullptr);
  in_transaction_ = false;
  return status;
}

Status SqliteDatabase::Ping() {
  return Run("SELECT 1", {}, nullptr);
}

}  // namespace kiln
