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
  closes_.resize(n);
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
    closes_[k] = k + 1 == n || p.scores[order[k + 1]] != p.scores[i];
    // Sorted by descending score, the rows predicted positive are a prefix.
    if (p.scores[i] >= p.threshold) predicted_ = k + 1;
  }
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

bool BinarySweep::Compute(const std::vector<uint32_t>& counts,
                          std::map<std::string, double>* out) const {
  double tp = 0, fp = 0;        // running, over groups above the current one
  double tp_at = 0, fp_at = 0;  // predicted positive at the threshold
  double total = 0, loss = 0, squared = 0;
  double auc = 0, ap = 0;
  double group_tp = 0, group_fp = 0;
  const size_t n = weight_.size();
  for (size_t k = 0; k < n; ++k) {
    const double w = weight_[k] * counts[k];
    const double wp = w * positive_[k];
    total += w;
    loss += w * log_loss_[k];
    squared += w * squared_[k];
    group_tp += wp;
    group_fp += w - wp;
    if (closes_[k] != 0) {
      const double tp_new = tp + group_tp, fp_new = fp + group_fp;
      auc += group_fp * (tp + tp_new) / 2;
      if (group_tp > 0) ap += group_tp * (tp_new / (tp_new + fp_new));
      tp = tp_new;
      fp = fp_new;
      group_tp = group_fp = 0;
      // Equal scores fall on the same side of the threshold, so the prefix ends at a group.
      if (k + 1 == predicted_) {
        tp_at = tp;
        fp_at = fp;
      }
    }
  }
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
