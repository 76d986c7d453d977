// Every binary metric of ComputeAllMetrics computed in one pass over rows sorted by score, for
// any row multiplicities. The bootstrap draws rows with replacement; a resample is the original
// rows with counts, so sorting once and sweeping per resample replaces one sort per metric per
// resample. Internal to evaluate/; the results equal ComputeMetric's on the gathered resample.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "evaluate/predictions.h"

namespace kiln {

class BinarySweep {
 public:
  // `p` must be a valid binary Predictions.
  explicit BinarySweep(const Predictions& p);

  // Where row `row` of the predictions sits in the sweep's order.
  uint32_t position(size_t row) const { return position_[row]; }

  // The metrics of the rows taken counts[k] times each, counts indexed by position(), or false
  // when a class is absent from the resample (the ranking metrics are then undefined and the
  // caller falls back to ComputeMetric).
  bool Compute(const std::vector<uint32_t>& counts, std::map<std::string, double>* out) const;

  // The sums Compute turns into metrics.
  struct Sums {
    double tp = 0, fp = 0;        // weighted positives and negatives
    double tp_at = 0, fp_at = 0;  // of which predicted positive at the threshold
    double total = 0, loss = 0, squared = 0;
    double auc = 0, ap = 0;  // unnormalised areas
  };
  Sums Sweep(const std::vector<uint32_t>& counts) const;
  // The metrics of `sums`, or false when a class is absent (see Compute).
  static bool Metrics(const Sums& sums, std::map<std::string, double>* out);

  // Positions [0, PredictedAt(t)) score at or above t.
  size_t PredictedAt(double threshold) const;
  // Whether every row weighs 1, so that the sums of counts are exact integers in any order.
  bool unweighted() const { return unweighted_; }
  // 1 at the positions of positive rows.
  const std::vector<uint8_t>& positive_flags() const { return positive_flags_; }
  size_t rows() const { return weight_.size(); }

  // The names Compute fills, which are those ComputeAllMetrics gives for binary tasks.
  static const std::vector<std::string>& Names();

 private:
  // Per position in descending score order, as flat arrays so that the sweep streams through
  // them without branches on the data.
  std::vector<double> weight_;
  std::vector<double> log_loss_;  // the row's clipped log loss
  std::vector<double> squared_;   // (truth - score)^2
  std::vector<double> positive_;  // 1 or 0
  std::vector<uint32_t> group_;   // rows of equal score share a group; groups are numbered
                                  // in order from 0
  std::vector<uint8_t> group_has_positive_;  // per group: some row's truth is 1
  size_t groups_ = 0;
  std::vector<double> sorted_scores_;  // descending
  std::vector<uint8_t> positive_flags_;
  bool unweighted_ = true;
  size_t predicted_groups_ = 0;  // groups [0, predicted_groups_) score at or above the threshold
  std::vector<uint32_t> position_;
};

}  // namespace kiln
