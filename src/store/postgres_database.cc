// PostgreSQL backend over libpq. Parameters travel as text with their type OIDs (int8, float8,
// text; NULL untyped so the server infers it), results come back as text and are converted by
// column type. Transactions run at SERIALIZABLE: PostgreSQL then guarantees the same outcome as
// running them one at a time, and aborts a conflicting one, which Transact runs again.
#include "store/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <random>
#include <thread>

namespace kiln {
namespace {

// Type OIDs from the server's pg_type catalog; stable across PostgreSQL versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

std::string Excerpt(const std::string& sql) {
  constexpr size_t kMax = 80;
  std::string out = sql.size() <= kMax ? sql : sql.substr(0, kMax) + "...";
  std::replace(out.begin(), out.end(), '\n', ' ');
  return out;
}

std::string TrimTrailing(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

bool IsIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Position just past the end of the quoted run that starts at `i` with `quote`; a doubled quote
// stays inside. With `backslash`, a backslash escapes the next character (E'...' strings).
size_t SkipQuoted(const std::string& sql, size_t i, char quote, bool backslash) {
  for (++i; i < sql.size(); ++i) {
    if (backslash && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  return sql.size();
}

// If a dollar-quote tag ($$ or $name$) starts at `i`, its length; otherwise 0.
size_t DollarTagLength(const std::string& sql, size_t i) {
  size_t j = i + 1;
  if (j < sql.size() && sql[j] == '$') return 2;
  if (j >= sql.size() || !IsIdentStart(sql[j])) return 0;
  while (j < sql.size() && IsIdentChar(sql[j])) ++j;
  return j < sql.size() && sql[j] == '$' ? j - i + 1 : 0;
}

size_t SkipBlockComment(const std::string& sql, size_t i) {
  int depth = 0;  // PostgreSQL block comments nest.
  while (i + 1 < sql.size()) {
    if (sql[i] == '/' && sql[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (sql[i] == '*' && sql[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return sql.size();
}

// The password embedded in a URI (user:password@ or ?password=), or "" when there is none.
std::string ExtractPassword(const std::string& uri) {
  size_t scheme = uri.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = uri.find_first_of("/?", start);
    std::string authority = uri.substr(start, end == std::string::npos ? end : end - start);
    size_t at = authority.rfind('@');
    size_t colon = authority.find(':');
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      return authority.substr(colon + 1, at - colon - 1);
    }
  }
  size_t key = uri.find("password=");
  if (key != std::string::npos) {
    size_t start = key + std::strlen("password=");
    size_t end = uri.find_first_of("& ", start);
    return uri.substr(start, end == std::string::npos ? end : end - start);
  }
  return "";
}

std::string Scrub(std::string text, const std::string& password) {
  if (password.empty()) return text;
  for (size_t pos = text.find(password); pos != std::string::npos;
       pos = text.find(password, pos + 3)) {
    text.replace(pos, password.size(), "***");
  }
  return text;
}

std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, end);
}

SqlValue ConvertField(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return std::monostate{};
  const char* text = PQgetvalue(res, row, col);
  const char* end = text + PQgetlength(res, row, col);
  switch (PQftype(res, col)) {
    case kBoolOid:
      return static_cast<int64_t>(text[0] == 't' ? 1 : 0);
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t v = 0;
      std::from_chars(text, end, v);
      return v;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: {
      double v = 0;
      auto [ptr, ec] = std::from_chars(text, end, v);
      if (ec != std::errc()) v = std::strtod(text, nullptr);
      return v;
    }
    default:
      return std::string(text, end);
  }
}

bool IsRetryable(const std::string& sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";  // serialization failure, deadlock
}

class PostgresTransaction : public Transaction {
 public:
  explicit PostgresTransaction(PostgresDatabase& db) : db_(db) {}

  Status Exec(const std::string& sql, const std::vector<SqlValue>& params) override {
    return Note(db_.Run(sql, params, nullptr, &retryable_));
  }

  Result<std::vector<SqlRow>> Query(const std::string& sql,
                                    const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    KILN_RETURN_IF_ERROR(Note(db_.Run(sql, params, &rows, &retryable_)));
    return rows;
  }

  std::string backend() const override { return "postgresql"; }

  bool retryable() const { return retryable_; }
  // The first failure of any statement. PostgreSQL aborts the whole transaction on an error, so
  // it must not be committed even if the body chose to carry on.
  const Status& first_error() const { return first_error_; }

 private:
  Status Note(Status s) {
    if (!s.ok() && first_error_.ok()) first_error_ = s;
    return s;
  }

  PostgresDatabase& db_;
  bool retryable_ = false;
  Status first_error_;
};

void SleepBeforeRetry(int attempt) {
  thread_local std::mt19937 rng(std::random_device{}());
  double base_ms = std::min(200.0, 2.0 * std::pow(2.0, std::min(attempt, 10)));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(base_ms * jitter(rng)));
}

}  // namespace

std::string TranslatePlaceholders(const std::string& sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  *count = 0;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    size_t next = i + 1;
    if (c == '\'') {
      bool escaped =
          i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !IsIdentChar(sql[i - 2]));
      next = SkipQuoted(sql, i, '\'', escaped);
    } else if (c == '"') {
      next = SkipQuoted(sql, i, '"', false);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      next = sql.find('\n', i);
      if (next == std::string::npos) next = sql.size();
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      next = SkipBlockComment(sql, i);
    } else if (c == '$' && (i == 0 || !IsIdentChar(sql[i - 1]))) {
      if (size_t tag = DollarTagLength(sql, i); tag > 0) {
        size_t close = sql.find(sql.substr(i, tag), i + tag);
        next = close == std::string::npos ? sql.size() : close + tag;
      }
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++*count);
      i = next;
      continue;
    }
    out.append(sql, i, next - i);
    i = next;
  }
  return out;
}

std::string RedactUri(const std::string& uri) {
  return Scrub(uri, ExtractPassword(uri));
}

Result<std::unique_ptr<PostgresDatabase>> PostgresDatabase::Connect(const std::string& uri) {
  // Defaults first: the URI's own settings, expanded from "dbname", override them.
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {"10", "kiln", uri.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr) {
    return MakeError(ErrorCode::kIo, "cannot connect to the PostgreSQL store at {}: out of memory",
                     RedactUri(uri));
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = Scrub(TrimTrailing(PQerrorMessage(conn)), ExtractPassword(uri));
    PQfinish(conn);
    return MakeError(ErrorCode::kIo,
                     "cannot connect to the PostgreSQL store at {}: {}; check that the server "
                     "is running and reachable and that the user, host, port and database in "
                     "the URI are right",
                     RedactUri(uri), why);
  }

  // Notices (e.g. "relation already exists, skipping") would otherwise go to stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  std::string location =
      fmt::format("postgresql://{}@{}:{}/{}", PQuser(conn), PQhost(conn), PQport(conn), PQdb(conn));
  return std::unique_ptr<PostgresDatabase>(new PostgresDatabase(conn, location));
}

PostgresDatabase::~PostgresDatabase() {
  PQfinish(conn_);
}

Status PostgresDatabase::EnsureConnected() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  PQreset(conn_);
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  return MakeError(ErrorCode::kIo,
                   "lost the connection to the PostgreSQL store at {} and could not reconnect: "
                   "{}; check that the server is running",
                   location_, TrimTrailing(PQerrorMessage(conn_)));
}

Status PostgresDatabase::Run(const std::string& sql, const std::vector<SqlValue>& params,
                             std::vector<SqlRow>* rows, bool* retryable) {
  int expected = 0;
  std::string text = TranslatePlaceholders(sql, &expected);
  if (expected != static_cast<int>(params.size())) {
    return MakeError(ErrorCode::kInternal,
                     "statement has {} placeholders but {} parameters (in: {})", expected,
                     params.size(), Excerpt(sql));
  }

  std::vector<Oid> types(params.size(), 0);
  std::vector<std::string> storage(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i) {
    const SqlValue& v = params[i];
    if (const auto* n = std::get_if<int64_t>(&v)) {
      types[i] = kInt8Oid;
      storage[i] = std::to_string(*n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      types[i] = kFloat8Oid;
      storage[i] = FormatDouble(*d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      if (s->find('\0') != std::string::npos) {
        return MakeError(ErrorCode::kData,
                         "parameter {} contains a NUL byte, which PostgreSQL text cannot hold "
                         "(in: {})",
                         i + 1, Excerpt(sql));
      }
      types[i] = kTextOid;
      storage[i] = *s;
    } else {
      continue;  // NULL: no value, type left for the server to infer.
    }
    values[i] = storage[i].c_str();
  }

  PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), types.data(),
                               values.data(), nullptr, nullptr, 0);
  ExecStatusType status = res == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(res);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    if (rows != nullptr) {
      int n_rows = PQntuples(res);
      int n_cols = PQnfields(res);
      rows->reserve(rows->size() + static_cast<size_t>(n_rows));
      for (int r = 0; r < n_rows; ++r) {
        SqlRow row;
        row.reserve(static_cast<size_t>(n_cols));
        for (int c = 0; c < n_cols; ++c) row.push_back(ConvertField(res, r, c));
        rows->push_back(std::move(row));
      }
    }
    PQclear(res);
    return Status::Ok();
  }

  const char* state = res == nullptr ? nullptr : PQresultErrorField(res, PG_DIAG_SQLSTATE);
  std::string sqlstate = state == nullptr ? "" : state;
  std::string message =
      TrimTrailing(res == nullptr ? PQerrorMessage(conn_) : PQresultErrorMessage(res));
  PQclear(res);
  if (IsRetryable(sqlstate) && retryable != nullptr) *retryable = true;

  ErrorCode code = ErrorCode::kIo;
  if (sqlstate.rfind("23", 0) == 0) code = ErrorCode::kData;      // integrity constraint violation
  if (sqlstate.rfind("42", 0) == 0) code = ErrorCode::kInternal;  // syntax or unknown object
  if (PQstatus(conn_) != CONNECTION_OK) {
    message += "; the connection to the server was lost";
  }
  return MakeError(code, "PostgreSQL store {}: {} (SQLSTATE {}, in: {})", location_, message,
                   sqlstate.empty() ? "none" : sqlstate, Excerpt(sql));
}

Status PostgresDatabase::RunOnce(const std::function<Status(Transaction&)>& body, bool* retryable) {
  KILN_RETURN_IF_ERROR(Run("BEGIN ISOLATION LEVEL SERIALIZABLE", {}, nullptr, retryable));
  in_transaction_ = true;

  PostgresTransaction tx(*this);
  Status status;
  try {
    status = body(tx);
  } catch (const std::exception& e) {
    status = MakeError(ErrorCode::kInternal, "unexpected exception in a store transaction: {}",
                       e.what());
  } catch (...) {
    (void)Run("ROLLBACK", {}, nullptr, nullptr);
    in_transaction_ = false;
    throw;
  }

  if (status.ok() && !tx.first_error().ok()) status = tx.first_error();
  if (status.ok()) {
    status = Run("COMMIT", {}, nullptr, retryable);
  } else {
    (void)Run("ROLLBACK", {}, nullptr, nullptr);
  }
  in_transaction_ = false;
  if (tx.retryable()) *retryable = true;
  return status;
}

Status PostgresDatabase::Transact(const std::function<Status(Transaction&)>& body) {
  if (in_transaction_) {
    return MakeError(ErrorCode::kInternal,
                     "nested transaction on PostgreSQL store {}: pass the Transaction down "
                     "instead",
                     location_);
  }

  Status status;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    KILN_RETURN_IF_ERROR(EnsureConnected());
    bool retryable = false;
    status = RunOnce(body, &retryable);
    if (status.ok() || !retryable) return status;
    SleepBeforeRetry(attempt);
  }
  return status.WithContext(fmt::format(
      "gave up after {} attempts because concurrent writers kept conflicting", kMaxAttempts));
}

Status PostgresDatabase::Ping() {
  KILN_RETURN_IF_ERROR(EnsureConnected());
  return Run("SELECT 1", {}, nullptr, nullptr);
}

}  // namespace kiln
