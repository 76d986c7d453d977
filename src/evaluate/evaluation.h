// One evaluation of a bundle on labelled rows: every metric of the task with its bootstrap
// interval, the baseline's metrics on the same rows, curves, calibration, the confusion matrix,
// the threshold that best meets kiln.yaml's decision objective, and the go/no-go gate. The result
// is the JSON document docs/evaluation-json.md describes; the HTML report renders it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "core/status.h"
#include "evaluate/gate.h"
#include "evaluate/predictions.h"
#include "evaluate/significance.h"
#include "registry/bundle.h"

namespace kiln {

struct EvaluationOptions {
  int resamples = 1000;  // bootstrap resamples per metric interval; 0 = no intervals
  uint64_t seed = 42;
  // The candidate's resamples, drawn ahead (PrepareResamples with `resamples` and `seed`); the
  // intervals are the same with or without it.
  std::shared_ptr<const PreparedResamples> prepared;
};

struct Evaluation {
  nlohmann::json document;  // docs/evaluation-json.md
  GateDecision gate;
};

// `v` as a JSON number, or null when it is NaN or infinite (JSON has no such numbers).
nlohmann::json FiniteOrNull(double v);

// `candidate` and `baseline` are the two models' predictions on the same rows. `dataset` is
// "name@version" and `dataset_rows` the rows scored, for the document's header.
Result<Evaluation> Evaluate(const ProblemSpec& spec, const Bundle& bundle,
                            const Predictions& candidate, const Predictions& baseline,
                            const std::string& dataset, const EvaluationOptions& options = {});

}  // namespace kiln
