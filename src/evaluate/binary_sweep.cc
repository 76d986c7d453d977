// The one-pass binary metrics behind the fast bootstrap; see binary_sweep.h.
#include "evaluate/binary_sweep.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace kiln {
namespace {

double Divide(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0.0;
}

double F1(double precision, double recall) {
  return Divide(2 * precision * recall, precision + recall);
}

}  // namespace

BinarySweep::BinarySweep(const Predictions& p) {
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  const size_t n = p.rows();
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return p.scores[a] > p.scores[b]; });
  position_.resize(n);
  weight_.resize(n);
  log_loss_.resize(n);
  squared_.resize(n);
  positive_.resize(n);
  group_.resize(n);
  sorted_scores_.resize(n);
  positive_flags_.resize(n);
  size_t predicted = 0;
  for (size_t k = 0; k < n; ++k) {
    const uint32_t i = order[k];
    const double q = std::clamp(p.scores[i], kEps, 1 - kEps);
    const bool positive = p.truth[i] == 1;
    // The same clipping and renormalisation as LogLoss in metrics.cc.
    const double sum = (1 - q) + q;
    position_[i] = static_cast<uint32_t>(k);
    weight_[k] = p.weights.empty() ? 1.0 : p.weights[i];
    log_loss_[k] = -std::log((positive ? q : 1 - q) / sum);
    const double d = p.truth[i] - p.scores[i];
    squared_[k] = d * d;
    positive_[k] = positive ? 1.0 : 0.0;
    positive_flags_[k] = positive ? 1 : 0;
    sorted_scores_[k] = p.scores[i];
    unweighted_ &= weight_[k] == 1.0;
    if (k > 0 && p.scores[order[k - 1]] != p.scores[i]) ++groups_;
    group_[k] = static_cast<uint32_t>(groups_);
    if (group_has_positive_.size() <= groups_) group_has_positive_.push_back(0);
    group_has_positive_[groups_] |= positive ? 1 : 0;
    // Sorted by descending score, the rows predicted positive are a prefix, and equal scores
    // fall on the same side of the threshold, so the prefix ends at a group's end.
    if (p.scores[i] >= p.threshold) predicted = k + 1;
  }
  groups_ = n > 0 ? groups_ + 1 : 0;
  predicted_groups_ = predicted > 0 ? group_[predicted - 1] + 1 : 0;
}

const std::vector<std::string>& BinarySweep::Names() {
  static const std::vector<std::string> names = {"roc_auc",
                                                 "pr_auc",
                                                 "log_loss",
                                                 "brier",
                                                 "accuracy",
                                                 "balanced_accuracy",
                                                 "precision",
                                                 "recall",
                                                 "f1",
                                                 "mcc",
                                                 "macro_f1",
                                                 "micro_f1",
                                                 "weighted_f1",
                                                 "macro_precision",
                                                 "micro_precision",
                                                 "weighted_precision",
                                                 "macro_recall",
                                                 "micro_recall",
                                                 "weighted_recall"};
  return names;
}

// Three passes, each free of branches on the data. Rows: the sums over rows, and each group's
// weighted positives and negatives. Groups: the running counts, the ROC area by trapezoids, and
// for each group holding a positive its share of the precision-recall area, set aside. Then the
// divisions those shares need, which do not wait on each other. Every sum is added in the order
// a single loop over rows and groups would add it, so the results do not depend on this layout.
BinarySweep::Sums BinarySweep::Sweep(const std::vector<uint32_t>& counts) const {
  thread_local std::vector<double> group_tp, group_fp;  // per group
  thread_local std::vector<double> gain, hits, seen;    // per group with a positive
  group_tp.assign(groups_, 0.0);
  group_fp.assign(groups_, 0.0);
  gain.resize(groups_ + 1);
  hits.resize(groups_ + 1);
  seen.resize(groups_ + 1);

  Sums s;
  double total = 0, loss = 0, squared = 0;
  const size_t n = weight_.size();
  for (size_t k = 0; k < n; ++k) {
    const double w = weight_[k] * counts[k];
    const double wp = w * positive_[k];
    total += w;
    loss += w * log_loss_[k];
    squared += w * squared_[k];
    group_tp[group_[k]] += wp;
    group_fp[group_[k]] += w - wp;
  }

  double tp = 0, fp = 0, auc = 0;
  size_t j = 0;
  const auto groups = [&](size_t begin, size_t end) {
    for (size_t g = begin; g < end; ++g) {
      const double tp_new = tp + group_tp[g], fp_new = fp + group_fp[g];
      auc += group_fp[g] * (tp + tp_new) / 2;
      gain[j] = group_tp[g];
      hits[j] = tp_new;
      seen[j] = tp_new + fp_new;
      j += group_has_positive_[g];
      tp = tp_new;
      fp = fp_new;
    }
  };
  groups(0, predicted_groups_);
  s.tp_at = tp;
  s.fp_at = fp;
  groups(predicted_groups_, groups_);

  double ap = 0;
  for (size_t i = 0; i < j; ++i) {
    // A group whose positives were drawn zero times adds nothing (and 0 / 0 is avoided).
    const double precision = hits[i] / std::max(seen[i], std::numeric_limits<double>::min());
    ap += gain[i] > 0 ? gain[i] * precision : 0.0;
  }
  s.tp = tp;
  s.fp = fp;
  s.auc = auc;
  s.ap = ap;
  s.total = total;
  s.loss = loss;
  s.squared = squared;
  return s;
}

size_t BinarySweep::PredictedAt(double threshold) const {
  // Scores descend, so the rows at or above the threshold are a prefix.
  return static_cast<size_t>(
      std::partition_point(sorted_scores_.begin(), sorted_scores_.end(),
                           [&](double score) { return score >= threshold; }) -
      sorted_scores_.begin());
}

bool BinarySweep::Compute(const std::vector<uint32_t>& counts,
                          std::map<std::string, double>* out) const {
  return Metrics(Sweep(counts), out);
}

bool BinarySweep::Metrics(const Sums& sums, std::map<std::string, double>* out) {
  const double tp_at = sums.tp_at, fp_at = sums.fp_at, total = sums.total;
  const double auc = sums.auc, ap = sums.ap, loss = sums.loss, squared = sums.squared;
  const double tp = sums.tp, fp = sums.fp;
  const double positives = tp, negatives = fp;
  if (!(positives > 0) || !(negatives > 0)) return false;

  const double fn_at = positives - tp_at, tn_at = negatives - fp_at;
  const double precision1 = Divide(tp_at, tp_at + fp_at), recall1 = tp_at / positives;
  const double precision0 = Divide(tn_at, tn_at + fn_at), recall0 = tn_at / negatives;
  const double f1_1 = F1(precision1, recall1), f1_0 = F1(precision0, recall0);
  const double accuracy = (tp_at + tn_at) / total;
  const double share1 = positives / total, share0 = negatives / total;
  const double mcc_denominator =
      std::sqrt((tp_at + fp_at) * (tp_at + fn_at) * (tn_at + fp_at) * (tn_at + fn_at));

  std::map<std::string, double>& m = *out;
  m["roc_auc"] = auc / (positives * negatives);
  m["pr_auc"] = ap / positives;
  m["log_loss"] = loss / total;
  m["brier"] = squared / total;
  m["accuracy"] = accuracy;
  m["balanced_accuracy"] = (recall0 + recall1) / 2;
  m["precision"] = precision1;
  m["recall"] = recall1;
  m["f1"] = f1_1;
  m["mcc"] = Divide(tp_at * tn_at - fp_at * fn_at, mcc_denominator);
  m["macro_f1"] = (f1_0 + f1_1) / 2;
  m["micro_f1"] = accuracy;
  m["weighted_f1"] = share0 * f1_0 + share1 * f1_1;
  m["macro_precision"] = (precision0 + precision1) / 2;
  m["micro_precision"] = accuracy;
  m["weighted_precision"] = share0 * precision0 + share1 * precision1;
  m["macro_recall"] = (recall0 + recall1) / 2;
  m["micro_recall"] = accuracy;
  m["weighted_recall"] = share0 * recall0 + share1 * recall1;
  return true;
}

}  // namespace kiln
