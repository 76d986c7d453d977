// Cross-validation splits, chosen by kiln.yaml `validation:`: k-fold, stratified k-fold, group
// k-fold and time-series (expanding window with an optional gap). Every split is a pure function
// of its inputs and the seed, so a run can be reproduced exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace kiln {

// Positions 0..n-1 into the rows being split. `train` and `test` are sorted ascending and
// disjoint. For every split but time_series the test parts of all folds partition 0..n-1.
struct Fold {
  std::vector<size_t> train;
  std::vector<size_t> test;
};

struct SplitInputs {
  size_t rows = 0;
  // Stratified k-fold: the class index of each row (rows entries).
  std::span<const double> classes;
  // Group k-fold: a group code per row (rows entries); rows of one group never straddle folds.
  std::span<const int64_t> groups;
  // Time series: the time of each row (rows entries, any monotone unit); empty = rows are already
  // in time order. Rows sharing a time never straddle a train/test boundary.
  std::span<const double> times;
};

// The folds for `spec`. kConfig (naming validation.folds, validation.split) when the split cannot
// be made: fewer than 2 folds, more folds than rows, groups or distinct times; stratified with a
// class present in fewer rows than folds is allowed (as scikit-learn does, with a warning logged).
// kUsage when an input span has the wrong length.
Result<std::vector<Fold>> MakeFolds(const ValidationSpec& spec, const SplitInputs& inputs);

}  // namespace kiln
