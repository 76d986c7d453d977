#include "ingest/dataset_service.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/parallel.h"
#include "core/progress.h"
#include "data/columnar.h"
#include "data/infer.h"
#include "governance/consent.h"
#include "governance/retention.h"
#include "kiln/version.h"
#include "registry/bundle.h"
#include "store/audit.h"

namespace kiln {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool ValidDatasetName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string StemName(const std::string& spec) {
  std::string stem = fs::path(spec).stem().string();
  std::string out;
  for (char c : stem) {
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  }
  return out.empty() ? "dataset" : out;
}

// The source a user means: an explicit spec, or the kiln.yaml source named `name` (or the only
// one). Returns the spec plus the options kiln.yaml gives for it.
Result<std::pair<std::string, std::string>> ResolveSource(const Project& project,
                                                          const AddDatasetOptions& options,
                                                          SourceOptions* source_options) {
  const auto& sources = project.spec().data.sources;
  const SourceSpec* match = nullptr;
  for (const SourceSpec& s : sources) {
    if (!options.name.empty() && s.name == options.name) match = &s;
  }
  std::string spec = options.source_spec;
  std::string name = options.name;
  if (spec.empty()) {
    if (match == nullptr && options.name.empty() && sources.size() == 1) match = &sources[0];
    if (match == nullptr) {
      return MakeError(ErrorCode::kUsage,
                       "no source given: pass a CSV path or URI, or name a source declared under "
                       "data.sources in kiln.yaml");
    }
    spec = match->Spec();
  }
  if (name.empty()) name = match != nullptr ? match->name : StemName(spec);
  if (!ValidDatasetName(name)) {
    return MakeError(ErrorCode::kUsage,
                     "dataset name '{}' is not valid: use letters, digits, '-', '_' or '.' "
                     "(at most 128 characters); pass --name to choose one",
                     name);
  }
  if (match != nullptr && options.use_spec_source_options) {
    SourceOptions from_spec = ToSourceOptions(*match);
    if (source_options->query.empty()) source_options->query = from_spec.query;
    if (source_options->csv.delimiter == 0) source_options->csv.delimiter = from_spec.csv.delimiter;
    if (source_options->csv.header < 0) source_options->csv.header = from_spec.csv.header;
  }
  return std::make_pair(spec, name);
}

json SchemaJson(const Frame& frame) {
  json columns = json::array();
  for (const Column& c : frame.columns()) {
    json col = {{"name", c.name}, {"type", ColumnTypeName(c.type)}, {"missing", c.missing_count()}};
    if (c.type == ColumnType::kDatetime) col["format"] = c.datetime_format;
    if (c.type == ColumnType::kCategorical) col["categories"] = c.dictionary.size();
    columns.push_back(std::move(col));
  }
  return columns;
}

json PiiJson(const std::vector<PiiFinding>& findings) {
  json out = json::array();
  for (const PiiFinding& f : findings) {
    out.push_back({{"column", f.column},
                   {"kind", PiiKindName(f.kind)},
                   {"evidence", PiiEvidenceName(f.evidence)},
                   {"match_rate", f.match_rate},
                   {"examples", f.examples}});
  }
  return out;
}

fs::path ContractPath(const Project& project, const std::string& dataset) {
  return project.contracts_dir() / (dataset + ".yaml");
}

// The dataset's contract: read from contracts/NAME.yaml, or inferred from `frame` and written
// there when absent (the first ingest), so that users can edit it afterwards.
Result<Contract> ReadOrCreateContract(const Project& project, const std::string& dataset,
                                      const Frame& frame, bool* created) {
  fs::path path = ContractPath(project, dataset);
  *created = false;
  if (!fs::exists(path)) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return MakeError(ErrorCode::kIo, "cannot create {}", path.parent_path().string());
    Contract contract = InferContract(frame);
    KILN_RETURN_IF_ERROR(WriteFileAtomic(path, ContractToYaml(contract, dataset)));
    *created = true;
    return contract;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return ParseContractYaml(text.str(), path.string());
}

}  // namespace

Result<DatasetRef> ParseDatasetRef(const std::string& text) {
  DatasetRef ref;
  size_t at = text.find('@');
  ref.name = text.substr(0, at);
  if (at != std::string::npos) ref.version = text.substr(at + 1);
  if (!ValidDatasetName(ref.name) || (at != std::string::npos && ref.version.empty())) {
    return MakeError(ErrorCode::kUsage,
                     "'{}' is not a dataset reference; write NAME or NAME@VERSION, where VERSION "
                     "is a hash, a hash prefix or v<N> (see `kiln data list`)",
                     text);
  }
  return ref;
}

namespace {

// Reads the source into a frame: no store access, so sources can be read side by side.
Result<PendingDataset> ReadSource(const Project& project, const AddDatasetOptions& options) {
  PendingDataset pending;
  AddDatasetReport& report = pending.report;
  SourceOptions source_options = options.source;
  KILN_ASSIGN_OR_RETURN(auto resolved, ResolveSource(project, options, &source_options));
  const std::string& spec = resolved.first;
  pending.name = resolved.second;

  auto t0 = std::chrono::steady_clock::now();
  KILN_ASSIGN_OR_RETURN(auto source, OpenSource(spec, source_options));
  InferOptions infer = ToInferOptions(project.spec());
  infer.threads = options.threads;
  {
    ProgressBar bar("reading " + pending.name, 0, "B", options.progress);
    KILN_ASSIGN_OR_RETURN(
        pending.frame,
        source->ReadFrame(infer, [&](uint64_t done, uint64_t total) { bar.Update(done, total); }));
  }
  // Reading and inference happen in one pass; the time is reported as reading.
  report.read_seconds = SecondsSince(t0);
  report.infer_seconds = 0;
  pending.source = source->Describe();
  return pending;
}

// Hashes the frame and runs the governance scans: no store access either.
Status ScanSource(const Project& project, PendingDataset& pending) {
  AddDatasetReport& report = pending.report;
  pending.store_start = std::chrono::steady_clock::now();
  pending.version = ContentHash(pending.frame);
  report.pii = DetectPii(pending.frame, project.spec().governance.pii_columns);
  if (const std::string& consent = project.spec().governance.consent_column; !consent.empty()) {
    KILN_ASSIGN_OR_RETURN(std::vector<uint8_t> keep, ConsentMask(pending.frame, consent));
    int64_t kept = 0;
    for (uint8_t k : keep) kept += k;
    report.consent_excluded = static_cast<int64_t>(keep.size()) - kept;
  }
  return Status::Ok();
}

// Adding the same data under the same name again is a no-op that says so.
Status CheckPresent(Project& project, PendingDataset& pending) {
  return project.db().Transact([&](Transaction& tx) -> Status {
    Result<DatasetVersionRecord> existing = FindDatasetVersion(tx, pending.name, pending.version);
    if (existing.ok() && !existing->purged()) {
      pending.report.record = *existing;
      pending.report.already_present = true;
    }
    return Status::Ok();
  });
}

// Stores the encoded data, records the version and its audit entry in one transaction, and
// checks the frame against its contract (inferring the contract on first ingest).
Status StoreVersion(Project& project, PendingDataset& pending) {
  AddDatasetReport& report = pending.report;
  const std::string& name = pending.name;
  const Frame& frame = pending.frame;
  KILN_ASSIGN_OR_RETURN(std::string artifact, project.artifacts().Put(pending.encoded, "dataset"));

  DatasetVersionRecord rec;
  rec.dataset = name;
  rec.version = pending.version;
  rec.rows = static_cast<int64_t>(frame.rows());
  rec.cols = static_cast<int64_t>(frame.cols());
  rec.schema_json = SchemaJson(frame).dump();
  rec.artifact = artifact;
  rec.artifact_bytes = static_cast<int64_t>(pending.encoded.size());
  rec.source = pending.source;
  rec.created_by = CurrentActor();
  rec.kiln_version = kVersion;
  json lineage = {{"source", rec.source},
                  {"content_hash", rec.version},
                  {"rows", rec.rows},
                  {"columns", rec.cols},
                  {"stored_bytes", rec.artifact_bytes},
                  {"created_by", rec.created_by},
                  {"kiln_version", rec.kiln_version},
                  {"pii", PiiJson(report.pii)}};
  if (report.consent_excluded) lineage["rows_without_consent"] = *report.consent_excluded;
  rec.lineage_json = lineage.dump();

  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    KILN_ASSIGN_OR_RETURN(report.record, InsertDatasetVersion(tx, rec));
    json details = {{"version", rec.version}, {"seq", report.record.seq},
                    {"rows", rec.rows},       {"columns", rec.cols},
                    {"source", rec.source},   {"pii_columns", report.pii.size()}};
    return AppendAudit(tx, AuditEvent{rec.created_by, "dataset.add",
                                      "dataset:" + name + "@" + rec.version, details.dump()});
  }));
  report.contract_path = ContractPath(project, name).string();
  KILN_ASSIGN_OR_RETURN(Contract contract,
                        ReadOrCreateContract(project, name, frame, &report.contract_created));
  if (!report.contract_created) report.contract_check = ValidateContract(frame, contract);
  spdlog::debug("stored {}@v{}: {} rows x {} columns, {} bytes", name, report.record.seq, rec.rows,
                rec.cols, rec.artifact_bytes);
  return Status::Ok();
}

}  // namespace

Result<std::vector<PendingDataset>> ReadSources(const Project& project,
                                                const std::vector<AddDatasetOptions>& sources,
                                                int threads) {
  std::vector<std::optional<PendingDataset>> read(sources.size());
  KILN_RETURN_IF_ERROR(ParallelFor(sources.size(), CoresToUse(threads), [&](size_t i) -> Status {
    KILN_ASSIGN_OR_RETURN(read[i], ReadSource(project, sources[i]));
    return Status::Ok();
  }));
  std::vector<PendingDataset> pending;
  for (std::optional<PendingDataset>& p : read) pending.push_back(std::move(*p));
  return pending;
}

Result<std::vector<AddDatasetReport>> StoreSources(Project& project,
                                                   std::vector<PendingDataset>& pending,
                                                   int threads) {
  const int workers = CoresToUse(threads);
  // Hashing, scanning and encoding touch no store, so the sources go side by side; the store is
  // checked and written one source at a time, in order.
  KILN_RETURN_IF_ERROR(ParallelFor(pending.size(), workers, [&](size_t i) -> Status {
    return ScanSource(project, pending[i]);
  }));
  std::vector<size_t> fresh;
  for (size_t i = 0; i < pending.size(); ++i) {
    KILN_RETURN_IF_ERROR(CheckPresent(project, pending[i]));
    if (!pending[i].report.already_present) fresh.push_back(i);
  }
  KILN_RETURN_IF_ERROR(ParallelFor(fresh.size(), workers, [&](size_t k) -> Status {
    PendingDataset& p = pending[fresh[k]];
    KILN_ASSIGN_OR_RETURN(p.encoded, EncodeFrame(p.frame));
    return Status::Ok();
  }));
  std::vector<AddDatasetReport> reports;
  for (PendingDataset& p : pending) {
    if (!p.report.already_present) KILN_RETURN_IF_ERROR(StoreVersion(project, p));
    std::string().swap(p.encoded);
    p.report.store_seconds = SecondsSince(p.store_start);
    reports.push_back(p.report);
  }
  return reports;
}

Result<std::vector<AddDatasetReport>> AddDatasets(Project& project,
                                                  const std::vector<AddDatasetOptions>& sources,
                                                  int threads) {
  KILN_ASSIGN_OR_RETURN(std::vector<PendingDataset> pending,
                        ReadSources(project, sources, threads));
  return StoreSources(project, pending, threads);
}

Result<std::vector<AddDatasetOptions>> DeclaredSources(const Project& project,
                                                       const AddDatasetOptions& base) {
  const std::vector<SourceSpec>& declared = project.spec().data.sources;
  if (declared.empty()) {
    return MakeError(ErrorCode::kUsage,
                     "kiln.yaml declares no data sources; list them under data.sources or add "
                     "data with `kiln data add PATH`");
  }
  std::vector<AddDatasetOptions> all;
  for (const SourceSpec& source : declared) {
    AddDatasetOptions one = base;
    one.source_spec.clear();
    one.name = source.name;
    one.progress = false;  // bars drawn side by side would garble each other
    all.push_back(std::move(one));
  }
  return all;
}

Result<AddDatasetReport> AddDataset(Project& project, const AddDatasetOptions& options) {
  KILN_ASSIGN_OR_RETURN(std::vector<AddDatasetReport> reports, AddDatasets(project, {options}, 1));
  return std::move(reports.front());
}

Result<LoadedDataset> LoadDataset(Project& project, const DatasetRef& ref) {
  LoadedDataset out;
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    KILN_ASSIGN_OR_RETURN(out.record, FindDatasetVersion(tx, ref.name, ref.version));
    return Status::Ok();
  }));
  if (out.record.purged()) {
    return MakeError(ErrorCode::kNotFound,
                     "{}@v{} was purged on {} under the retention policy; its data is gone",
                     ref.name, out.record.seq, *out.record.purged_at);
  }
  KILN_ASSIGN_OR_RETURN(std::string bytes, project.artifacts().Get(out.record.artifact));
  KILN_ASSIGN_OR_RETURN(out.frame,
                        DecodeFrame(bytes, out.record.dataset + "@" + out.record.version));
  return out;
}

Result<Frame> ApplyGovernance(const Project& project, Frame frame, int64_t* excluded) {
  if (excluded != nullptr) *excluded = 0;
  const std::string& consent = project.spec().governance.consent_column;
  if (consent.empty()) return frame;
  KILN_ASSIGN_OR_RETURN(std::vector<uint8_t> keep, ConsentMask(frame, consent));
  int64_t kept = 0;
  for (uint8_t k : keep) kept += k;
  if (excluded != nullptr) *excluded = static_cast<int64_t>(keep.size()) - kept;
  return frame.FilterRows(keep);
}

Result<ValidateReport> ValidateDataset(Project& project, const DatasetRef& ref,
                                       const std::string& contract_path) {
  KILN_ASSIGN_OR_RETURN(LoadedDataset loaded, LoadDataset(project, ref));
  ValidateReport out;
  out.record = loaded.record;
  Contract contract;
  if (contract_path.empty()) {
    out.contract_path = ContractPath(project, loaded.record.dataset).string();
    bool created = false;
    KILN_ASSIGN_OR_RETURN(contract,
                          ReadOrCreateContract(project, ref.name, loaded.frame, &created));
  } else {
    out.contract_path = contract_path;
    std::ifstream in(contract_path, std::ios::binary);
    if (!in) {
      return MakeError(ErrorCode::kNotFound, "cannot read contract {}; check the path",
                       contract_path);
    }
    std::stringstream text;
    text << in.rdbuf();
    KILN_ASSIGN_OR_RETURN(contract, ParseContractYaml(text.str(), contract_path));
  }
  out.report = ValidateContract(loaded.frame, contract);
  return out;
}

namespace {

Result<PurgeReport> Purge(Project& project, const std::vector<DatasetVersionRecord>& targets,
                          bool dry_run, const std::string& reason) {
  PurgeReport report;
  report.dry_run = dry_run;
  if (targets.empty() || dry_run) {
    for (const auto& t : targets) {
      report.purged.push_back({t.dataset, t.version, t.seq, t.created_at, false});
    }
    return report;
  }
  std::string ts = FormatUtc(std::chrono::system_clock::now());
  std::set<std::string> live_artifacts;
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    report.purged.clear();
    live_artifacts.clear();
    for (const auto& t : targets) {
      KILN_RETURN_IF_ERROR(MarkDatasetVersionPurged(tx, t.dataset, t.version, ts));
      json details = {{"version", t.version}, {"seq", t.seq}, {"reason", reason}};
      KILN_RETURN_IF_ERROR(
          AppendAudit(tx, AuditEvent{CurrentActor(), "dataset.purge",
                                     "dataset:" + t.dataset + "@" + t.version, details.dump()}));
      report.purged.push_back({t.dataset, t.version, t.seq, t.created_at, false});
    }
    KILN_ASSIGN_OR_RETURN(auto datasets, ListDatasets(tx));
    for (const auto& d : datasets) {
      KILN_ASSIGN_OR_RETURN(auto versions, ListDatasetVersions(tx, d.name));
      for (const auto& v : versions) {
        if (!v.purged()) live_artifacts.insert(v.artifact);
      }
    }
    return Status::Ok();
  }));
  // The catalog no longer refers to the bytes; deleting them after the commit means a crash here
  // leaves at worst an orphan that `kiln store check --repair` removes.
  for (size_t i = 0; i < targets.size(); ++i) {
    const std::string& artifact = targets[i].artifact;
    if (live_artifacts.count(artifact) || !project.artifacts().Exists(artifact)) continue;
    KILN_RETURN_IF_ERROR(project.artifacts().Remove(artifact));
    report.purged[i].artifact_deleted = true;
  }
  return report;
}

}  // namespace

Result<PurgeReport> PurgeExpired(Project& project, bool dry_run,
                                 std::chrono::system_clock::time_point now) {
  const auto& retention = project.spec().governance.retention_days;
  if (!retention) {
    return MakeError(ErrorCode::kConfig,
                     "kiln.yaml sets no governance.retention_days, so no version can expire; add "
                     "it (e.g. `retention_days: 365`) to purge by age");
  }
  std::vector<DatasetVersionRecord> expired;
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    expired.clear();
    KILN_ASSIGN_OR_RETURN(auto datasets, ListDatasets(tx));
    for (const auto& d : datasets) {
      KILN_ASSIGN_OR_RETURN(auto versions, ListDatasetVersions(tx, d.name));
      for (auto& v : versions) {
        if (!v.purged() && IsExpired(v.created_at, *retention, now)) expired.push_back(v);
      }
    }
    return Status::Ok();
  }));
  return Purge(project, expired, dry_run, fmt::format("older than retention_days={}", *retention));
}

Result<PurgeReport> PurgeVersion(Project& project, const DatasetRef& ref, bool dry_run) {
  if (ref.version.empty()) {
    return MakeError(ErrorCode::kUsage,
                     "name the version to purge as NAME@VERSION; purging a whole dataset at once "
                     "is not supported");
  }
  DatasetVersionRecord rec;
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    KILN_ASSIGN_OR_RETURN(rec, FindDatasetVersion(tx, ref.name, ref.version));
    return Status::Ok();
  }));
  if (rec.purged()) {
    return MakeError(ErrorCode::kUsage, "{}@v{} is already purged", ref.name, rec.seq);
  }
  return Purge(project, {rec}, dry_run, "requested");
}

Result<StoreCheckReport> CheckStore(Project& project, bool repair) {
  StoreCheckReport report;
  std::vector<DatasetVersionRecord> versions;
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    versions.clear();
    KILN_ASSIGN_OR_RETURN(auto datasets, ListDatasets(tx));
    for (const auto& d : datasets) {
      KILN_ASSIGN_OR_RETURN(auto vs, ListDatasetVersions(tx, d.name));
      versions.insert(versions.end(), vs.begin(), vs.end());
    }
    return Status::Ok();
  }));

  std::set<std::string> referenced;
  for (const auto& v : versions) {
    if (v.purged()) continue;
    ++report.versions_checked;
    referenced.insert(v.artifact);
    std::string label = fmt::format("{}@v{} ({})", v.dataset, v.seq, v.version);
    Result<std::string> bytes = project.artifacts().Get(v.artifact);
    if (!bytes.ok()) {
      report.problems.push_back(label + ": " + bytes.status().message());
      continue;
    }
    Result<Frame> frame = DecodeFrame(*bytes, label);
    if (!frame.ok()) {
      report.problems.push_back(frame.status().message());
    } else if (ContentHash(*frame) != v.version) {
      report.problems.push_back(label + ": stored data does not hash to its version id");
    }
  }

  // Model bundles of training runs are artifacts too; each must be present and decode.
  std::vector<std::pair<std::string, std::string>> bundles;
  KILN_RETURN_IF_ERROR(project.db().Transact([&](Transaction& tx) -> Status {
    bundles.clear();
    KILN_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id, bundle FROM runs ORDER BY seq"));
    for (const SqlRow& row : rows) bundles.emplace_back(SqlText(row[0]), SqlText(row[1]));
    return Status::Ok();
  }));
  for (const auto& [run, artifact] : bundles) {
    ++report.runs_checked;
    referenced.insert(artifact);
    Result<std::string> bytes = project.artifacts().Get(artifact);
    if (!bytes.ok()) {
      report.problems.push_back(run + " bundle: " + bytes.status().message());
      continue;
    }
    if (Result<Bundle> bundle = DecodeBundle(*bytes); !bundle.ok()) {
      report.problems.push_back(run + " bundle: " + bundle.status().message());
    }
  }

  KILN_ASSIGN_OR_RETURN(std::vector<std::string> artifacts, project.artifacts().List());
  report.artifacts_checked = static_cast<int64_t>(artifacts.size());
  for (const std::string& id : artifacts) {
    if (referenced.count(id)) continue;
    report.orphan_artifacts.push_back(id);
    if (repair) KILN_RETURN_IF_ERROR(project.artifacts().Remove(id));
  }
  if (repair) KILN_RETURN_IF_ERROR(project.artifacts().RemoveStaleTemps());

  KILN_ASSIGN_OR_RETURN(AuditVerification audit, VerifyAudit(project.db()));
  report.audit_ok = audit.ok;
  report.audit_reason = audit.reason;
  return report;
}

}  // namespace kiln
