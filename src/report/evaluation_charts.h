// The charts of the evaluation report, as Chart.js configurations built from the evaluation
// document. Each function returns nullopt when the document lacks (or has malformed) data for its
// chart, so the report simply leaves that chart out. Long curves are thinned (curve_thinning.h).
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

namespace kiln {

// Binary classification.
std::optional<nlohmann::json> RocChart(const nlohmann::json& result);
std::optional<nlohmann::json> PrecisionRecallChart(const nlohmann::json& result);
std::optional<nlohmann::json> CalibrationChart(const nlohmann::json& result);
// Precision, recall and F1 against the threshold (from curves.pr), with the chosen threshold.
std::optional<nlohmann::json> ThresholdChart(const nlohmann::json& result);

// Multiclass classification: precision, recall and F1 of each class.
std::optional<nlohmann::json> PerClassChart(const nlohmann::json& result);

// Regression.
std::optional<nlohmann::json> PredictedVsTruthChart(const nlohmann::json& result);
std::optional<nlohmann::json> ResidualHistogramChart(const nlohmann::json& result);

// Any task: a horizontal bar per feature, most important first.
std::optional<nlohmann::json> FeatureImportanceChart(const nlohmann::json& result);

}  // namespace kiln
