// The store's schema, as an ordered list of versioned migrations. Database::Open applies the
// ones a store lacks, each in its own transaction, and records them in `schema_migrations`.
// Several processes may open a fresh store at once; they take turns and each migration runs
// exactly once. A store written by a newer Kiln (a version this one does not know) is refused
// rather than guessed at.
//
// To change the schema, append a migration with the next version number; never edit one that
// has shipped, since existing stores have already applied it.
#pragma once

#include <string>
#include <vector>

#include "store/database.h"

namespace kiln {

struct Migration {
  int version = 0;  // 1, 2, 3, ... in order
  std::string description;
  // Portable statements, run on every backend, then those for the store's own backend.
  std::vector<std::string> sql;
  std::vector<std::string> sqlite_sql;
  std::vector<std::string> postgres_sql;
};

// Kiln's migrations, oldest first.
const std::vector<Migration>& Migrations();

// The highest version in Migrations(): the schema this Kiln writes.
int LatestSchemaVersion();

// The highest migration version recorded in the store; 0 for a store with none.
Result<int> SchemaVersion(Database& db);

// Applies the migrations from `migrations` (sorted by version) that the store has not recorded.
// Fails with kConfig when the store records a version above the last one given.
Status ApplyMigrations(Database& db, const std::vector<Migration>& migrations);

}  // namespace kiln
