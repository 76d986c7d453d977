// The metric registry and the curves. Every formula follows scikit-learn 1.2 step for step (the
// same clipping, the same handling of ties and of zero divisions, the same weighted percentile), so
// that a figure in a Kiln report equals the one a data scientist gets from sklearn on the same
// predictions; tests/evaluate/metrics_test.cc checks this against sklearn itself.
#include "evaluate/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace kiln {
namespace {

using MetricFn = Result<double> (*)(const Predictions&, const MetricParams&);

double Weight(const Predictions& p, size_t row) {
  return p.weights.empty() ? 1.0 : p.weights[row];
}

size_t TruthClass(const Predictions& p, size_t row) {
  return static_cast<size_t>(p.truth[row]);
}

// Weighted mean of `values` (np.average with weights).
double WeightedMean(const Predictions& p, const std::vector<double>& values) {
  double sum = 0, total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += Weight(p, i) * values[i];
    total += Weight(p, i);
  }
  return sum / total;
}

std::string ClassName(const Predictions& p, size_t c) {
  return c < p.labels.size() ? p.labels[c] : std::to_string(c);
}

// Binary: score >= threshold. Multiclass: the first class of highest probability (np.argmax).
std::vector<size_t> PredictedClasses(const Predictions& p) {
  std::vector<size_t> predicted(p.rows());
  for (size_t i = 0; i < p.rows(); ++i) {
    if (p.task == TaskType::kBinary) {
      predicted[i] = p.scores[i] >= p.threshold ? 1 : 0;
      continue;
    }
    const double* row = &p.scores[i * p.classes];
    predicted[i] = static_cast<size_t>(std::max_element(row, row + p.classes) - row);
  }
  return predicted;
}

// sklearn takes its label set from the rows (unique_labels of truth and prediction), whatever
// their weight, so a class that appears nowhere does not enter macro averages.
std::vector<bool> PresentClasses(const Predictions& p, const std::vector<size_t>& predicted) {
  std::vector<bool> present(p.classes, false);
  for (size_t i = 0; i < p.rows(); ++i) {
    present[TruthClass(p, i)] = true;
    present[predicted[i]] = true;
  }
  return present;
}

// ----- Counting metrics -----------------------------------------------------------------------

Result<double> Accuracy(const Predictions& p, const MetricParams&) {
  const std::vector<size_t> predicted = PredictedClasses(p);
  std::vector<double> hits(p.rows());
  for (size_t i = 0; i < p.rows(); ++i) hits[i] = predicted[i] == TruthClass(p, i) ? 1 : 0;
  return WeightedMean(p, hits);
}

// Mean recall over the classes that carry truth weight; sklearn drops the others (NaN) with a
// warning.
Result<double> BalancedAccuracy(const Predictions& p, const MetricParams&) {
  const std::vector<std::vector<double>> cm = ConfusionMatrix(p);
  double sum = 0;
  int classes = 0;
  for (size_t c = 0; c < cm.size(); ++c) {
    const double row = std::accumulate(cm[c].begin(), cm[c].end(), 0.0);
    if (row == 0) continue;
    sum += cm[c][c] / row;
    ++classes;
  }
  return sum / classes;
}

Result<double> Mcc(const Predictions& p, const MetricParams&) {
  const std::vector<std::vector<double>> cm = ConfusionMatrix(p);
  const size_t k = cm.size();
  std::vector<double> t_sum(k, 0), p_sum(k, 0);
  double correct = 0;
  for (size_t r = 0; r < k; ++r) {
    for (size_t c = 0; c < k; ++c) {
      t_sum[r] += cm[r][c];
      p_sum[c] += cm[r][c];
    }
    correct += cm[r][r];
  }
  const double n = std::accumulate(p_sum.begin(), p_sum.end(), 0.0);
  const double cov_tp =
      correct * n - std::inner_product(t_sum.begin(), t_sum.end(), p_sum.begin(), 0.0);
  const double cov_pp = n * n - std::inner_product(p_sum.begin(), p_sum.end(), p_sum.begin(), 0.0);
  const double cov_tt = n * n - std::inner_product(t_sum.begin(), t_sum.end(), t_sum.begin(), 0.0);
  // sklearn's value when either side is constant.
  if (cov_pp * cov_tt == 0) return 0.0;
  return cov_tp / std::sqrt(cov_tt * cov_pp);
}

enum class Average { kBinary, kMacro, kMicro, kWeighted };
enum class Score { kPrecision, kRecall, kF };

// A zero denominator gives 0: sklearn's value under its default zero_division="warn" (precision
// with nothing predicted positive, recall with no positive in the truth).
double Divide(double numerator, double denominator) {
  return denominator == 0 ? 0.0 : numerator / denominator;
}

double FScore(double precision, double recall, double beta) {
  const double beta2 = beta * beta;
  double denom = beta2 * precision + recall;
  if (denom == 0) denom = 1;
  return (1 + beta2) * precision * recall / denom;
}

// precision_recall_fscore_support: per-class weighted counts, then the requested average.
double Prf(const Predictions& p, Average average, Score score, double beta) {
  const std::vector<std::vector<double>> cm = ConfusionMatrix(p);
  const std::vector<bool> present = PresentClasses(p, PredictedClasses(p));
  std::vector<double> tp, pred, truth;
  for (size_t c = 0; c < p.classes; ++c) {
    if (average == Average::kBinary ? c != 1 : !present[c]) continue;
    double predicted = 0, actual = 0;
    for (size_t o = 0; o < p.classes; ++o) {
      predicted += cm[o][c];
      actual += cm[c][o];
    }
    tp.push_back(cm[c][c]);
    pred.push_back(predicted);
    truth.push_back(actual);
  }
  if (average == Average::kMicro) {
    tp = {std::accumulate(tp.begin(), tp.end(), 0.0)};
    pred = {std::accumulate(pred.begin(), pred.end(), 0.0)};
    truth = {std::accumulate(truth.begin(), truth.end(), 0.0)};
  }

  std::vector<double> values(tp.size());
  for (size_t i = 0; i < tp.size(); ++i) {
    const double precision = Divide(tp[i], pred[i]);
    const double recall = Divide(tp[i], truth[i]);
    values[i] = score == Score::kPrecision ? precision
                : score == Score::kRecall  ? recall
                                           : FScore(precision, recall, beta);
  }

  double sum = 0, total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double w = average == Average::kWeighted ? truth[i] : 1.0;
    sum += w * values[i];
    total += w;
  }
  return sum / total;
}

template <Average kAverage, Score kScore>
Result<double> PrfMetric(const Predictions& p, const MetricParams&) {
  return Prf(p, kAverage, kScore, 1.0);
}

Result<double> FBeta(const Predictions& p, const MetricParams& params) {
  if (!(params.beta >= 0)) {
    return MakeError(ErrorCode::kUsage, "f_beta needs beta >= 0, got {}", params.beta);
  }
  return Prf(p, Average::kBinary, Score::kF, params.beta);
}

// sklearn ranks classes by a stable ascending sort read backwards, so among tied probabilities
// the higher class index ranks first.
Result<double> TopKAccuracy(const Predictions& p, const MetricParams& params) {
  if (params.k < 1) {
    return MakeError(ErrorCode::kUsage, "top_k_accuracy needs k >= 1, got {}", params.k);
  }
  std::vector<double> hits(p.rows());
  for (size_t i = 0; i < p.rows(); ++i) {
    const double* row = &p.scores[i * p.classes];
    const size_t t = TruthClass(p, i);
    size_t ahead = 0;
    for (size_t c = 0; c < p.classes; ++c) {
      if (row[c] > row[t] || (row[c] == row[t] && c > t)) ++ahead;
    }
    hits[i] = ahead < static_cast<size_t>(params.k) ? 1 : 0;
  }
  return WeightedMean(p, hits);
}

// ----- Probability metrics --------------------------------------------------------------------

// sklearn clips probabilities to [eps, 1 - eps] with eps the float64 machine epsilon, then
// renormalises each row, so that a confident mistake costs about 36 rather than infinity.
Result<double> LogLoss(const Predictions& p, const MetricParams&) {
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  const size_t width = p.task == TaskType::kBinary ? 1 : p.classes;
  std::vector<double> loss(p.rows()), clipped(p.classes);
  for (size_t i = 0; i < p.rows(); ++i) {
    if (p.task == TaskType::kBinary) {
      const double q = std::clamp(p.scores[i], kEps, 1 - kEps);
      clipped = {1 - q, q};
    } else {
      for (size_t c = 0; c < p.classes; ++c) {
        clipped[c] = std::clamp(p.scores[i * width + c], kEps, 1 - kEps);
      }
    }
    const double sum = std::accumulate(clipped.begin(), clipped.end(), 0.0);
    loss[i] = -std::log(clipped[TruthClass(p, i)] / sum);
  }
  return WeightedMean(p, loss);
}

Status CheckProbabilities(const Predictions& p, std::string_view metric) {
  for (size_t i = 0; i < p.rows(); ++i) {
    if (p.scores[i] < 0 || p.scores[i] > 1) {
      return MakeError(ErrorCode::kData, "{} needs probabilities in [0, 1], but row {} scores {}",
                       metric, i, p.scores[i]);
    }
  }
  return Status::Ok();
}

Result<double> Brier(const Predictions& p, const MetricParams&) {
  KILN_RETURN_IF_ERROR(CheckProbabilities(p, "brier"));
  std::vector<double> squared(p.rows());
  for (size_t i = 0; i < p.rows(); ++i) {
    const double d = p.truth[i] - p.scores[i];
    squared[i] = d * d;
  }
  return WeightedMean(p, squared);
}

// ----- Ranking metrics ------------------------------------------------------------------------

// Cumulative weighted false and true positives at each distinct score, highest first
// (sklearn's _binary_clf_curve). Rows of zero weight are dropped first, as sklearn does.
struct ClfCurve {
  std::vector<double> fps, tps, thresholds;
};

ClfCurve BinaryClfCurve(const std::vector<bool>& positive, const std::vector<double>& score,
                        const std::vector<double>& weights) {
  std::vector<size_t> order;
  for (size_t i = 0; i < score.size(); ++i) {
    if (weights.empty() || weights[i] != 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return score[a] > score[b]; });

  ClfCurve curve;
  double tp = 0, fp = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    const double w = weights.empty() ? 1.0 : weights[i];
    (positive[i] ? tp : fp) += w;
    if (k + 1 < order.size() && score[order[k + 1]] == score[i]) continue;
    curve.tps.push_back(tp);
    curve.fps.push_back(fp);
    curve.thresholds.push_back(score[i]);
  }
  return curve;
}

// Keeps the corners of the curve: a point is dropped when both counts change linearly through it.
void DropCollinear(ClfCurve& c) {
  if (c.fps.size() <= 2) return;
  auto second_difference = [](const std::vector<double>& x, size_t i) {
    return (x[i + 1] - x[i]) - (x[i] - x[i - 1]);
  };
  ClfCurve kept;
  for (size_t i = 0; i < c.fps.size(); ++i) {
    const bool corner = i == 0 || i + 1 == c.fps.size() || second_difference(c.fps, i) != 0 ||
                        second_difference(c.tps, i) != 0;
    if (!corner) continue;
    kept.fps.push_back(c.fps[i]);
    kept.tps.push_back(c.tps[i]);
    kept.thresholds.push_back(c.thresholds[i]);
  }
  c = std::move(kept);
}

// sklearn roc_curve(drop_intermediate=True).
Result<Curve> RocFromScores(const std::vector<bool>& positive, const std::vector<double>& score,
                            const std::vector<double>& weights) {
  ClfCurve c = BinaryClfCurve(positive, score, weights);
  DropCollinear(c);
  if (c.fps.empty() || c.fps.back() <= 0 || c.tps.back() <= 0) {
    return MakeError(ErrorCode::kData,
                     "the ROC curve is undefined: the rows of positive weight hold only one class");
  }
  Curve roc;
  roc.x.push_back(0);
  roc.y.push_back(0);
  roc.thresholds.push_back(c.thresholds[0] + 1);
  for (size_t i = 0; i < c.fps.size(); ++i) {
    roc.x.push_back(c.fps[i] / c.fps.back());
    roc.y.push_back(c.tps[i] / c.tps.back());
    roc.thresholds.push_back(c.thresholds[i]);
  }
  return roc;
}

double Trapezoid(const std::vector<double>& x, const std::vector<double>& y) {
  double area = 0;
  for (size_t i = 1; i < x.size(); ++i) area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2.0;
  return area;
}

std::vector<bool> IsClass(const Predictions& p, size_t c) {
  std::vector<bool> is(p.rows());
  for (size_t i = 0; i < p.rows(); ++i) is[i] = TruthClass(p, i) == c;
  return is;
}

Status CheckBothClassesPresent(const Predictions& p) {
  size_t positives = 0;
  for (size_t i = 0; i < p.rows(); ++i) positives += TruthClass(p, i) == 1 ? 1u : 0u;
  if (positives != 0 && positives != p.rows()) return Status::Ok();
  return MakeError(ErrorCode::kData,
                   "ROC AUC is undefined when only one class is present in the truth ({} rows, all "
                   "class {}); evaluate on rows that hold both classes",
                   p.rows(), ClassName(p, positives == 0 ? 0 : 1));
}

// Binary: the area under sklearn's ROC curve (trapezoids between distinct thresholds, so ties
// count one half). Multiclass: one-vs-rest, the unweighted mean over classes (sklearn
// roc_auc_score(multi_class="ovr", average="macro")).
Result<double> RocAuc(const Predictions& p, const MetricParams&) {
  if (p.task == TaskType::kBinary) {
    KILN_RETURN_IF_ERROR(CheckBothClassesPresent(p));
    KILN_ASSIGN_OR_RETURN(Curve roc, RocFromScores(IsClass(p, 1), p.scores, p.weights));
    return Trapezoid(roc.x, roc.y);
  }

  for (size_t i = 0; i < p.rows(); ++i) {
    const double* row = &p.scores[i * p.classes];
    const double sum = std::accumulate(row, row + p.classes, 0.0);
    if (std::abs(sum - 1) > 1e-8 + 1e-5) {
      return MakeError(
          ErrorCode::kData,
          "one-vs-rest ROC AUC needs probabilities summing to 1, but row {} sums to {}", i, sum);
    }
  }
  double total = 0;
  std::vector<double> column(p.rows());
  for (size_t c = 0; c < p.classes; ++c) {
    const std::vector<bool> positive = IsClass(p, c);
    const size_t count = static_cast<size_t>(std::count(positive.begin(), positive.end(), true));
    if (count == 0 || count == p.rows()) {
      return MakeError(ErrorCode::kData,
                       "one-vs-rest ROC AUC is undefined when class {} is {} the truth ({} rows); "
                       "evaluate on rows that hold every class",
                       ClassName(p, c), count == 0 ? "absent from" : "all of", p.rows());
    }
    for (size_t i = 0; i < p.rows(); ++i) column[i] = p.scores[i * p.classes + c];
    KILN_ASSIGN_OR_RETURN(Curve roc, RocFromScores(positive, column, p.weights));
    total += Trapezoid(roc.x, roc.y);
  }
  return total / static_cast<double>(p.classes);
}

// Average precision is the step sum over sklearn's precision-recall curve. With no positive in
// the truth sklearn sets every recall to 1 and returns 0 with a warning; so does Kiln.
Result<double> AveragePrecision(const Predictions& p, const MetricParams&) {
  KILN_ASSIGN_OR_RETURN(Curve pr, PrecisionRecallCurve(p));
  double sum = 0;
  for (size_t i = 1; i < pr.x.size(); ++i) sum += (pr.x[i] - pr.x[i - 1]) * pr.y[i - 1];
  return -sum;
}

// ----- Regression metrics ---------------------------------------------------------------------

std::vector<double> Residuals(const Predictions& p) {
  std::vector<double> r(p.rows());
  for (size_t i = 0; i < p.rows(); ++i) r[i] = p.truth[i] - p.scores[i];
  return r;
}

Result<double> Mse(const Predictions& p, const MetricParams&) {
  std::vector<double> squared = Residuals(p);
  for (double& r : squared) r *= r;
  return WeightedMean(p, squared);
}

Result<double> Rmse(const Predictions& p, const MetricParams& params) {
  KILN_ASSIGN_OR_RETURN(double mse, Mse(p, params));
  return std::sqrt(mse);
}

Result<double> Mae(const Predictions& p, const MetricParams&) {
  std::vector<double> absolute = Residuals(p);
  for (double& r : absolute) r = std::abs(r);
  return WeightedMean(p, absolute);
}

// Relative to max(|truth|, machine epsilon), as sklearn does: a zero truth gives a huge but finite
// error rather than a division by zero.
Result<double> Mape(const Predictions& p, const MetricParams&) {
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  std::vector<double> relative(p.rows());
  for (size_t i = 0; i < p.rows(); ++i) {
    relative[i] = std::abs(p.scores[i] - p.truth[i]) / std::max(std::abs(p.truth[i]), kEps);
  }
  return WeightedMean(p, relative);
}

// sklearn's force_finite convention: a constant truth gives 1 when predicted exactly, else 0.
// sklearn returns NaN for fewer than two rows; Kiln says why instead.
Result<double> R2(const Predictions& p, const MetricParams&) {
  if (p.rows() < 2) {
    return MakeError(ErrorCode::kData, "r2 is undefined on fewer than 2 rows (got {})", p.rows());
  }
  const double mean = WeightedMean(p, p.truth);
  double numerator = 0, denominator = 0;
  for (size_t i = 0; i < p.rows(); ++i) {
    const double r = p.truth[i] - p.scores[i], d = p.truth[i] - mean;
    numerator += Weight(p, i) * r * r;
    denominator += Weight(p, i) * d * d;
  }
  if (denominator == 0) return numerator == 0 ? 1.0 : 0.0;
  return 1 - numerator / denominator;
}

// Unweighted: the median (mean of the middle two for an even count). Weighted: sklearn's lower
// weighted percentile, the first sorted value whose cumulative weight reaches half the total.
Result<double> MedianAe(const Predictions& p, const MetricParams&) {
  std::vector<double> absolute = Residuals(p);
  for (double& r : absolute) r = std::abs(r);
  const size_t n = absolute.size();
  if (p.weights.empty()) {
    std::sort(absolute.begin(), absolute.end());
    return n % 2 == 1 ? absolute[n / 2] : (absolute[n / 2 - 1] + absolute[n / 2]) / 2;
  }

  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return absolute[a] < absolute[b]; });
  std::vector<double> cdf(n);
  double running = 0;
  for (size_t k = 0; k < n; ++k) cdf[k] = running += p.weights[order[k]];
  double target = 0.5 * cdf.back();
  if (target == 0) target = std::nextafter(target, 1.0);
  const size_t k =
      static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), target) - cdf.begin());
  return absolute[order[std::min(k, n - 1)]];
}

// ----- The registry ---------------------------------------------------------------------------

constexpr MetricDirection kHigher = MetricDirection::kHigherIsBetter;
constexpr MetricDirection kLower = MetricDirection::kLowerIsBetter;

struct MetricDef {
  std::string_view name;
  MetricDirection direction;
  bool binary;
  bool multiclass;
  bool regression;
  bool listed;  // in MetricNamesFor and ComputeAllMetrics; aliases and f_beta are not
  MetricFn compute;
};

// Display order within each task.
constexpr MetricDef kRegistry[] = {
    // name, direction, binary, multiclass, regression, listed, compute
    {"roc_auc", kHigher, true, true, false, true, RocAuc},
    {"pr_auc", kHigher, true, false, false, true, AveragePrecision},
    {"average_precision", kHigher, true, false, false, false, AveragePrecision},
    {"log_loss", kLower, true, true, false, true, LogLoss},
    {"brier", kLower, true, false, false, true, Brier},
    {"accuracy", kHigher, true, true, false, true, Accuracy},
    {"balanced_accuracy", kHigher, true, true, false, true, BalancedAccuracy},
    {"top_k_accuracy", kHigher, false, true, false, true, TopKAccuracy},
    {"precision", kHigher, true, false, false, true,
     PrfMetric<Average::kBinary, Score::kPrecision>},
    {"recall", kHigher, true, false, false, true, PrfMetric<Average::kBinary, Score::kRecall>},
    {"f1", kHigher, true, false, false, true, PrfMetric<Average::kBinary, Score::kF>},
    {"f_beta", kHigher, true, false, false, false, FBeta},
    {"mcc", kHigher, true, true, false, true, Mcc},
    {"macro_f1", kHigher, true, true, false, true, PrfMetric<Average::kMacro, Score::kF>},
    {"micro_f1", kHigher, true, true, false, true, PrfMetric<Average::kMicro, Score::kF>},
    {"weighted_f1", kHigher, true, true, false, true, PrfMetric<Average::kWeighted, Score::kF>},
    {"macro_precision", kHigher, true, true, false, true,
     PrfMetric<Average::kMacro, Score::kPrecision>},
    {"micro_precision", kHigher, true, true, false, true,
     PrfMetric<Average::kMicro, Score::kPrecision>},
    {"weighted_precision", kHigher, true, true, false, true,
     PrfMetric<Average::kWeighted, Score::kPrecision>},
    {"macro_recall", kHigher, true, true, false, true, PrfMetric<Average::kMacro, Score::kRecall>},
    {"micro_recall", kHigher, true, true, false, true, PrfMetric<Average::kMicro, Score::kRecall>},
    {"weighted_recall", kHigher, true, true, false, true,
     PrfMetric<Average::kWeighted, Score::kRecall>},
    {"rmse", kLower, false, false, true, true, Rmse},
    {"mse", kLower, false, false, true, true, Mse},
    {"mae", kLower, false, false, true, true, Mae},
    {"mape", kLower, false, false, true, true, Mape},
    {"r2", kHigher, false, false, true, true, R2},
    {"median_ae", kLower, false, false, true, true, MedianAe},
};

const MetricDef* FindDef(std::string_view name) {
  for (const MetricDef& def : kRegistry) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

bool Applies(const MetricDef& def, TaskType task) {
  switch (task) {
    case TaskType::kBinary:
      return def.binary;
    case TaskType::kMulticlass:
      return def.multiclass;
    case TaskType::kRegression:
      return def.regression;
  }
  return false;
}

std::string NamesFor(TaskType task) {
  std::string names;
  for (const MetricDef& def : kRegistry) {
    if (!Applies(def, task)) continue;
    if (!names.empty()) names += ", ";
    names += def.name;
  }
  return names;
}

Status CheckBinary(const Predictions& p, std::string_view what) {
  if (p.task == TaskType::kBinary) return Status::Ok();
  return MakeError(ErrorCode::kUsage, "{} needs a binary task, got {}", what, TaskTypeName(p.task));
}

}  // namespace

Status ValidatePredictions(const Predictions& p) {
  const size_t n = p.rows();
  if (n == 0) return MakeError(ErrorCode::kData, "there are no predictions to evaluate (0 rows)");
  const bool classification = p.task != TaskType::kRegression;
  if (classification && p.classes < 2) {
    return MakeError(ErrorCode::kUsage, "a classification task needs at least 2 classes, got {}",
                     p.classes);
  }
  if (p.task == TaskType::kBinary && p.classes != 2) {
    return MakeError(ErrorCode::kUsage, "a binary task has 2 classes, got {}", p.classes);
  }
  const size_t width = p.task == TaskType::kMulticlass ? p.classes : 1;
  if (p.scores.size() != n * width) {
    return MakeError(ErrorCode::kUsage, "expected {} scores ({} rows x {} per row), got {}",
                     n * width, n, width, p.scores.size());
  }
  if (!p.weights.empty() && p.weights.size() != n) {
    return MakeError(ErrorCode::kUsage, "expected {} weights, one per row, got {}", n,
                     p.weights.size());
  }

  for (size_t i = 0; i < n; ++i) {
    const double t = p.truth[i];
    const bool class_index = t >= 0 && t < static_cast<double>(p.classes) && t == std::floor(t);
    if (!std::isfinite(t) || (classification && !class_index)) {
      return MakeError(ErrorCode::kData, "the truth of row {} is {}, not {}", i, t,
                       classification ? fmt::format("a class index in 0..{}", p.classes - 1)
                                      : std::string("a finite number"));
    }
  }
  for (size_t i = 0; i < p.scores.size(); ++i) {
    if (!std::isfinite(p.scores[i])) {
      return MakeError(ErrorCode::kData, "score {} of row {} is {}, not a finite number", i % width,
                       i / width, p.scores[i]);
    }
  }
  double total = 0;
  for (size_t i = 0; i < p.weights.size(); ++i) {
    if (!std::isfinite(p.weights[i]) || p.weights[i] < 0) {
      return MakeError(ErrorCode::kData,
                       "the weight of row {} is {}; weights must be finite and "
                       ">= 0",
                       i, p.weights[i]);
    }
    total += p.weights[i];
  }
  if (!p.weights.empty() && total <= 0) {
    return MakeError(ErrorCode::kData, "the weights of all {} rows are zero", n);
  }
  return Status::Ok();
}

Result<double> ComputeMetric(std::string_view name, const Predictions& p,
                             const MetricParams& params) {
  const MetricDef* def = FindDef(name);
  if (def == nullptr) {
    return MakeError(ErrorCode::kUsage, "unknown metric '{}'; metrics for a {} task are {}", name,
                     TaskTypeName(p.task), NamesFor(p.task));
  }
  if (!Applies(*def, p.task)) {
    return MakeError(ErrorCode::kUsage, "metric '{}' does not apply to a {} task; use one of {}",
                     name, TaskTypeName(p.task), NamesFor(p.task));
  }
  KILN_RETURN_IF_ERROR(ValidatePredictions(p));
  return def->compute(p, params);
}

std::map<std::string, double> ComputeAllMetrics(const Predictions& p) {
  std::map<std::string, double> values;
  // Checked once here rather than once per metric, as ComputeMetric does: every metric would
  // refuse predictions that fail the check.
  if (!ValidatePredictions(p).ok()) return values;
  MetricParams params;
  params.k = kReportTopK;
  for (const MetricDef& def : kRegistry) {
    if (!def.listed || !Applies(def, p.task)) continue;
    Result<double> value = def.compute(p, params);
    if (value.ok()) values[std::string(def.name)] = *value;
  }
  return values;
}

std::vector<std::string> MetricNamesFor(TaskType task) {
  std::vector<std::string> names;
  for (const MetricDef& def : kRegistry) {
    if (def.listed && Applies(def, task)) names.emplace_back(def.name);
  }
  return names;
}

std::optional<MetricDirection> DirectionOf(std::string_view name) {
  const MetricDef* def = FindDef(name);
  if (def == nullptr) return std::nullopt;
  return def->direction;
}

Result<Curve> RocCurve(const Predictions& p) {
  KILN_RETURN_IF_ERROR(CheckBinary(p, "the ROC curve"));
  KILN_RETURN_IF_ERROR(ValidatePredictions(p));
  KILN_RETURN_IF_ERROR(CheckBothClassesPresent(p));
  return RocFromScores(IsClass(p, 1), p.scores, p.weights);
}

// Thresholds ascend; the last point (recall 0, precision 1) has no threshold, as in sklearn.
Result<Curve> PrecisionRecallCurve(const Predictions& p) {
  KILN_RETURN_IF_ERROR(CheckBinary(p, "the precision-recall curve"));
  KILN_RETURN_IF_ERROR(ValidatePredictions(p));
  const ClfCurve c = BinaryClfCurve(IsClass(p, 1), p.scores, p.weights);
  Curve pr;
  const double positives = c.tps.back();
  for (size_t k = c.tps.size(); k-- > 0;) {
    pr.x.push_back(positives == 0 ? 1.0 : c.tps[k] / positives);
    pr.y.push_back(Divide(c.tps[k], c.tps[k] + c.fps[k]));
    pr.thresholds.push_back(c.thresholds[k]);
  }
  pr.x.push_back(0);
  pr.y.push_back(1);
  return pr;
}

// sklearn's uniform bins: edges i * (1 / bins), a score on an inner edge falls in the lower bin.
Result<Calibration> CalibrationCurve(const Predictions& p, int bins) {
  KILN_RETURN_IF_ERROR(CheckBinary(p, "the calibration curve"));
  if (bins < 1) return MakeError(ErrorCode::kUsage, "calibration needs bins >= 1, got {}", bins);
  KILN_RETURN_IF_ERROR(ValidatePredictions(p));
  KILN_RETURN_IF_ERROR(CheckProbabilities(p, "the calibration curve"));

  const size_t count = static_cast<size_t>(bins);
  const double step = 1.0 / static_cast<double>(count);
  std::vector<double> edges(count - 1);
  for (size_t e = 0; e + 1 < count; ++e) edges[e] = static_cast<double>(e + 1) * step;
  std::vector<double> weight(count, 0), score_sum(count, 0), positive_sum(count, 0);
  double total = 0;
  for (size_t i = 0; i < p.rows(); ++i) {
    const size_t b = static_cast<size_t>(std::lower_bound(edges.begin(), edges.end(), p.scores[i]) -
                                         edges.begin());
    const double w = Weight(p, i);
    weight[b] += w;
    score_sum[b] += w * p.scores[i];
    positive_sum[b] += w * p.truth[i];
    total += w;
  }

  Calibration cal;
  for (size_t b = 0; b < count; ++b) {
    if (weight[b] == 0) continue;
    cal.mean_predicted.push_back(score_sum[b] / weight[b]);
    cal.fraction_positive.push_back(positive_sum[b] / weight[b]);
    cal.counts.push_back(weight[b]);
    cal.ece +=
        weight[b] / total * std::abs(cal.fraction_positive.back() - cal.mean_predicted.back());
  }
  return cal;
}

std::vector<std::vector<double>> ConfusionMatrix(const Predictions& p) {
  if (p.task == TaskType::kRegression || !ValidatePredictions(p).ok()) return {};
  std::vector<std::vector<double>> cm(p.classes, std::vector<double>(p.classes, 0));
  const std::vector<size_t> predicted = PredictedClasses(p);
  for (size_t i = 0; i < p.rows(); ++i) cm[TruthClass(p, i)][predicted[i]] += Weight(p, i);
  return cm;
}

}  // namespace kiln
