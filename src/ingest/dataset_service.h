// Dataset versions as users handle them: add a source as a new immutable version, load a version
// back as a Frame (optionally with governance applied for training), validate it against its
// contract, purge expired versions, and check that the store and the artifacts agree.
// The CLI and, later, the server call these functions; they hold no CLI concerns.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/contract.h"
#include "data/frame.h"
#include "data/source.h"
#include "governance/pii.h"
#include "project/project.h"
#include "store/catalog.h"

namespace kiln {

// NAME, NAME@VERSION where VERSION is a hash, a unique hash prefix, or v<seq>.
struct DatasetRef {
  std::string name;
  std::string version;  // empty = latest
};
Result<DatasetRef> ParseDatasetRef(const std::string& text);

struct AddDatasetOptions {
  std::string source_spec;  // a path or URI; empty = the kiln.yaml source called `name`
  std::string name;         // empty = the kiln.yaml source's name or the file's stem
  SourceOptions source;
  bool use_spec_source_options = true;  // apply delimiter/query from the matching kiln.yaml source
  int threads = 1;
  bool progress = false;
};

struct AddDatasetReport {
  DatasetVersionRecord record;
  bool already_present = false;
  std::vector<PiiFinding> pii;
  std::optional<int64_t> consent_excluded;  // rows without consent; unset without consent column
  std::string contract_path;
  bool contract_created = false;
  std::optional<ContractReport> contract_check;  // against an existing contract
  double read_seconds = 0;
  double infer_seconds = 0;
  double store_seconds = 0;
};

Result<AddDatasetReport> AddDataset(Project& project, const AddDatasetOptions& options);

// A source read into a frame and not yet stored. AddDatasets is ReadSources then StoreSources;
// a caller that uses the frames before they are stored (`kiln train --ingest` trains on them
// while they are written) calls the two itself.
struct PendingDataset {
  std::string name;    // the dataset it is added to
  Frame frame;         // as read, before governance
  std::string source;  // the source's description, for lineage
  AddDatasetReport report;
  // Set by StoreSources:
  std::string version;  // the content hash
  std::string encoded;  // the columnar file while it is being stored
  std::chrono::steady_clock::time_point store_start;
};

// Reads every source side by side on up to `threads` cores (0 = every core), touching no store.
Result<std::vector<PendingDataset>> ReadSources(const Project& project,
                                                const std::vector<AddDatasetOptions>& sources,
                                                int threads);

// Hashes, scans and stores what ReadSources read, as AddDatasets does, and returns one report
// per source, in order. It only reads the frames, so other threads may read them meanwhile.
Result<std::vector<AddDatasetReport>> StoreSources(Project& project,
                                                   std::vector<PendingDataset>& pending,
                                                   int threads);

// One AddDatasetOptions per source kiln.yaml declares, in order, as `kiln data add` with no
// source adds them; kUsage when kiln.yaml declares none.
Result<std::vector<AddDatasetOptions>> DeclaredSources(const Project& project,
                                                       const AddDatasetOptions& base = {});

// Adds several sources: they are read, typed, hashed and scanned side by side on up to `threads`
// cores (0 = every core), then stored one at a time in the order given, each in its own
// transaction, as AddDataset stores one. A source that cannot be read stores none of them; a
// failure while storing one leaves those before it added.
Result<std::vector<AddDatasetReport>> AddDatasets(Project& project,
                                                  const std::vector<AddDatasetOptions>& sources,
                                                  int threads);

struct LoadedDataset {
  DatasetVersionRecord record;
  Frame frame;
};

Result<LoadedDataset> LoadDataset(Project& project, const DatasetRef& ref);

// The frame training may use: rows without consent removed when kiln.yaml declares a consent
// column. `excluded` receives the number of rows removed.
Result<Frame> ApplyGovernance(const Project& project, Frame frame, int64_t* excluded);

struct ValidateReport {
  DatasetVersionRecord record;
  std::string contract_path;
  ContractReport report;
};
// Checks a version against its own contract (contracts/NAME.yaml), or against `contract_path`
// when given, e.g. new data against the contract of the data a model was trained on.
Result<ValidateReport> ValidateDataset(Project& project, const DatasetRef& ref,
                                       const std::string& contract_path = "");

struct PurgeReport {
  struct Item {
    std::string dataset;
    std::string version;
    int64_t seq = 0;
    std::string created_at;
    bool artifact_deleted = false;  // false when another live version shares the same bytes
  };
  std::vector<Item> purged;
  bool dry_run = false;
};

// Purges every version older than governance.retention_days.
Result<PurgeReport> PurgeExpired(Project& project, bool dry_run,
                                 std::chrono::system_clock::time_point now);
// Purges one named version.
Result<PurgeReport> PurgeVersion(Project& project, const DatasetRef& ref, bool dry_run);

struct StoreCheckReport {
  int64_t versions_checked = 0;
  int64_t artifacts_checked = 0;
  int64_t runs_checked = 0;           // training runs whose model bundle was read and decoded
  std::vector<std::string> problems;  // inconsistencies: missing or corrupt artifacts
  std::vector<std::string> orphan_artifacts;  // bytes no version refers to (a killed writer's)
  int64_t stale_temps_removed = 0;
  bool audit_ok = true;
  std::string audit_reason;
  bool ok() const { return problems.empty() && audit_ok; }
};

// Verifies every live version's artifact (checksum and decodability) and the audit chain.
// With `repair`, removes orphan artifacts and stale temporary files.
Result<StoreCheckReport> CheckStore(Project& project, bool repair);

}  // namespace kiln
