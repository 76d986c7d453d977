// Predictions as evaluation sees them: the truth, the model's scores and optional row weights.
// Produced by train/ (out-of-fold and held-out scores) and by the runtime; consumed by the metrics,
// the curves, the bootstrap and the gate.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/config.h"

namespace kiln {

struct Predictions {
  TaskType task = TaskType::kBinary;
  // Classification: the class index 0..classes-1 (binary: 1 = positive). Regression: the value.
  std::vector<double> truth;
  // Binary: P(class 1), one per row. Multiclass: row-major probabilities, classes per row, each row
  // summing to 1. Regression: the predicted value.
  std::vector<double> scores;
  size_t classes = 2;               // classification only
  std::vector<std::string> labels;  // classification: label of each class index
  std::vector<double> weights;      // empty = every row weighs 1
  double threshold = 0.5;           // binary: score >= threshold predicts class 1

  size_t rows() const { return truth.size(); }
};

}  // namespace kiln
