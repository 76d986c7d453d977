// The promotion gate: every condition becomes one GateCheck with its figures, and the decision is
// GO only when all pass. Checks are evaluated even after one fails, so the report lists every
// reason at once rather than one per attempt.
#include "evaluate/gate.h"

#include <string>
#include <utility>

#include <fmt/format.h>

namespace kiln {
namespace {

constexpr int kGateResamples = 1000;
constexpr double kGateAlpha = 0.05;

GateCheck MakeCheck(std::string name, bool passed, double value, std::string detail) {
  GateCheck check;
  check.name = std::move(name);
  check.passed = passed;
  check.value = value;
  check.detail = std::move(detail);
  return check;
}

// One check for a bound on a metric: `is_min` means the value must reach `bound` from below.
GateCheck BoundCheck(const std::string& role, const std::string& metric, double value, double bound,
                     bool is_min) {
  const bool passed = is_min ? value >= bound : value <= bound;
  const std::string name = fmt::format("{} {} {} {}", role == "north star" ? "north_star" : role,
                                       metric, is_min ? ">=" : "<=", bound);
  const std::string detail =
      passed ? fmt::format("{:.3f} {} {:.3f}", value, is_min ? ">=" : "<=", bound)
             : fmt::format("{} {} {:.3f} is {} the {} {:.3f}", role, metric, value,
                           is_min ? "below" : "above", is_min ? "threshold" : "limit", bound);
  return MakeCheck(name, passed, value, detail);
}

Result<Comparison> CompareToBaseline(const ProblemSpec& spec, const Predictions& candidate,
                                     const Predictions& baseline, uint64_t seed) {
  const NorthStarSpec& north = spec.metrics.north_star;
  // DeLong is exact for the unweighted binary AUC and needs no resampling; otherwise bootstrap.
  if (north.metric == "roc_auc" && candidate.task == TaskType::kBinary &&
      candidate.weights.empty()) {
    return DeLongTest(candidate, baseline, kGateAlpha);
  }
  MetricParams params;
  params.k = north.k;
  return PairedBootstrap(north.metric, candidate, baseline, params, kGateResamples, kGateAlpha,
                         seed);
}

}  // namespace

Result<GateDecision> DecideGate(const ProblemSpec& spec, const Predictions& candidate,
                                const Predictions& baseline, uint64_t seed) {
  if (candidate.task != spec.task.type) {
    return MakeError(ErrorCode::kUsage, "kiln.yaml describes a {} task but the predictions are {}",
                     TaskTypeName(spec.task.type), TaskTypeName(candidate.task));
  }
  const NorthStarSpec& north = spec.metrics.north_star;
  GateDecision decision;

  MetricParams north_params;
  north_params.k = north.k;
  Result<double> north_value = ComputeMetric(north.metric, candidate, north_params);
  if (!north_value.ok()) {
    return north_value.status().WithContext("computing the north star " + north.metric);
  }
  if (north.threshold) {
    decision.checks.push_back(BoundCheck("north star", north.metric, *north_value, *north.threshold,
                                         north.direction == MetricDirection::kHigherIsBetter));
  }

  for (const GuardrailSpec& guardrail : spec.metrics.guardrails) {
    MetricParams params;
    params.k = guardrail.k;
    Result<double> value = ComputeMetric(guardrail.metric, candidate, params);
    if (!value.ok()) {
      return value.status().WithContext("computing the guardrail " + guardrail.metric);
    }
    if (guardrail.min) {
      decision.checks.push_back(BoundCheck("guardrail", guardrail.metric, *value, *guardrail.min,
                                           /*is_min=*/true));
    }
    if (guardrail.max) {
      decision.checks.push_back(BoundCheck("guardrail", guardrail.metric, *value, *guardrail.max,
                                           /*is_min=*/false));
    }
  }

  KILN_ASSIGN_OR_RETURN(decision.versus_baseline,
                        CompareToBaseline(spec, candidate, baseline, seed));
  const Comparison& versus = decision.versus_baseline;
  const std::string figures = fmt::format(
      "{} {:.3f} vs baseline {:.3f} (difference {:+.4f}, one-sided p = {:.4f}, {})", north.metric,
      versus.candidate, versus.baseline, versus.difference, versus.p_value, versus.method);
  decision.checks.push_back(MakeCheck(
      "beats baseline", versus.significant, versus.difference,
      versus.significant ? figures
                         : "the candidate does not beat the baseline significantly: " + figures));

  decision.go = true;
  for (const GateCheck& check : decision.checks) {
    if (check.passed) continue;
    decision.go = false;
    decision.reasons.push_back(check.detail);
  }
  return decision;
}

}  // namespace kiln
