// Catalog rows for datasets and their versions, in portable SQL.
#include "store/catalog.h"

#include <algorithm>
#include <cctype>

namespace kiln {
namespace {

constexpr const char* kVersionColumns =
    "SELECT dataset, version, seq, rows, cols, schema_json, artifact, artifact_bytes, source, "
    "created_at, created_by, kiln_version, lineage_json, purged_at FROM dataset_versions";

constexpr const char* kListHint = "run `kiln data list` to see the datasets and their versions";

DatasetVersionRecord RecordFromRow(const SqlRow& row) {
  DatasetVersionRecord r;
  r.dataset = SqlText(row[0]);
  r.version = SqlText(row[1]);
  r.seq = SqlInt(row[2]);
  r.rows = SqlInt(row[3]);
  r.cols = SqlInt(row[4]);
  r.schema_json = SqlText(row[5]);
  r.artifact = SqlText(row[6]);
  r.artifact_bytes = SqlInt(row[7]);
  r.source = SqlText(row[8]);
  r.created_at = SqlText(row[9]);
  r.created_by = SqlText(row[10]);
  r.kiln_version = SqlText(row[11]);
  r.lineage_json = SqlText(row[12]);
  if (!SqlIsNull(row[13])) r.purged_at = SqlText(row[13]);
  return r;
}

Result<std::vector<DatasetVersionRecord>> QueryVersions(Transaction& tx, const std::string& where,
                                                        const std::vector<SqlValue>& params) {
  KILN_ASSIGN_OR_RETURN(auto rows, tx.Query(std::string(kVersionColumns) + " " + where, params));
  std::vector<DatasetVersionRecord> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) out.push_back(RecordFromRow(row));
  return out;
}

Result<bool> DatasetExists(Transaction& tx, const std::string& name) {
  KILN_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT 1 FROM datasets WHERE name = ?", {name}));
  return !rows.empty();
}

Status RequireDataset(Transaction& tx, const std::string& name) {
  KILN_ASSIGN_OR_RETURN(bool exists, DatasetExists(tx, name));
  if (exists) return Status::Ok();
  return MakeError(ErrorCode::kNotFound, "no dataset named '{}' in the store; {}", name, kListHint);
}

// "v12" -> 12; nullopt for anything else.
std::optional<int64_t> ParseSeqRef(const std::string& ref) {
  if (ref.size() < 2 || ref.size() > 19 || ref[0] != 'v') return std::nullopt;
  int64_t seq = 0;
  for (size_t i = 1; i < ref.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(ref[i]))) return std::nullopt;
    seq = seq * 10 + (ref[i] - '0');
  }
  return seq;
}

bool IsAlnum(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Result<DatasetVersionRecord> FindLatest(Transaction& tx, const std::string& name) {
  KILN_ASSIGN_OR_RETURN(auto found, QueryVersions(tx,
                                                  "WHERE dataset = ? AND purged_at IS NULL "
                                                  "ORDER BY seq DESC LIMIT 1",
                                                  {name}));
  if (found.empty()) {
    return MakeError(ErrorCode::kNotFound,
                     "dataset '{}' has no versions left (all were purged); add data again with "
                     "`kiln data add`",
                     name);
  }
  return found[0];
}

Result<DatasetVersionRecord> FindByHash(Transaction& tx, const std::string& name,
                                        const std::string& ref) {
  KILN_ASSIGN_OR_RETURN(auto exact,
                        QueryVersions(tx, "WHERE dataset = ? AND version = ?", {name, ref}));
  if (!exact.empty()) return exact[0];

  std::string prefix = Lower(ref);
  if (prefix.size() < kMinVersionPrefix || !IsAlnum(prefix)) {
    return MakeError(ErrorCode::kNotFound,
                     "dataset '{}' has no version '{}' (a hash prefix needs at least {} "
                     "characters); {}",
                     name, ref, kMinVersionPrefix, kListHint);
  }
  KILN_ASSIGN_OR_RETURN(auto matches, QueryVersions(tx,
                                                    "WHERE dataset = ? AND version LIKE ? "
                                                    "ORDER BY seq LIMIT 5",
                                                    {name, prefix + "%"}));
  if (matches.size() == 1) return matches[0];
  if (matches.empty()) {
    return MakeError(ErrorCode::kNotFound, "dataset '{}' has no version '{}'; {}", name, ref,
                     kListHint);
  }
  std::string listed;
  for (const auto& m : matches) listed += fmt::format(" v{} ({})", m.seq, m.version);
  return MakeError(ErrorCode::kUsage,
                   "version prefix '{}' of dataset '{}' matches several versions:{}; give more "
                   "characters or use v<number>",
                   ref, name, listed);
}

Result<int64_t> NextSeq(Transaction& tx, const std::string& name) {
  KILN_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT MAX(seq) FROM dataset_versions WHERE dataset = ?", {name}));
  return (rows.empty() ? 0 : SqlInt(rows[0][0], 0)) + 1;
}

SqlValue OptionalText(const std::optional<std::string>& s) {
  return s.has_value() ? SqlValue(*s) : SqlValue(std::monostate{});
}

Status RestorePurged(Transaction& tx, const DatasetVersionRecord& rec) {
  return tx.Exec(
      "UPDATE dataset_versions SET rows = ?, cols = ?, schema_json = ?, artifact = ?, "
      "artifact_bytes = ?, source = ?, created_at = ?, created_by = ?, kiln_version = ?, "
      "lineage_json = ?, purged_at = NULL WHERE dataset = ? AND version = ?",
      {rec.rows, rec.cols, rec.schema_json, rec.artifact, rec.artifact_bytes, rec.source,
       rec.created_at, rec.created_by, rec.kiln_version, rec.lineage_json, rec.dataset,
       rec.version});
}

}  // namespace

Result<DatasetVersionRecord> FindDatasetVersion(Transaction& tx, const std::string& name,
                                                const std::string& version) {
  KILN_RETURN_IF_ERROR(RequireDataset(tx, name));
  if (version.empty()) return FindLatest(tx, name);

  if (std::optional<int64_t> seq = ParseSeqRef(version)) {
    KILN_ASSIGN_OR_RETURN(auto found,
                          QueryVersions(tx, "WHERE dataset = ? AND seq = ?", {name, *seq}));
    if (found.empty()) {
      return MakeError(ErrorCode::kNotFound, "dataset '{}' has no version {}; {}", name, version,
                       kListHint);
    }
    return found[0];
  }
  return FindByHash(tx, name, version);
}

Result<DatasetVersionRecord> InsertDatasetVersion(Transaction& tx, DatasetVersionRecord rec) {
  if (rec.dataset.empty() || rec.version.empty()) {
    return MakeError(ErrorCode::kUsage,
                     "a dataset version needs a dataset name and a version "
                     "hash");
  }
  if (rec.created_at.empty()) rec.created_at = SqlTimestampNow();
  rec.purged_at.reset();

  KILN_ASSIGN_OR_RETURN(auto existing, QueryVersions(tx, "WHERE dataset = ? AND version = ?",
                                                     {rec.dataset, rec.version}));
  if (!existing.empty() && !existing[0].purged()) {
    return MakeError(ErrorCode::kUsage, "dataset '{}' already holds this data as v{} ({})",
                     rec.dataset, existing[0].seq, rec.version);
  }
  if (!existing.empty()) {
    rec.seq = existing[0].seq;
    KILN_RETURN_IF_ERROR(RestorePurged(tx, rec));
    return rec;
  }

  KILN_ASSIGN_OR_RETURN(bool exists, DatasetExists(tx, rec.dataset));
  if (!exists) {
    KILN_RETURN_IF_ERROR(tx.Exec("INSERT INTO datasets (name, created_at) VALUES (?, ?)",
                                 {rec.dataset, rec.created_at}));
  }
  KILN_ASSIGN_OR_RETURN(rec.seq, NextSeq(tx, rec.dataset));
  KILN_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO dataset_versions (dataset, version, seq, rows, cols, schema_json, artifact, "
      "artifact_bytes, source, created_at, created_by, kiln_version, lineage_json, purged_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {rec.dataset, rec.version, rec.seq, rec.rows, rec.cols, rec.schema_json, rec.artifact,
       rec.artifact_bytes, rec.source, rec.created_at, rec.created_by, rec.kiln_version,
       rec.lineage_json, OptionalText(rec.purged_at)}));
  return rec;
}

Result<std::vector<DatasetSummary>> ListDatasets(Transaction& tx) {
  KILN_ASSIGN_OR_RETURN(
      auto rows, tx.Query("SELECT d.name, d.created_at, "
                          "(SELECT COUNT(*) FROM dataset_versions v WHERE v.dataset = d.name), "
                          "(SELECT COUNT(*) FROM dataset_versions v WHERE v.dataset = d.name "
                          "AND v.purged_at IS NOT NULL), "
                          "(SELECT v.version FROM dataset_versions v WHERE v.dataset = d.name "
                          "AND v.purged_at IS NULL ORDER BY v.seq DESC LIMIT 1), "
                          "(SELECT MAX(v.seq) FROM dataset_versions v WHERE v.dataset = d.name "
                          "AND v.purged_at IS NULL) "
                          "FROM datasets d"));
  std::vector<DatasetSummary> out;
  out.reserve(rows.size());
  for (const SqlRow& row : rows) {
    DatasetSummary s;
    s.name = SqlText(row[0]);
    s.created_at = SqlText(row[1]);
    s.versions = SqlInt(row[2]);
    s.purged_versions = SqlInt(row[3]);
    s.latest_version = SqlText(row[4]);
    s.latest_seq = SqlInt(row[5]);
    out.push_back(std::move(s));
  }
  // Sorted here rather than in SQL: PostgreSQL would sort by the server's collation.
  std::sort(out.begin(), out.end(),
            [](const DatasetSummary& a, const DatasetSummary& b) { return a.name < b.name; });
  return out;
}

Result<std::vector<DatasetVersionRecord>> ListDatasetVersions(Transaction& tx,
                                                              const std::string& name) {
  KILN_RETURN_IF_ERROR(RequireDataset(tx, name));
  return QueryVersions(tx, "WHERE dataset = ? ORDER BY seq", {name});
}

Status MarkDatasetVersionPurged(Transaction& tx, const std::string& name,
                                const std::string& version, const std::string& ts) {
  KILN_RETURN_IF_ERROR(RequireDataset(tx, name));
  KILN_ASSIGN_OR_RETURN(auto found,
                        QueryVersions(tx, "WHERE dataset = ? AND version = ?", {name, version}));
  if (found.empty()) {
    return MakeError(ErrorCode::kNotFound, "dataset '{}' has no version '{}' to purge; {}", name,
                     version, kListHint);
  }
  if (found[0].purged()) return Status::Ok();
  return tx.Exec("UPDATE dataset_versions SET purged_at = ? WHERE dataset = ? AND version = ?",
                 {ts, name, version});
}

}  // namespace kiln
