// Reading typed values out of SQL rows, and opening a store by URI: the scheme picks the backend,
// then the schema is brought up to date before anyone else touches it.
#include "store/database.h"

#include <charconv>
#include <chrono>
#include <ctime>
#include <string_view>

#include "store/migrations.h"
#include "store/postgres_database.h"
#include "store/sqlite_database.h"

namespace kiln {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string FormatDouble(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

// Maps `sqlite:/a/b.db`, `sqlite:///a/b.db` and `sqlite:rel.db` to the file path.
std::string SqlitePathFromUri(const std::string& uri) {
  std::string_view rest = std::string_view(uri).substr(std::string_view("sqlite:").size());
  if (StartsWith(rest, "//")) rest.remove_prefix(2);
  return std::string(rest);
}

}  // namespace

int64_t SqlInt(const SqlValue& v, int64_t fallback) {
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && end == s->data() + s->size()) return out;
  }
  return fallback;
}

double SqlDouble(const SqlValue& v, double fallback) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v)) {
    double out = 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec == std::errc() && end == s->data() + s->size()) return out;
  }
  return fallback;
}

std::string SqlText(const SqlValue& v, const std::string& fallback) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return FormatDouble(*d);
  return fallback;
}

bool SqlIsNull(const SqlValue& v) {
  return std::holds_alternative<std::monostate>(v);
}

std::string SqlTimestampNow() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000);
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& uri) {
  std::unique_ptr<Database> db;
  if (StartsWith(uri, "postgresql://") || StartsWith(uri, "postgres://")) {
    KILN_ASSIGN_OR_RETURN(db, PostgresDatabase::Connect(uri));
  } else if (StartsWith(uri, "sqlite:")) {
    KILN_ASSIGN_OR_RETURN(db, SqliteDatabase::Open(SqlitePathFromUri(uri)));
  } else if (uri.find("://") != std::string::npos) {
    return MakeError(ErrorCode::kConfig,
                     "unsupported store URI '{}': use sqlite:/path/to/kiln.db or "
                     "postgresql://user@host:port/dbname",
                     uri.substr(0, uri.find("://") + 3));
  } else if (uri.empty()) {
    return MakeError(ErrorCode::kConfig,
                     "empty store URI: use sqlite:/path/to/kiln.db or "
                     "postgresql://user@host:port/dbname");
  } else {
    KILN_ASSIGN_OR_RETURN(db, SqliteDatabase::Open(uri));
  }

  KILN_RETURN_IF_ERROR(ApplyMigrations(*db, Migrations()));
  return db;
}

}  // namespace kiln
