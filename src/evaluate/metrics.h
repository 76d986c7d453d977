// Model-quality metrics, each defined exactly as scikit-learn defines it (weights included), held
// in one registry by the names kiln.yaml uses. Also the curves and summaries the evaluation report
// draws: ROC, precision-recall, calibration with expected calibration error, confusion matrices.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

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

// Every metric that applies to the task, by name; undefined ones are left out.
std::map<std::string, double> ComputeAllMetrics(const Predictions& p);

// The names of the metrics that apply to `task`, in display order.
std::vector<std::string> MetricNamesFor(TaskType task);

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
