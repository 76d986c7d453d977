// The dataset catalog: which datasets exist and, for each, its immutable versions. A version is
// named by the content hash of its data; within a dataset versions are also numbered 1, 2, 3, ...
// in the order they were added, so `v3` names one as well. Purging a version deletes its artifact
// but keeps its row (marked purged), so lineage that points at it still resolves.
//
// These functions only read and write catalog rows; the caller appends the matching audit event
// in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"

namespace kiln {

struct DatasetVersionRecord {
  std::string dataset;
  std::string version;  // content hash, lowercase hex
  int64_t seq = 0;      // 1, 2, 3, ... within the dataset; assigned by InsertDatasetVersion
  int64_t rows = 0;
  int64_t cols = 0;
  std::string schema_json;
  std::string artifact;  // where the stored data lives
  int64_t artifact_bytes = 0;
  std::string source;      // where the data came from (a path or a query), for people
  std::string created_at;  // UTC, see SqlTimestampNow(); filled in when empty
  std::string created_by;
  std::string kiln_version;
  std::string lineage_json;
  std::optional<std::string> purged_at;  // set once the artifact has been deleted

  bool purged() const { return purged_at.has_value(); }
};

struct DatasetSummary {
  std::string name;
  std::string created_at;
  int64_t versions = 0;         // all versions, purged ones included
  int64_t purged_versions = 0;  // of which purged
  std::string latest_version;   // newest version not purged; empty when all are purged
  int64_t latest_seq = 0;       // its seq; 0 when all are purged
};

// The shortest hash prefix accepted as a version reference.
inline constexpr size_t kMinVersionPrefix = 6;

// Resolves `version` within dataset `name`:
//   ""          the newest version that is not purged
//   "v<seq>"    by number, e.g. "v3"
//   a hash      exactly, or by a unique prefix of at least kMinVersionPrefix characters
// Versions named explicitly are returned even when purged (check purged()), so lineage can
// describe them. kNotFound when nothing matches; kUsage for an ambiguous or too short prefix.
Result<DatasetVersionRecord> FindDatasetVersion(Transaction& tx, const std::string& name,
                                                const std::string& version);

// Adds a version, creating the dataset on its first version, and returns the stored record with
// seq assigned. Adding a version that was purged restores it under its old seq with the new
// artifact; adding one that is already present fails with kUsage.
Result<DatasetVersionRecord> InsertDatasetVersion(Transaction& tx, DatasetVersionRecord rec);

// All datasets, by name.
Result<std::vector<DatasetSummary>> ListDatasets(Transaction& tx);

// Every version of dataset `name` (purged ones included), oldest first.
Result<std::vector<DatasetVersionRecord>> ListDatasetVersions(Transaction& tx,
                                                              const std::string& name);

// Marks the version with hash `version` as purged at `ts`. Purging a purged version is a no-op
// that keeps the first time.
Status MarkDatasetVersionPurged(Transaction& tx, const std::string& name,
                                const std::string& version, const std::string& ts);

}  // namespace kiln
