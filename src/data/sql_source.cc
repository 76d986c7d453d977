// SQL data sources: `sqlite:path/to/db.sqlite` and `postgresql://...`, each running one read-only
// SELECT (or WITH ... SELECT) given by SourceOptions::query. Every value is rendered as the text a
// CSV export of the same table would hold, so type inference treats both sources alike and the
// same data gets the same dataset version id: integers in decimal, reals in the shortest form
// that reads back to the same double and always with a '.' or exponent (3.0, not 3), booleans as
// true/false, NULL as a null view. Text values are treated like unquoted CSV fields, so a text
// "NA" counts as missing, as it would in the CSV.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string_view>

#include "data/source.h"

namespace kiln {

namespace {

constexpr size_t kArenaChunkBytes = 1 << 20;
constexpr size_t kProgressEveryRows = 65536;
constexpr int kPostgresFetchRows = 10000;
// PostgreSQL type OIDs (pg_type.h) whose text form differs from what a CSV would hold.
constexpr Oid kBoolOid = 16;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;

// Copies cell text into large chunks owned by RawTable::arena, so a million cells cost a few
// allocations rather than a million. Chunks never grow past their reserved size, so views into
// them stay valid.
class CellArena {
 public:
  explicit CellArena(RawTable& table) : table_(table) {}

  std::string_view Add(std::string_view text) {
    std::string* chunk = table_.arena.empty() ? nullptr : &table_.arena.back();
    if (chunk == nullptr || chunk->capacity() - chunk->size() < text.size()) {
      chunk = &table_.arena.emplace_back();
      chunk->reserve(std::max(kArenaChunkBytes, text.size()));
    }
    size_t at = chunk->size();
    chunk->append(text);
    return std::string_view(chunk->data() + at, text.size());
  }

 private:
  RawTable& table_;
};

std::string RenderReal(double value) {
  std::string text = fmt::format("{}", value);
  if (std::isfinite(value) && text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

// Skips whitespace and SQL comments from the front of `sql`.
std::string_view SkipBlanks(std::string_view sql) {
  for (;;) {
    size_t i = 0;
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    sql.remove_prefix(i);
    if (sql.starts_with("--")) {
      size_t end = sql.find('\n');
      sql.remove_prefix(end == std::string_view::npos ? sql.size() : end + 1);
    } else if (sql.starts_with("/*")) {
      size_t end = sql.find("*/", 2);
      sql.remove_prefix(end == std::string_view::npos ? sql.size() : end + 2);
    } else {
      return sql;
    }
  }
}

std::string FirstKeyword(std::string_view sql) {
  sql = SkipBlanks(sql);
  while (!sql.empty() && sql.front() == '(') sql = SkipBlanks(sql.substr(1));
  std::string word;
  for (char c : sql) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return word;
}

// Sources read; they never write. Checking the first keyword gives a clear message early; each
// backend also enforces it (SQLite opens read-only, PostgreSQL runs a read-only transaction).
Status CheckQuery(const std::string& query) {
  if (SkipBlanks(query).empty()) return MakeError(ErrorCode::kUsage, "a SQL source needs --query");
  std::string keyword = FirstKeyword(query);
  if (keyword != "SELECT" && keyword != "WITH") {
    return MakeError(ErrorCode::kUsage,
                     "the query must be a SELECT (or WITH ... SELECT) statement, not {}; Kiln "
                     "only reads from SQL sources",
                     keyword.empty() ? "'" + query + "'" : keyword);
  }
  return Status::Ok();
}

// Turns the source spec into the string the driver wants and the one safe to show.
std::string SqlitePath(const std::string& uri) {
  std::string_view path = std::string_view(uri).substr(std::string_view("sqlite:").size());
  if (path.starts_with("//")) path.remove_prefix(2);  // sqlite:///abs/path
  return std::string(path);
}

// The URI with any password removed, from the user-info part and from query parameters.
std::string RedactPostgresUri(const std::string& uri) {
  std::string out = uri;
  size_t scheme = out.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t authority_end = out.find_first_of("/?#", start);
  if (authority_end == std::string::npos) authority_end = out.size();
  size_t at = out.rfind('@', authority_end);
  if (at != std::string::npos && at >= start) {
    size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
  }

  size_t question = out.find('?');
  if (question == std::string::npos) return out;
  std::string kept;
  std::string_view params = std::string_view(out).substr(question + 1);
  while (!params.empty()) {
    size_t amp = params.find('&');
    std::string_view param = params.substr(0, amp);
    params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
    std::string_view key = param.substr(0, param.find('='));
    if (key.find("password") != std::string_view::npos) continue;
    kept += kept.empty() ? "" : "&";
    kept += param;
  }
  out.erase(question);
  return kept.empty() ? out : out + "?" + kept;
}

void ReportProgress(const ProgressFn& progress, size_t rows) {
  if (progress && rows % kProgressEveryRows == 0) progress(rows, 0);
}

// ---- SQLite ----

class SqliteSource : public DataSource {
 public:
  SqliteSource(std::string spec, std::string query)
      : spec_(std::move(spec)), path_(SqlitePath(spec_)), query_(std::move(query)) {}

  Result<RawTable> Read(const ProgressFn& progress) override {
    KILN_ASSIGN_OR_RETURN(std::shared_ptr<sqlite3> db, Open());
    KILN_ASSIGN_OR_RETURN(std::shared_ptr<sqlite3_stmt> stmt, Prepare(db.get()));

    RawTable table;
    table.source = spec_;
    int columns = sqlite3_column_count(stmt.get());
    for (int k = 0; k < columns; ++k) {
      const char* name = sqlite3_column_name(stmt.get(), k);
      table.names.emplace_back(name ? name : "");
    }
    table.cells.resize(columns);

    CellArena arena(table);
    std::string number;
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      for (int k = 0; k < columns; ++k) {
        table.cells[k].push_back(Cell(stmt.get(), k, arena, number));
      }
      ReportProgress(progress, table.cells.empty() ? 0 : table.cells[0].size());
    }
    if (rc != SQLITE_DONE) {
      return MakeError(rc == SQLITE_IOERR || rc == SQLITE_BUSY ? ErrorCode::kIo : ErrorCode::kData,
                       "query failed on {}: {}", spec_, sqlite3_errmsg(db.get()));
    }
    return table;
  }

  std::string Describe() const override { return fmt::format("{} (query: {})", spec_, query_); }

 private:
  Result<std::shared_ptr<sqlite3>> Open() const {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path_, ec)) {
      return MakeError(ErrorCode::kIo,
                       "SQLite database {} does not exist; check the path after "
                       "'sqlite:'",
                       path_);
    }
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    std::shared_ptr<sqlite3> db(raw, &sqlite3_close_v2);
    if (rc != SQLITE_OK) {
      return MakeError(ErrorCode::kIo, "cannot open SQLite database {}: {}", path_,
                       raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    }
    sqlite3_busy_timeout(raw, 5000);
    return db;
  }

  Result<std::shared_ptr<sqlite3_stmt>> Prepare(sqlite3* db) const {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, query_.c_str(), static_cast<int>(query_.size()), &raw, &tail);
    std::shared_ptr<sqlite3_stmt> stmt(raw, &sqlite3_finalize);
    if (rc != SQLITE_OK) {
      return MakeError(ErrorCode::kData, "query failed on {}: {}", spec_, sqlite3_errmsg(db));
    }
    std::string_view rest = SkipBlanks(tail ? tail : "");
    while (rest.starts_with(";")) rest = SkipBlanks(rest.substr(1));
    if (raw == nullptr || !rest.empty()) {
      return MakeError(ErrorCode::kUsage, "the query for {} must be exactly one statement", spec_);
    }
    if (!sqlite3_stmt_readonly(raw) || sqlite3_column_count(raw) == 0) {
      return MakeError(ErrorCode::kUsage,
                       "the query for {} must be a SELECT that returns rows; Kiln only reads "
                       "from SQL sources",
                       spec_);
    }
    return stmt;
  }

  static std::string_view Cell(sqlite3_stmt* stmt, int k, CellArena& arena, std::string& number) {
    switch (sqlite3_column_type(stmt, k)) {
      case SQLITE_NULL:
        return {};
      case SQLITE_INTEGER:
        number = fmt::format("{}", sqlite3_column_int64(stmt, k));
        return arena.Add(number);
      case SQLITE_FLOAT:
        number = RenderReal(sqlite3_column_double(stmt, k));
        return arena.Add(number);
      case SQLITE_BLOB: {
        const void* blob = sqlite3_column_blob(stmt, k);
        int n = sqlite3_column_bytes(stmt, k);
        return arena.Add(std::string_view(static_cast<const char*>(blob), blob ? n : 0));
      }
      default: {
        const unsigned char* text = sqlite3_column_text(stmt, k);
        int n = sqlite3_column_bytes(stmt, k);
        return arena.Add(std::string_view(reinterpret_cast<const char*>(text), text ? n : 0));
      }
    }
  }

  std::string spec_;
  std::string path_;
  std::string query_;
};

// ---- PostgreSQL ----

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string PgMessage(PGconn* conn) {
  std::string message = PQerrorMessage(conn);
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  return message;
}

class PostgresSource : public DataSource {
 public:
  PostgresSource(std::string uri, std::string query)
      : uri_(std::move(uri)), shown_(RedactPostgresUri(uri_)), query_(std::move(query)) {}

  Result<RawTable> Read(const ProgressFn& progress) override {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(uri_.c_str()), &PQfinish);
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
      return MakeError(ErrorCode::kIo, "cannot connect to {}: {}", shown_,
                       conn ? PgMessage(conn.get()) : "out of memory");
    }
    // Fixed session settings make the text of floats, dates and times independent of the
    // server's configuration, so the same data always yields the same dataset version.
    for (const char* sql : {"SET extra_float_digits = 3", "SET DateStyle = 'ISO, YMD'",
                            "SET TimeZone = 'UTC'", "BEGIN TRANSACTION READ ONLY"}) {
      KILN_RETURN_IF_ERROR(Exec(conn.get(), sql, ErrorCode::kIo));
    }
    // A cursor streams the result in batches, and PostgreSQL refuses one over a statement that
    // writes (including a data-modifying WITH), on top of the read-only transaction.
    KILN_RETURN_IF_ERROR(
        Exec(conn.get(), "DECLARE kiln_source NO SCROLL CURSOR FOR " + StripTrailingSemicolons(),
             ErrorCode::kData));

    RawTable table;
    table.source = shown_;
    CellArena arena(table);
    std::vector<Oid> types;
    std::string fetch = fmt::format("FETCH FORWARD {} FROM kiln_source", kPostgresFetchRows);
    for (;;) {
      PgResult batch(PQexec(conn.get(), fetch.c_str()), &PQclear);
      if (PQresultStatus(batch.get()) != PGRES_TUPLES_OK) {
        return MakeError(ErrorCode::kData, "query failed on {}: {}", shown_, PgMessage(conn.get()));
      }
      if (types.empty()) StartTable(batch.get(), table, types);
      int rows = PQntuples(batch.get());
      if (rows == 0) break;
      AppendBatch(batch.get(), types, arena, table);
      if (progress) progress(table.rows(), 0);
    }
    PgResult(PQexec(conn.get(), "ROLLBACK"), &PQclear);
    return table;
  }

  std::string Describe() const override { return fmt::format("{} (query: {})", shown_, query_); }

 private:
  Status Exec(PGconn* conn, const std::string& sql, ErrorCode code) const {
    // PQexecParams runs exactly one statement, so a query cannot smuggle in a second one.
    PgResult result(PQexecParams(conn, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0),
                    &PQclear);
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      return MakeError(code, "query failed on {}: {}", shown_, PgMessage(conn));
    }
    return Status::Ok();
  }

  std::string StripTrailingSemicolons() const {
    std::string q = query_;
    while (!q.empty() && (q.back() == ';' || std::isspace(static_cast<unsigned char>(q.back())))) {
      q.pop_back();
    }
    return q;
  }

  static void StartTable(PGresult* result, RawTable& table, std::vector<Oid>& types) {
    int columns = PQnfields(result);
    for (int k = 0; k < columns; ++k) {
      table.names.emplace_back(PQfname(result, k));
      types.push_back(PQftype(result, k));
    }
    table.cells.resize(columns);
  }

  static void AppendBatch(PGresult* result, const std::vector<Oid>& types, CellArena& arena,
                          RawTable& table) {
    int rows = PQntuples(result);
    std::string scratch;
    for (size_t k = 0; k < types.size(); ++k) {
      int col = static_cast<int>(k);
      std::vector<std::string_view>& cells = table.cells[k];
      for (int i = 0; i < rows; ++i) {
        if (PQgetisnull(result, i, col)) {
          cells.emplace_back();
          continue;
        }
        std::string_view text(PQgetvalue(result, i, col),
                              static_cast<size_t>(PQgetlength(result, i, col)));
        cells.push_back(arena.Add(Normalize(types[k], text, scratch)));
      }
    }
  }

  // PostgreSQL's text forms that a CSV export would write differently; `scratch` holds the
  // rewritten text when there is one.
  static std::string_view Normalize(Oid type, std::string_view text, std::string& scratch) {
    if (type == kBoolOid) return text == "t" ? "true" : "false";
    if (type != kFloat4Oid && type != kFloat8Oid) return text;
    if (text == "Infinity") return "inf";
    if (text == "-Infinity") return "-inf";
    if (text == "NaN" || text.find_first_of(".eE") != std::string_view::npos) return text;
    scratch.assign(text);
    scratch += ".0";
    return scratch;
  }

  std::string uri_;
  std::string shown_;
  std::string query_;
};

}  // namespace

Result<std::unique_ptr<DataSource>> MakeSqliteSource(const std::string& uri,
                                                     const SourceOptions& o) {
  KILN_RETURN_IF_ERROR(CheckQuery(o.query));
  if (SqlitePath(uri).empty()) {
    return MakeError(ErrorCode::kUsage, "'{}' names no database file; write sqlite:path/to/db",
                     uri);
  }
  return std::unique_ptr<DataSource>(std::make_unique<SqliteSource>(uri, o.query));
}

Result<std::unique_ptr<DataSource>> MakePostgresSource(const std::string& uri,
                                                       const SourceOptions& o) {
  KILN_RETURN_IF_ERROR(CheckQuery(o.query));
  return std::unique_ptr<DataSource>(std::make_unique<PostgresSource>(uri, o.query));
}

}  // namespace kiln
