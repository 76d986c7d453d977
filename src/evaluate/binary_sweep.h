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

  // The names Compute fills, which are those ComputeAllMetrics gives for binary tasks.
  static const std::vector<std::string>& Names();

 private:
  struct Row {
    uint32_t group;  // rows with equal scores share a group; groups run in descending score
    double weight;
    double log_loss;  // this row's clipped log loss
    double squared;   // (truth - score)^2
    bool positive;
    bool predicted;  // score >= threshold
  };
  std::vector<Row> rows_;  // sorted by descending score
  std::vector<uint32_t> position_;
};

}  // namespace kiln
