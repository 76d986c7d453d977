// Uncertainty and comparison: bootstrap confidence intervals for any registered metric, the paired
// bootstrap test of a candidate against a baseline on the same rows, and DeLong's test for the
// difference of two correlated ROC AUCs. All resampling is seeded and reproducible.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "evaluate/metrics.h"
#include "evaluate/predictions.h"

namespace kiln {

struct Interval {
  double value = 0;  // the metric on all rows
  double low = 0;    // percentile bootstrap bounds
  double high = 0;
  int resamples = 0;  // resamples on which the metric was defined
};

// Percentile bootstrap interval of `metric` at `level` (e.g. 0.95) from `resamples` resamples.
Result<Interval> BootstrapInterval(std::string_view metric, const Predictions& p,
                                   const MetricParams& params = {}, int resamples = 1000,
                                   double level = 0.95, uint64_t seed = 42);

// Binary resamples drawn before the decision threshold is known (see PrepareResamples).
struct PreparedResamples;

// The intervals of several metrics from one set of resamples: each equals what BootstrapInterval
// gives for that metric with the same arguments (the same draws), but a binary task computes all
// of a resample's metrics in one sweep over rows sorted once by score, about a hundred times
// faster than a metric at a time. Metrics undefined on every resample are left out. `prepared`
// gives the same intervals when it was made from the same truth, scores, resamples and seed, and
// is ignored otherwise. `values`, when given, holds each metric's value on all rows of `p` with
// `params` (a metric missing from it is undefined there), so that they are not computed again.
Result<std::map<std::string, Interval>> BootstrapIntervals(
    const std::vector<std::string>& metrics, const Predictions& p, const MetricParams& params = {},
    int resamples = 1000, double level = 0.95, uint64_t seed = 42,
    const PreparedResamples* prepared = nullptr,
    const std::map<std::string, double>* values = nullptr);

// Draws the resamples that BootstrapIntervals(metrics, p, params, resamples, level, seed) would
// draw, whatever p.threshold is, and sums over each what does not depend on the threshold. A later
// BootstrapIntervals call on the same rows and scores, at any threshold, then only counts each
// resample's rows above the threshold: the costly part can run while the threshold is still
// being chosen. Null when this does not apply: a task other than binary, weights, or more than
// 64 MiB of counts (rows x resamples bytes). `threads` caps the cores it draws on (0 = every
// core).
std::shared_ptr<const PreparedResamples> PrepareResamples(const Predictions& p, int resamples,
                                                          uint64_t seed, int threads = 0);

struct Comparison {
  std::string method;    // "paired_bootstrap" or "delong"
  double candidate = 0;  // the metric of each on all rows
  double baseline = 0;
  double difference = 0;  // candidate - baseline, signed so that positive means better
  double low = 0;         // interval of the difference (paired bootstrap; DeLong: normal approx.)
  double high = 0;
  double p_value = 1;        // one-sided: H0 candidate is not better than baseline
  bool significant = false;  // p_value < alpha
  double z = 0;              // DeLong: the standardised difference; 0 for the bootstrap
};

// Paired bootstrap: resamples rows once per draw and scores both models on the same rows.
// `candidate` and `baseline` must hold the same truth in the same order (kUsage otherwise).
Result<Comparison> PairedBootstrap(std::string_view metric, const Predictions& candidate,
                                   const Predictions& baseline, const MetricParams& params = {},
                                   int resamples = 1000, double alpha = 0.05, uint64_t seed = 42);

// DeLong's test for binary ROC AUC (unweighted; kUsage when weights are given).
Result<Comparison> DeLongTest(const Predictions& candidate, const Predictions& baseline,
                              double alpha = 0.05);

}  // namespace kiln
