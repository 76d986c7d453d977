// Training: from a frame and the problem definition to a leaderboard of cross-validated candidates
// and a bundle holding the chosen one, refitted on every usable row, beside a baseline fitted the
// same way. The feature pipeline is fitted inside each training fold only, so no fold's metrics
// see statistics of its own test rows.
//
// This layer knows nothing of the store; train/run_service records what it returns.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "data/frame.h"
#include "evaluate/gate.h"
#include "evaluate/predictions.h"
#include "evaluate/threshold.h"
#include "profile/leakage.h"
#include "registry/bundle.h"

namespace kiln {

// The candidates kiln.yaml asks for, with the task's defaults when `models:` is absent, and the
// baseline first (added when not listed).
std::vector<ModelSpec> CandidateSpecs(const ProblemSpec& spec);

// A short unique name for a candidate on the leaderboard: the family, with a suffix when the
// family appears more than once ("xgboost", "xgboost#2").
std::vector<std::string> CandidateNames(const std::vector<ModelSpec>& specs);

// The frame columns models may use: every column but the target, ids, the group column,
// exclusions and declared PII columns. Free-text columns are left to the feature pipeline, which
// skips them.
std::vector<std::string> FeatureColumns(const ProblemSpec& spec, const Frame& frame);

struct CandidateResult {
  std::string name;
  ModelSpec spec;
  std::vector<std::map<std::string, double>> folds;  // metrics of each fold's test rows
  std::map<std::string, double> mean, stddev;        // over folds (sample standard deviation)
  Predictions oof;                                   // out-of-fold scores for every usable row
  double seconds = 0;        // features + fitting + scoring, summed over folds (which may overlap)
  double boost_seconds = 0;  // of which XGBoost boosting rounds
  std::string summary;       // the last fold's Model::Summary()
};

struct TrainTimings {
  double leakage = 0;    // the leakage check
  double folds = 0;      // building the folds
  double cv = 0;         // cross-validation, and the refits when the choice was known before it
  double final_fit = 0;  // refitting the chosen candidate and the baseline after the choice
  double boost = 0;      // wall time in which some XGBoost boosting rounds were running
};

struct TrainOutcome {
  size_t rows_used = 0;
  size_t rows_missing_target = 0;
  std::vector<std::string> features;          // frame columns given to the pipeline
  std::vector<std::string> skipped_features;  // of those, the ones the pipeline left out
  std::vector<std::string> labels;            // classification classes
  std::vector<LeakFinding> leaks;             // feature columns that give the target away
  std::vector<CandidateResult> leaderboard;   // best first by the north star; baseline included
  std::string chosen;                         // leaderboard name of the chosen candidate
  ThresholdChoice threshold;                  // binary: chosen on the out-of-fold scores
  GateDecision cv_gate;                       // the gate on out-of-fold predictions
  Bundle bundle;                              // chosen + baseline, refitted on all usable rows
  TrainTimings timings;
};

struct TrainOptions {
  int threads = 0;  // cores to use (0 = every core); folds train side by side, one core each
  // Called with (step, of, what) as candidates and folds finish.
  std::function<void(size_t, size_t, const std::string&)> progress;
  // Called with each pair refitted on every usable row as soon as it is fitted: the chosen
  // candidate and the baseline (when the baseline is chosen, only that call). With a single
  // candidate the refits run beside the folds and each call comes on a thread of its own, so the
  // caller can score held-out data while the folds still train; the calls may then overlap.
  // An error fails the training.
  struct Refitted {
    bool baseline = false;  // the baseline's pair, not the candidate's
    const ScoringPair* pair = nullptr;
    const std::vector<std::string>* classes = nullptr;  // labels, in the order of the scores
    int threads = 1;                                    // cores the caller may use from this thread
  };
  std::function<Status(const Refitted&)> on_refit;
  // Work of the caller's to run on a worker beside the fits once the longest fit has started
  // (storing the data being trained on, say). An error fails the training.
  std::function<Status()> beside;
};

// Cross-validates every candidate, picks the best by the north-star metric (ties go to the one
// listed first), refits it and the baseline on every usable row. kData when the target is
// missing, constant, or a training fold holds a single class (naming the fold and what to do).
Result<TrainOutcome> Train(const ProblemSpec& spec, const Frame& frame,
                           const TrainOptions& options = {});

}  // namespace kiln
