// The fitted parameters of the linear families ("logistic", "ridge"), for reports, exporters and
// the peer tests that compare them with scikit-learn's coef_ and intercept_.
#pragma once

#include <cstddef>
#include <vector>

#include "train/model.h"

namespace kiln {

// Scores are intercept[o] + sum_j coef[o * cols + j] * x_j for each output row o. Ridge and
// two-class logistic regression have one output (the value, the log-odds of `classes[1]`);
// multinomial logistic regression has one per class, its intercepts summing to zero as
// scikit-learn's do.
struct LinearCoefficients {
  size_t outputs = 1;
  size_t cols = 0;
  std::vector<double> coef;       // outputs x cols, row-major
  std::vector<double> intercept;  // outputs entries
  // Logistic only: the class index of each output in order (two-class: {negative, positive}).
  // Classes the training rows lack are not listed; they are predicted with probability 0.
  std::vector<size_t> classes;
};

// nullptr when `model` is not a logistic or ridge model.
const LinearCoefficients* LinearCoefficientsOf(const Model& model);

}  // namespace kiln
