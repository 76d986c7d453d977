// Threshold selection by one sweep over the distinct scores, highest first, accumulating weighted
// true and false positives; every objective then picks among the same candidate points. Ties are
// broken towards the secondary metric and then towards the higher (more conservative) threshold.
#include "evaluate/threshold.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "evaluate/metrics.h"

namespace kiln {
namespace {

struct Counts {
  double positives = 0, negatives = 0;
};

// The figures of predicting positive every row scoring >= `threshold`, given the weighted true
// and false positives at that threshold.
ThresholdChoice Evaluate(double threshold, double tp, double fp, const Counts& totals,
                         const ThresholdObjective& objective) {
  ThresholdChoice c;
  c.threshold = threshold;
  c.precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  c.recall = totals.positives > 0 ? tp / totals.positives : 0;
  c.f1 = c.precision + c.recall > 0 ? 2 * c.precision * c.recall / (c.precision + c.recall) : 0;
  c.cost =
      objective.cost_false_positive * fp + objective.cost_false_negative * (totals.positives - tp);
  return c;
}

std::vector<ThresholdChoice> Sweep(const Predictions& p, const ThresholdObjective& objective) {
  std::vector<size_t> order(p.rows());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return p.scores[a] > p.scores[b]; });
  Counts totals;
  for (size_t i = 0; i < p.rows(); ++i) {
    const double w = p.weights.empty() ? 1.0 : p.weights[i];
    (p.truth[i] == 1 ? totals.positives : totals.negatives) += w;
  }

  std::vector<ThresholdChoice> points;
  double tp = 0, fp = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    const double w = p.weights.empty() ? 1.0 : p.weights[i];
    (p.truth[i] == 1 ? tp : fp) += w;
    if (k + 1 < order.size() && p.scores[order[k + 1]] == p.scores[i]) continue;
    points.push_back(Evaluate(p.scores[i], tp, fp, totals, objective));
  }
  return points;
}

ThresholdChoice Fixed(const Predictions& p, const ThresholdObjective& objective) {
  Counts totals;
  double tp = 0, fp = 0;
  for (size_t i = 0; i < p.rows(); ++i) {
    const double w = p.weights.empty() ? 1.0 : p.weights[i];
    const bool positive = p.truth[i] == 1;
    (positive ? totals.positives : totals.negatives) += w;
    if (p.scores[i] >= objective.threshold) (positive ? tp : fp) += w;
  }
  return Evaluate(objective.threshold, tp, fp, totals, objective);
}

// The first point (highest threshold) that no later point beats by `better`.
template <typename Better>
ThresholdChoice Best(const std::vector<ThresholdChoice>& points, Better better) {
  ThresholdChoice best = points.front();
  for (const ThresholdChoice& c : points) {
    if (better(c, best)) best = c;
  }
  return best;
}

// Maximises `primary` over the points whose `floor_metric` reaches `floor`; when none does, gives
// the point of highest `floor_metric` and marks the constraint unmet.
ThresholdChoice Constrained(const std::vector<ThresholdChoice>& points,
                            double ThresholdChoice::*primary, double ThresholdChoice::*floor_metric,
                            double floor) {
  std::vector<ThresholdChoice> feasible;
  for (const ThresholdChoice& c : points) {
    if (c.*floor_metric >= floor) feasible.push_back(c);
  }
  auto lexicographic = [](double ThresholdChoice::*first, double ThresholdChoice::*second) {
    return [first, second](const ThresholdChoice& a, const ThresholdChoice& b) {
      return a.*first > b.*first || (a.*first == b.*first && a.*second > b.*second);
    };
  };
  if (feasible.empty()) {
    ThresholdChoice best = Best(points, lexicographic(floor_metric, primary));
    best.constraint_met = false;
    return best;
  }
  return Best(feasible, lexicographic(primary, floor_metric));
}

}  // namespace

Result<ThresholdChoice> ChooseThreshold(const Predictions& p, const ThresholdObjective& objective) {
  if (p.task != TaskType::kBinary) {
    return MakeError(ErrorCode::kUsage, "a decision threshold applies to binary tasks, got {}",
                     TaskTypeName(p.task));
  }
  KILN_RETURN_IF_ERROR(ValidatePredictions(p));
  if (objective.kind == "fixed") return Fixed(p, objective);

  const std::vector<ThresholdChoice> points = Sweep(p, objective);
  if (objective.kind == "max_f1") {
    return Best(points,
                [](const ThresholdChoice& a, const ThresholdChoice& b) { return a.f1 > b.f1; });
  }
  if (objective.kind == "max_recall") {
    return Constrained(points, &ThresholdChoice::recall, &ThresholdChoice::precision,
                       objective.min_precision);
  }
  if (objective.kind == "max_precision") {
    return Constrained(points, &ThresholdChoice::precision, &ThresholdChoice::recall,
                       objective.min_recall);
  }
  if (objective.kind == "min_cost") {
    return Best(points,
                [](const ThresholdChoice& a, const ThresholdChoice& b) { return a.cost < b.cost; });
  }
  return MakeError(ErrorCode::kUsage,
                   "unknown decision objective '{}'; use fixed, max_f1, max_recall, max_precision "
                   "or min_cost",
                   objective.kind);
}

}  // namespace kiln
