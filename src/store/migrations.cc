// Kiln's schema history and the code that brings a store up to date with it.
#include "store/migrations.h"

#include "kiln/version.h"

namespace kiln {
namespace {

// Any constant works; it only has to be the same in every Kiln process.
constexpr const char* kMigrationLockSql = "SELECT pg_advisory_xact_lock(7215038400412)";

constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, description TEXT NOT NULL, "
    "kiln_version TEXT NOT NULL)";

std::vector<Migration> BuildMigrations() {
  std::vector<Migration> list;

  Migration audit_and_datasets;
  audit_and_datasets.version = 1;
  audit_and_datasets.description = "audit log and dataset catalog";
  audit_and_datasets.sql = {
      "CREATE TABLE audit_log ("
      "seq BIGINT PRIMARY KEY, ts TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, "
      "subject TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL, "
      "hash TEXT NOT NULL)",

      "CREATE TABLE datasets (name TEXT PRIMARY KEY, created_at TEXT NOT NULL)",

      "CREATE TABLE dataset_versions ("
      "dataset TEXT NOT NULL REFERENCES datasets(name), version TEXT NOT NULL, "
      "seq BIGINT NOT NULL, rows BIGINT NOT NULL, cols BIGINT NOT NULL, "
      "schema_json TEXT NOT NULL, artifact TEXT NOT NULL, artifact_bytes BIGINT NOT NULL, "
      "source TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, "
      "kiln_version TEXT NOT NULL, lineage_json TEXT NOT NULL, purged_at TEXT NULL, "
      "PRIMARY KEY (dataset, version), UNIQUE (dataset, seq))",
  };
  list.push_back(std::move(audit_and_datasets));

  Migration runs;
  runs.version = 2;
  runs.description = "training runs";
  runs.sql = {
      "CREATE TABLE runs ("
      "id TEXT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE, created_at TEXT NOT NULL, "
      "created_by TEXT NOT NULL, kiln_version TEXT NOT NULL, dataset TEXT NOT NULL, "
      "dataset_version TEXT NOT NULL, task TEXT NOT NULL, chosen TEXT NOT NULL, "
      "family TEXT NOT NULL, north_star TEXT NOT NULL, cv_value DOUBLE PRECISION NULL, "
      "cv_go BIGINT NOT NULL, bundle TEXT NOT NULL, bundle_bytes BIGINT NOT NULL, "
      "report_json TEXT NOT NULL)",
  };
  list.push_back(std::move(runs));

  return list;
}

Status CheckOrdered(const std::vector<Migration>& migrations) {
  int previous = 0;
  for (const Migration& m : migrations) {
    if (m.version <= previous) {
      return MakeError(ErrorCode::kInternal,
                       "migration versions must increase from 1: {} follows {}", m.version,
                       previous);
    }
    previous = m.version;
  }
  return Status::Ok();
}

Result<int> CurrentVersion(Transaction& tx) {
  KILN_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT MAX(version) FROM schema_migrations"));
  return rows.empty() ? 0 : static_cast<int>(SqlInt(rows[0][0], 0));
}

Status CreateMigrationsTable(Database& db) {
  return db.Transact([&](Transaction& tx) -> Status {
    // Without the lock, two processes creating the table at once on PostgreSQL can collide in
    // the system catalog even with IF NOT EXISTS. SQLite's BEGIN IMMEDIATE already serialises.
    if (db.backend() == "postgresql") KILN_RETURN_IF_ERROR(tx.Exec(kMigrationLockSql));
    return tx.Exec(kCreateMigrationsTable);
  });
}

Status ApplyOne(Transaction& tx, const std::string& backend, const Migration& m) {
  std::vector<const std::string*> statements;
  for (const auto& s : m.sql) statements.push_back(&s);
  for (const auto& s : backend == "postgresql" ? m.postgres_sql : m.sqlite_sql) {
    statements.push_back(&s);
  }
  for (const std::string* s : statements) KILN_RETURN_IF_ERROR(tx.Exec(*s));
  return tx.Exec(
      "INSERT INTO schema_migrations (version, applied_at, description, kiln_version) "
      "VALUES (?, ?, ?, ?)",
      {static_cast<int64_t>(m.version), SqlTimestampNow(), m.description, kVersion});
}

Status RefuseNewer(Database& db, Transaction& tx, int found, int known) {
  std::string by = "a newer Kiln";
  auto rows = tx.Query("SELECT kiln_version FROM schema_migrations WHERE version = ?",
                       {static_cast<int64_t>(found)});
  if (rows.ok() && !rows->empty()) by = "Kiln " + SqlText((*rows)[0][0], "(unknown)");
  return MakeError(ErrorCode::kConfig,
                   "the store at {} has schema version {}, written by {}, but this Kiln ({}) "
                   "knows versions up to {}; upgrade Kiln to use this store",
                   db.location(), found, by, kVersion, known);
}

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = BuildMigrations();
  return kMigrations;
}

int LatestSchemaVersion() {
  return Migrations().empty() ? 0 : Migrations().back().version;
}

Result<int> SchemaVersion(Database& db) {
  int version = 0;
  KILN_RETURN_IF_ERROR(CreateMigrationsTable(db));
  Status status = db.Transact([&](Transaction& tx) -> Status {
    KILN_ASSIGN_OR_RETURN(version, CurrentVersion(tx));
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return version;
}

Status ApplyMigrations(Database& db, const std::vector<Migration>& migrations) {
  KILN_RETURN_IF_ERROR(CheckOrdered(migrations));
  KILN_RETURN_IF_ERROR(CreateMigrationsTable(db));
  int known = migrations.empty() ? 0 : migrations.back().version;

  // One migration per transaction. Each transaction re-reads the version after taking the lock,
  // so a process that waited while another migrated sees that work and skips it.
  for (bool done = false; !done;) {
    Status status = db.Transact([&](Transaction& tx) -> Status {
      // Taken before any read, so PostgreSQL's snapshot already includes the previous holder's
      // commit. SQLite's BEGIN IMMEDIATE already holds the write lock.
      if (db.backend() == "postgresql") {
        KILN_RETURN_IF_ERROR(tx.Exec("LOCK TABLE schema_migrations IN EXCLUSIVE MODE"));
      }
      KILN_ASSIGN_OR_RETURN(int current, CurrentVersion(tx));
      if (current > known) return RefuseNewer(db, tx, current, known);

      for (const Migration& m : migrations) {
        if (m.version <= current) continue;
        Status applied = ApplyOne(tx, db.backend(), m);
        return applied.WithContext(fmt::format("while applying store migration {} ({}) to {}",
                                               m.version, m.description, db.location()));
      }
      done = true;
      return Status::Ok();
    });
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace kiln
