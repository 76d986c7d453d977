// Choosing the decision threshold of a binary classifier to meet the business constraint stated
// in kiln.yaml: maximise one metric subject to a floor on another, or minimise expected cost.
#pragma once

#include <string>

#include "core/config.h"
#include "core/status.h"
#include "evaluate/predictions.h"

namespace kiln {

struct ThresholdChoice {
  double threshold = 0.5;
  double precision = 0, recall = 0, f1 = 0, cost = 0;
  bool constraint_met = true;  // false when no threshold meets the floor; the best effort is given
};

// Considers every distinct score as a threshold (score >= t predicts positive); the objective is
// kiln.yaml's `decision:` section.
Result<ThresholdChoice> ChooseThreshold(const Predictions& p, const ThresholdObjective& objective);

}  // namespace kiln
