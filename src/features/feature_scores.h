// How much a feature tells about the target, for feature selection.
//
// MutualInformation is a binned (plug-in) estimate in nats: a feature with at most 32 distinct
// values gets a bin per value, any other feature 16 equal-frequency bins; NaN is a bin of its own.
// The target is its class for classification and 16 equal-frequency bins for regression. Binned
// estimates are biased upwards for features with many bins, but they are cheap, deterministic and
// good enough to rank features.
//
// GainImportance fits a quick XGBoost model (50 trees of depth 4, one thread, a fixed seed, at
// most 20000 rows taken evenly) and returns each feature's average gain; unused features score 0.
#pragma once

#include <vector>

#include "core/status.h"
#include "features/step.h"

namespace kiln::features {

double MutualInformation(const std::vector<double>& feature, const TrainingContext& training);

// One score per entry of `features` (workspace indices). kInternal when XGBoost fails.
Result<std::vector<double>> GainImportance(const Workspace& workspace,
                                           const std::vector<size_t>& features,
                                           const TrainingContext& training);

}  // namespace kiln::features
