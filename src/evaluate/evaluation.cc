// Builds the evaluation document from two sets of predictions on the same rows.
#include "evaluate/evaluation.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <utility>

#include <fmt/format.h>

#include "evaluate/metrics.h"
#include "evaluate/significance.h"
#include "evaluate/threshold.h"
#include "store/database.h"

namespace kiln {
namespace {

nlohmann::json Number(double v) {
  return FiniteOrNull(v);
}

nlohmann::json CurveJson(const Curve& c) {
  nlohmann::json j = {{"x", c.x}, {"y", c.y}, {"thresholds", nlohmann::json::array()}};
  for (double t : c.thresholds) j["thresholds"].push_back(Number(t));
  return j;
}

// Every metric's value with its bootstrap interval (null bounds when there is none).
Result<nlohmann::json> MetricIntervals(const Predictions& p,
                                       const std::map<std::string, double>& values,
                                       const EvaluationOptions& options) {
  std::vector<std::string> names;
  for (const auto& entry : values) names.push_back(entry.first);
  std::map<std::string, Interval> intervals;
  if (options.resamples > 0) {
    MetricParams params;
    params.k = kReportTopK;
    KILN_ASSIGN_OR_RETURN(
        intervals, BootstrapIntervals(names, p, params, options.resamples, 0.95, options.seed,
                                      options.prepared.get(), &values));
  }
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& name : names) {
    const auto it = intervals.find(name);
    const bool has = it != intervals.end();
    out[name] = {{"value", Number(values.at(name))},
                 {"low", has ? Number(it->second.low) : nlohmann::json()},
                 {"high", has ? Number(it->second.high) : nlohmann::json()}};
  }
  return out;
}

nlohmann::json GateJson(const GateDecision& gate, const std::string& metric) {
  nlohmann::json checks = nlohmann::json::array();
  for (const GateCheck& c : gate.checks) {
    checks.push_back(
        {{"name", c.name}, {"passed", c.passed}, {"value", Number(c.value)}, {"detail", c.detail}});
  }
  const Comparison& v = gate.versus_baseline;
  return {{"go", gate.go},
          {"checks", checks},
          {"reasons", gate.reasons},
          {"versus_baseline",
           {{"method", v.method},
            {"metric", metric},
            {"candidate", Number(v.candidate)},
            {"baseline", Number(v.baseline)},
            {"difference", Number(v.difference)},
            {"low", Number(v.low)},
            {"high", Number(v.high)},
            {"p_value", Number(v.p_value)},
            {"significant", v.significant}}}};
}

nlohmann::json PerClass(const Predictions& p, const std::vector<std::vector<double>>& matrix) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t k = 0; k < matrix.size(); ++k) {
    double predicted = 0, actual = 0;
    for (size_t j = 0; j < matrix.size(); ++j) {
      predicted += matrix[j][k];
      actual += matrix[k][j];
    }
    const double tp = matrix[k][k];
    const double precision = predicted > 0 ? tp / predicted : 0;
    const double recall = actual > 0 ? tp / actual : 0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
    out.push_back({{"label", k < p.labels.size() ? p.labels[k] : std::to_string(k)},
                   {"precision", precision},
                   {"recall", recall},
                   {"f1", f1},
                   {"support", actual}});
  }
  return out;
}

nlohmann::json Importance(const Bundle& bundle) {
  nlohmann::json out = nlohmann::json::array();
  if (bundle.candidate.model == nullptr) return out;
  const std::vector<double> scores = bundle.candidate.model->Importance();
  const std::vector<std::string>& names = bundle.candidate.pipeline.feature_names();
  std::vector<std::pair<double, std::string>> ranked;
  for (size_t i = 0; i < scores.size() && i < names.size(); ++i) {
    if (scores[i] > 0) ranked.emplace_back(scores[i], names[i]);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  double total = 0;
  for (const auto& r : ranked) total += r.first;
  for (size_t i = 0; i < ranked.size() && i < 30; ++i) {
    out.push_back({{"name", ranked[i].second}, {"value", ranked[i].first / total}});
  }
  return out;
}

Status AddBinary(const ProblemSpec& spec, const Predictions& p, nlohmann::json& doc) {
  KILN_ASSIGN_OR_RETURN(Curve roc, RocCurve(p));
  KILN_ASSIGN_OR_RETURN(Curve pr, PrecisionRecallCurve(p));
  KILN_ASSIGN_OR_RETURN(Calibration calibration, CalibrationCurve(p, 10));
  doc["curves"] = {{"roc", CurveJson(roc)}, {"pr", CurveJson(pr)}};
  doc["calibration"] = {{"mean_predicted", calibration.mean_predicted},
                        {"fraction_positive", calibration.fraction_positive},
                        {"counts", calibration.counts},
                        {"ece", calibration.ece}};
  doc["threshold"] = p.threshold;
  Result<ThresholdChoice> choice = ChooseThreshold(p, spec.training.decision);
  if (choice.ok()) {
    doc["threshold_choice"] = {{"objective", spec.training.decision.kind},
                               {"threshold", choice->threshold},
                               {"precision", choice->precision},
                               {"recall", choice->recall},
                               {"f1", choice->f1},
                               {"cost", choice->cost},
                               {"constraint_met", choice->constraint_met}};
  }
  return Status::Ok();
}

}  // namespace

nlohmann::json FiniteOrNull(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

Result<Evaluation> Evaluate(const ProblemSpec& spec, const Bundle& bundle,
                            const Predictions& candidate, const Predictions& baseline,
                            const std::string& dataset, const EvaluationOptions& options) {
  KILN_RETURN_IF_ERROR(ValidatePredictions(candidate));
  KILN_RETURN_IF_ERROR(ValidatePredictions(baseline));
  Evaluation out;
  // The gate and the candidate's metrics with their intervals are computed beside the rest of
  // the document; each reads only the predictions. The futures are waited for on every return.
  std::future<Result<GateDecision>> gate = std::async(
      std::launch::async, [&] { return DecideGate(spec, candidate, baseline, options.seed); });
  std::future<Result<nlohmann::json>> metrics = std::async(std::launch::async, [&] {
    return MetricIntervals(candidate, ComputeAllMetrics(candidate), options);
  });

  nlohmann::json& doc = out.document;
  const size_t at = dataset.rfind('@');
  doc["ok"] = true;
  doc["kind"] = "evaluation";
  doc["project"] = spec.project;
  doc["created_at"] = SqlTimestampNow();
  doc["task"] = TaskTypeName(spec.task.type);
  doc["target"] = spec.task.target;
  doc["model"] = {{"run", bundle.run_id},
                  {"family", bundle.candidate.spec.family},
                  {"name", bundle.candidate.spec.family},
                  {"trained_on", bundle.dataset}};
  doc["dataset"] = {{"name", dataset.substr(0, at)},
                    {"version", at == std::string::npos ? "" : dataset.substr(at + 1)},
                    {"rows", candidate.rows()}};

  nlohmann::json base = nlohmann::json::object();
  for (const auto& [name, v] : ComputeAllMetrics(baseline)) base[name] = Number(v);
  doc["baseline"] = {{"family", bundle.baseline.spec.family}, {"metrics", base}};
  doc["feature_importance"] = Importance(bundle);

  if (spec.task.type != TaskType::kRegression) {
    doc["labels"] = candidate.labels;
    const auto matrix = ConfusionMatrix(candidate);
    doc["confusion"] = {{"labels", candidate.labels}, {"matrix", matrix}};
    if (spec.task.type == TaskType::kMulticlass) doc["per_class"] = PerClass(candidate, matrix);
  }
  if (spec.task.type == TaskType::kBinary) KILN_RETURN_IF_ERROR(AddBinary(spec, candidate, doc));
  if (spec.task.type == TaskType::kRegression) {
    const size_t n = candidate.rows();
    const size_t step = std::max<size_t>(1, (n + 1999) / 2000);
    nlohmann::json truth = nlohmann::json::array(), predicted = nlohmann::json::array();
    for (size_t i = 0; i < n; i += step) {
      truth.push_back(candidate.truth[i]);
      predicted.push_back(candidate.scores[i]);
    }
    doc["residuals"] = {{"truth", truth}, {"predicted", predicted}};
  }
  KILN_ASSIGN_OR_RETURN(out.gate, gate.get());
  doc["gate"] = GateJson(out.gate, spec.metrics.north_star.metric);
  KILN_ASSIGN_OR_RETURN(doc["metrics"], metrics.get());
  return out;
}

}  // namespace kiln
