// Target leakage check: finds feature columns that give the target away, the way `casual` and
// `registered` in the bike-sharing data sum to `count`. A model trained with such a column scores
// superbly in validation and fails in production, where the column is not known at prediction
// time. The check runs before training, so a leak is reported with the fix (exclude the column)
// instead of surfacing as a suspiciously good model.
//
// Two kinds of leak are found:
//   single_feature      one column alone predicts the target almost perfectly;
//   linear_combination  the target is (nearly) an exact linear function of a few numeric columns.
// Identifiers are not leaks: integer columns whose every value is distinct and categorical columns
// with fewer than `min_rows_per_category` rows per category on average are not scored.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/frame.h"
#include "features/pipeline.h"

namespace kiln {

struct LeakOptions {
  // Named in the findings' sentences.
  std::string target_name = "the target";
  // Classification: balanced accuracy of the per-value (binned) class, or the one-vs-rest ROC
  // AUC of the raw value, at or above which one column is a leak.
  double class_score_threshold = 0.99;
  // Regression: |Pearson|, |Spearman| or binned R² at or above which one column is a leak.
  double correlation_threshold = 0.98;
  // The R² of a least-squares fit at or above which numeric columns reproduce the target.
  double combination_r2 = 0.999;
  // Combinations of more columns than this are not reported: a target that is a near-exact linear
  // function of many inputs is more likely a genuinely linear problem than derived data.
  size_t max_combination_columns = 3;
  // Numeric columns with a larger share of missing values stay out of the combination fit (the
  // fit uses rows where every candidate is present); they are still checked alone.
  double max_missing_for_combination = 0.05;
  // Categories (and bins of numeric values) need this many rows on average to be scored, so that
  // a category per row, as an identifier has, does not look predictive.
  size_t min_rows_per_category = 20;
  // Rows beyond this are sampled evenly (every k-th row), which keeps the check to tens of
  // milliseconds and deterministic.
  size_t max_rows = 20000;
};

struct LeakFinding {
  std::string column;
  std::string kind;  // "single_feature" or "linear_combination"
  // single_feature: the strongest of the measures above; linear_combination: the fit's R².
  double score = 0;
  // linear_combination: every column of the combination, this one included, in frame order.
  std::vector<std::string> together;
  // One sentence for the user: what was found, how strongly, and what to do.
  std::string message;
};

// Checks `feature_columns` of `frame` over `rows` (all rows when empty; rows whose target is
// missing are ignored) against `target`, which covers every frame row. Findings come strongest
// first, one per column; a column in a reported combination is reported as linear_combination.
// Free-text columns are not checked. kUsage naming the column when a feature column is not in
// the frame or `target` does not cover it; kData when fewer than 30 rows have a target.
Result<std::vector<LeakFinding>> FindLeaks(const Frame& frame, std::span<const size_t> rows,
                                           const Target& target,
                                           const std::vector<std::string>& feature_columns,
                                           const LeakOptions& options = {});

}  // namespace kiln
