// Chart.js configurations for the evaluation report. Every chart is drawn without animation so
// that it is complete as soon as its constructor returns, which is when the page counts it.
#include "report/evaluation_charts.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "report/curve_thinning.h"
#include "report/document.h"
#include "report/html.h"

namespace kiln {
namespace {

using nlohmann::json;

constexpr const char* kBlue = "#2563eb";
constexpr const char* kOrange = "#ea580c";
constexpr const char* kGreen = "#16a34a";
constexpr const char* kGrey = "#9ca3af";
constexpr const char* kRed = "#dc2626";

// Regression documents hold at most 2,000 rows; this only bounds a document that does not.
constexpr std::size_t kMaxScatterPoints = 2000;

struct Curve {
  std::vector<double> x, y;
  std::vector<double> extra;  // a value per point carried along (thresholds), or empty
};

// The finite (x, y) pairs of `points`, in order; `extra` is read from `extra_key` when that array
// has one entry per point. Returns an empty curve when x and y differ in length.
Curve ReadCurve(const json* points, const char* extra_key = nullptr) {
  const std::vector<double> x = NumbersAt(Member(points, "x"));
  const std::vector<double> y = NumbersAt(Member(points, "y"));
  std::vector<double> extra;
  if (extra_key != nullptr) extra = NumbersAt(Member(points, extra_key));

  Curve curve;
  if (x.size() != y.size()) return curve;
  const bool has_extra = extra.size() == x.size();
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
    curve.x.push_back(x[i]);
    curve.y.push_back(y[i]);
    if (has_extra) curve.extra.push_back(extra[i]);
  }
  return curve;
}

Curve Thinned(const Curve& curve) {
  Curve thin;
  for (std::size_t i : ThinCurve(curve.x, curve.y)) {
    thin.x.push_back(curve.x[i]);
    thin.y.push_back(curve.y[i]);
    if (!curve.extra.empty()) thin.extra.push_back(curve.extra[i]);
  }
  return thin;
}

json Points(const std::vector<double>& x, const std::vector<double>& y) {
  json points = json::array();
  for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
    points.push_back({{"x", x[i]}, {"y", y[i]}});
  }
  return points;
}

json Line(const std::string& label, json points, const char* color, bool dashed = false) {
  json line = {{"label", label},           {"data", std::move(points)},
               {"showLine", true},         {"borderColor", color},
               {"backgroundColor", color}, {"borderWidth", 2},
               {"pointRadius", 0},         {"fill", false}};
  if (dashed) {
    line["borderDash"] = {6, 4};
    line["borderWidth"] = 1;
  }
  return line;
}

json Axis(const std::string& title, bool unit_interval) {
  json axis = {{"type", "linear"}, {"title", {{"display", true}, {"text", title}}}};
  if (unit_interval) {
    axis["min"] = 0;
    axis["max"] = 1;
  }
  return axis;
}

json Options(const std::string& title, bool legend) {
  return {{"animation", false},
          {"responsive", true},
          {"maintainAspectRatio", false},
          {"plugins",
           {{"title", {{"display", true}, {"text", title}}}, {"legend", {{"display", legend}}}}}};
}

json ScatterConfig(json datasets, const std::string& title, json x_axis, json y_axis) {
  json options = Options(title, datasets.size() > 1);
  options["scales"] = {{"x", std::move(x_axis)}, {"y", std::move(y_axis)}};
  return {{"type", "scatter"}, {"data", {{"datasets", std::move(datasets)}}}, {"options", options}};
}

json Diagonal(const std::string& label, double from, double to) {
  return Line(label, Points({from, to}, {from, to}), kGrey, /*dashed=*/true);
}

// "ROC curve (roc_auc 0.912)" when the document has the metric, else "ROC curve".
std::string TitleWithMetric(const json& result, const std::string& title,
                            std::initializer_list<const char*> metric_names) {
  for (const char* name : metric_names) {
    const double value = NumberAt(Member(Member(Member(result, "metrics"), name), "value"));
    if (std::isfinite(value)) return fmt::format("{} ({} {})", title, name, FormatNumber(value));
  }
  return title;
}

double ChosenThreshold(const json& result) {
  const double chosen = NumberAt(Member(Member(result, "threshold_choice"), "threshold"));
  return std::isfinite(chosen) ? chosen : NumberAt(Member(result, "threshold"));
}

}  // namespace

std::optional<json> RocChart(const json& result) {
  const Curve roc = ReadCurve(Member(Member(result, "curves"), "roc"));
  if (roc.x.size() < 2) return std::nullopt;

  const Curve thin = Thinned(roc);
  json datasets = {Line("ROC", Points(thin.x, thin.y), kBlue), Diagonal("chance", 0, 1)};
  return ScatterConfig(std::move(datasets), TitleWithMetric(result, "ROC curve", {"roc_auc"}),
                       Axis("False positive rate", true), Axis("True positive rate", true));
}

std::optional<json> PrecisionRecallChart(const json& result) {
  const Curve pr = ReadCurve(Member(Member(result, "curves"), "pr"));
  if (pr.x.size() < 2) return std::nullopt;

  const Curve thin = Thinned(pr);
  // json::array: a braced single json is a copy, not an array, with some compilers.
  json datasets = json::array({Line("precision-recall", Points(thin.x, thin.y), kBlue)});
  const std::string title =
      TitleWithMetric(result, "Precision-recall curve", {"average_precision", "pr_auc"});
  return ScatterConfig(std::move(datasets), title, Axis("Recall", true), Axis("Precision", true));
}

std::optional<json> CalibrationChart(const json& result) {
  const json* calibration = Member(result, "calibration");
  const std::vector<double> predicted = NumbersAt(Member(calibration, "mean_predicted"));
  const std::vector<double> observed = NumbersAt(Member(calibration, "fraction_positive"));
  if (predicted.empty() || predicted.size() != observed.size()) return std::nullopt;

  // Empty bins are written as null; they are skipped rather than drawn at 0.
  Curve curve;
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    if (!std::isfinite(predicted[i]) || !std::isfinite(observed[i])) continue;
    curve.x.push_back(predicted[i]);
    curve.y.push_back(observed[i]);
  }
  if (curve.x.empty()) return std::nullopt;

  json model = Line("model", Points(curve.x, curve.y), kBlue);
  model["pointRadius"] = 3;
  json datasets = {std::move(model), Diagonal("perfectly calibrated", 0, 1)};
  const double ece = NumberAt(Member(calibration, "ece"));
  const std::string title = std::isfinite(ece)
                                ? fmt::format("Calibration (ECE {})", FormatNumber(ece))
                                : std::string("Calibration");
  return ScatterConfig(std::move(datasets), title, Axis("Mean predicted probability", true),
                       Axis("Fraction positive", true));
}

std::optional<json> ThresholdChart(const json& result) {
  const Curve pr = ReadCurve(Member(Member(result, "curves"), "pr"), "thresholds");
  if (pr.extra.empty()) return std::nullopt;

  // The curve is thinned in precision-recall space, where the threshold's effect shows.
  const Curve thin = Thinned(pr);
  std::vector<double> threshold, precision, recall, f1;
  for (std::size_t i = 0; i < thin.extra.size(); ++i) {
    if (!std::isfinite(thin.extra[i])) continue;  // the "predict nothing" point has t = +inf
    threshold.push_back(thin.extra[i]);
    recall.push_back(thin.x[i]);
    precision.push_back(thin.y[i]);
    const double sum = thin.x[i] + thin.y[i];
    f1.push_back(sum > 0 ? 2 * thin.x[i] * thin.y[i] / sum : 0.0);
  }
  if (threshold.size() < 2) return std::nullopt;

  json datasets = {Line("precision", Points(threshold, precision), kBlue),
                   Line("recall", Points(threshold, recall), kOrange),
                   Line("F1", Points(threshold, f1), kGreen)};
  std::string title = "Precision, recall and F1 by threshold";
  const double chosen = ChosenThreshold(result);
  if (std::isfinite(chosen)) {
    datasets.push_back(Line("chosen threshold", Points({chosen, chosen}, {0, 1}), kRed, true));
    title += fmt::format(" (chosen {})", FormatNumber(chosen));
  }
  const auto [lo, hi] = std::minmax_element(threshold.begin(), threshold.end());
  json x_axis = Axis("Threshold (score >= t predicts positive)", false);
  x_axis["min"] = std::min(*lo, std::isfinite(chosen) ? chosen : *lo);
  x_axis["max"] = std::max(*hi, std::isfinite(chosen) ? chosen : *hi);
  return ScatterConfig(std::move(datasets), title, std::move(x_axis), Axis("Value", true));
}

std::optional<json> PerClassChart(const json& result) {
  const json* per_class = Member(result, "per_class");
  if (per_class == nullptr || !per_class->is_array() || per_class->empty()) return std::nullopt;

  json labels = json::array();
  json precision = json::array(), recall = json::array(), f1 = json::array();
  for (const json& row : *per_class) {
    labels.push_back(TextAt(Member(row, "label")));
    // NaN cannot be written as JSON; null leaves a gap in the bar chart.
    for (auto [series, key] :
         {std::pair{&precision, "precision"}, std::pair{&recall, "recall"}, std::pair{&f1, "f1"}}) {
      const double value = NumberAt(Member(row, key));
      series->push_back(std::isfinite(value) ? json(value) : json(nullptr));
    }
  }

  json datasets = {{{"label", "precision"}, {"data", precision}, {"backgroundColor", kBlue}},
                   {{"label", "recall"}, {"data", recall}, {"backgroundColor", kOrange}},
                   {{"label", "F1"}, {"data", f1}, {"backgroundColor", kGreen}}};
  json options = Options("Precision, recall and F1 by class", true);
  options["scales"] = {{"y", Axis("Value", true)}};
  return json{{"type", "bar"},
              {"data", {{"labels", labels}, {"datasets", datasets}}},
              {"options", options}};
}

namespace {

// Finite (truth, predicted) pairs, evenly sampled down to kMaxScatterPoints.
Curve ReadResiduals(const json& result) {
  const json* residuals = Member(result, "residuals");
  const std::vector<double> truth = NumbersAt(Member(residuals, "truth"));
  const std::vector<double> predicted = NumbersAt(Member(residuals, "predicted"));
  Curve pairs;
  if (truth.size() != predicted.size()) return pairs;
  for (std::size_t i : EvenSample(truth.size(), kMaxScatterPoints)) {
    if (!std::isfinite(truth[i]) || !std::isfinite(predicted[i])) continue;
    pairs.x.push_back(truth[i]);
    pairs.y.push_back(predicted[i]);
  }
  return pairs;
}

}  // namespace

std::optional<json> PredictedVsTruthChart(const json& result) {
  const Curve pairs = ReadResiduals(result);
  if (pairs.x.empty()) return std::nullopt;

  const auto [x_lo, x_hi] = std::minmax_element(pairs.x.begin(), pairs.x.end());
  const auto [y_lo, y_hi] = std::minmax_element(pairs.y.begin(), pairs.y.end());
  json rows = {{"label", "rows"},
               {"data", Points(pairs.x, pairs.y)},
               {"pointRadius", 2},
               {"backgroundColor", "rgba(37, 99, 235, 0.45)"},
               {"borderColor", "rgba(0, 0, 0, 0)"}};
  json datasets = {std::move(rows),
                   Diagonal("predicted = truth", std::min(*x_lo, *y_lo), std::max(*x_hi, *y_hi))};
  return ScatterConfig(std::move(datasets), "Predicted vs truth", Axis("Truth", false),
                       Axis("Predicted", false));
}

std::optional<json> ResidualHistogramChart(const json& result) {
  const Curve pairs = ReadResiduals(result);
  if (pairs.x.empty()) return std::nullopt;

  std::vector<double> residuals(pairs.x.size());
  for (std::size_t i = 0; i < residuals.size(); ++i) residuals[i] = pairs.x[i] - pairs.y[i];
  const auto [lo_it, hi_it] = std::minmax_element(residuals.begin(), residuals.end());
  const double lo = *lo_it, hi = *hi_it;

  // About sqrt(n) bins, within [5, 40]: enough to show the shape without sparse bins.
  const auto sqrt_n = static_cast<std::size_t>(std::ceil(std::sqrt(residuals.size())));
  const std::size_t bins = hi > lo ? std::clamp<std::size_t>(sqrt_n, 5, 40) : 1;
  const double width = hi > lo ? (hi - lo) / static_cast<double>(bins) : 1.0;
  std::vector<int> counts(bins, 0);
  for (double r : residuals) {
    const auto bin = static_cast<std::size_t>((r - lo) / width);
    ++counts[std::min(bin, bins - 1)];
  }

  json labels = json::array();
  for (std::size_t b = 0; b < bins; ++b) {
    labels.push_back(fmt::format("{:.3g}", lo + (static_cast<double>(b) + 0.5) * width));
  }
  json datasets = {{{"label", "rows"},
                    {"data", counts},
                    {"backgroundColor", kBlue},
                    {"categoryPercentage", 1.0},
                    {"barPercentage", 0.95}}};
  json options = Options("Residuals (truth - predicted)", false);
  options["scales"] = {
      {"x", {{"title", {{"display", true}, {"text", "Residual (bin centre)"}}}}},
      {"y", {{"beginAtZero", true}, {"title", {{"display", true}, {"text", "Rows"}}}}}};
  return json{{"type", "bar"},
              {"data", {{"labels", labels}, {"datasets", datasets}}},
              {"options", options}};
}

std::optional<json> FeatureImportanceChart(const json& result) {
  const json* features = Member(result, "feature_importance");
  if (features == nullptr || !features->is_array()) return std::nullopt;

  json labels = json::array(), values = json::array();
  for (const json& feature : *features) {
    const double value = NumberAt(Member(feature, "value"));
    if (!std::isfinite(value)) continue;
    labels.push_back(TextAt(Member(feature, "name")));
    values.push_back(value);
  }
  if (values.empty()) return std::nullopt;

  json datasets = {{{"label", "importance"}, {"data", values}, {"backgroundColor", kBlue}}};
  json options = Options("Feature importance", false);
  options["indexAxis"] = "y";
  options["scales"] = {{"x", {{"beginAtZero", true}}}};
  return json{{"type", "bar"},
              {"data", {{"labels", labels}, {"datasets", datasets}}},
              {"options", options}};
}

}  // namespace kiln
