// Training runs in a project: `kiln train` (train, store the bundle, record the run and its
// audit entry in one transaction) and `kiln evaluate` (score a run's bundle on a labelled
// dataset, decide the gate, write the JSON document and the HTML report).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "evaluate/evaluation.h"
#include "ingest/dataset_service.h"
#include "project/project.h"
#include "registry/bundle.h"
#include "train/trainer.h"

namespace kiln {

struct RunRecord {
  std::string id;  // "run-<seq>"
  int64_t seq = 0;
  std::string created_at;
  std::string created_by;
  std::string kiln_version;
  std::string dataset;
  std::string dataset_version;
  std::string task;
  std::string chosen;  // leaderboard name of the chosen candidate
  std::string family;
  std::string north_star;
  std::optional<double> cv_value;  // the chosen candidate's mean north star over folds
  bool cv_go = false;              // the gate on out-of-fold predictions
  std::string bundle;              // artifact id
  int64_t bundle_bytes = 0;
  std::string report_json;  // the training document (leaderboard, timings, folds)
};

// `ref` is a run id ("run-3"), its number ("3") or "latest". kNotFound naming the known runs.
Result<RunRecord> FindRun(Project& project, const std::string& ref);
Result<std::vector<RunRecord>> ListRuns(Project& project);
Result<Bundle> LoadRunBundle(Project& project, const RunRecord& run);

struct EvaluateRequest {
  std::string run = "latest";
  std::string dataset;  // NAME[@VERSION], required
  std::string out_dir;  // empty = reports/<run>-<dataset> under the project root
  int resamples = 1000;
};

struct EvaluateReport {
  RunRecord run;
  Evaluation evaluation;
  std::string json_path;
  std::string html_path;
  double seconds = 0;
  // Wall seconds by step: "load" (bundle and data), "score", "evaluate" (metrics, intervals,
  // gate), "report" (JSON and HTML written), "store" (the audit entry).
  std::map<std::string, double> timings;
};

struct TrainRequest {
  std::string dataset;  // NAME[@VERSION]; empty = the first kiln.yaml source, or the only dataset
  int threads = 0;
  bool progress = false;
  // When set (its `run` is ignored), the new run is then evaluated on `evaluate->dataset` exactly
  // as EvaluateRun would evaluate it, in the same process: the refitted models score that data
  // while the remaining folds train.
  std::optional<EvaluateRequest> evaluate;
  // Add every kiln.yaml source first, as `kiln data add` with no source does. The sources are read
  // before training and stored by a task beside the fits (TrainOptions::beside); a dataset or
  // evaluation name without a version that a source adds to means the data just read.
  bool ingest = false;
};

struct TrainReport {
  RunRecord run;
  TrainOutcome outcome;
  nlohmann::json document;  // what `kiln train --json` prints
  int64_t consent_excluded = 0;
  double load_seconds = 0;
  double store_seconds = 0;
  double total_seconds = 0;
  std::optional<EvaluateReport> evaluation;  // when the request asked for one
  std::vector<AddDatasetReport> added;       // with `ingest`: one per kiln.yaml source
};

// Trains, stores the bundle and records the run and its audit entry in one transaction; then,
// when asked, evaluates the run (see TrainRequest::evaluate). A NO-GO evaluation is a success, as
// for EvaluateRun.
Result<TrainReport> TrainProject(Project& project, const TrainRequest& request);

// Evaluates and records an audit entry with the verdict. A NO-GO is a successful evaluation: the
// caller turns `evaluation.gate.go == false` into exit code 3.
Result<EvaluateReport> EvaluateRun(Project& project, const EvaluateRequest& request);

}  // namespace kiln
