// The go/no-go gate every promotion passes: a candidate is GO only when it reaches the north-star
// threshold, stays inside every guard-rail of kiln.yaml, and beats the baseline by a statistically
// significant margin on the north-star metric. Each failed condition is reported with its figures.
#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "evaluate/predictions.h"
#include "evaluate/significance.h"

namespace kiln {

struct GateCheck {
  std::string name;  // "north_star roc_auc >= 0.85", "guardrail log_loss <= 0.4", "beats baseline"
  bool passed = false;
  double value = 0;
  std::string detail;  // one sentence with the figures, e.g. "0.912 >= 0.850"
};

struct GateDecision {
  bool go = false;
  std::vector<GateCheck> checks;
  Comparison versus_baseline;
  std::vector<std::string> reasons;  // one per failed check, for people
};

// Decides on held-out (or out-of-fold) predictions of the candidate and of the baseline, which
// must cover the same rows in the same order. For binary ROC AUC the comparison is DeLong's test
// when unweighted; other metrics use the paired bootstrap.
Result<GateDecision> DecideGate(const ProblemSpec& spec, const Predictions& candidate,
                                const Predictions& baseline, uint64_t seed = 42);

}  // namespace kiln
