// Model-quality metrics, each defined exactly as scikit-learn defines it (weights included), held
// in one registry by the names kiln.yaml uses. Also the curves and summaries the evaluation report
// draws: ROC, precision-recall, calibration with expected calibration error, confusion matrices.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "evaluate/predictions.h"

namespace kiln {

// Metric parameters that some metrics take. `k` is top_k_accuracy's k; `beta` is f_beta's beta.
struct MetricParams {
  int k = 0;
  double beta = 1;
};

// Computes one metric by name ("roc_auc", "log_loss", "rmse", ... every name core/config's
// KnownMetrics lists, plus "f_beta", "average_precision" (= pr_auc), "top_k_accuracy").
// kUsage for an unknown name or one that does not apply to the task; kData when the metric is
// undefined on these predictions (e.g. ROC AUC with one class present), saying so.
Result<double> ComputeMetric(std::string_view name, const Predictions& p,
                             const MetricParams& params = {});

// Every metric that applies to the task, by name; undefined ones are left out. top_k_accuracy is
// computed at k = kReportTopK, kiln.yaml's default. Aliases ("average_precision") and the
// parameterised f_beta are not included.
std::map<std::string, double> ComputeAllMetrics(const Predictions& p);
inline constexpr int kReportTopK = 2;

// The names of the metrics that apply to `task`, in display order (those ComputeAllMetrics gives).
std::vector<std::string> MetricNamesFor(TaskType task);

// Which way is better for a registered metric; nullopt for an unknown name. Agrees with
// core/config's FindMetric for every name both know.
std::optional<MetricDirection> DirectionOf(std::string_view name);

// kUsage when the shapes disagree (scores per row, weights, classes); kData when a value breaks the
// contract of predictions.h (a non-finite score, a truth that is not a class index, a negative
// weight, no rows, or weights summing to zero). Every function here checks this first.
Status ValidatePredictions(const Predictions& p);

struct Curve {
  std::vector<double> x, y, thresholds;
};
Result<Curve> RocCurve(const Predictions& p);              // x = FPR, y = TPR (sklearn roc_curve)
Result<Curve> PrecisionRecallCurve(const Predictions& p);  // x = recall, y = precision

struct Calibration {
  std::vector<double> mean_predicted, fraction_positive;  // per non-empty bin
  std::vector<double> counts;                             // weight per non-empty bin
  double ece = 0;  // expected calibration error over `bins` equal-width bins
};
Result<Calibration> CalibrationCurve(const Predictions& p, int bins = 10);

// Rows = true class, columns = predicted class (sklearn confusion_matrix), weighted.
std::vector<std::vector<double>> ConfusionMatrix(const Predictions& p);

}  // namespace kiln
