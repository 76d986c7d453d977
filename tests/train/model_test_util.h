// Helpers for the model-family tests: randomised training sets with a known linear signal and
// features of very different scales, and a bridge to tests/scripts/sklearn_linear.py, which fits
// scikit-learn's peers on the same rows under /usr/bin/python3.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.h"
#include "train/model.h"

namespace kiln::testing {

inline bool HasSklearn() {
  return PeerHas("sklearn, numpy");
}

// Rows and targets that own their storage; `data()` points into them.
struct GeneratedSet {
  TaskType task = TaskType::kBinary;
  size_t classes = 2;
  FeatureMatrix x;
  FeatureMatrix test_x;
  std::vector<double> y;
  std::vector<double> weights;

  TrainData data() const {
    TrainData d;
    d.task = task;
    d.classes = classes;
    d.x = &x;
    d.y = y;
    d.weights = weights;
    return d;
  }
};

// Column j is centred at j - 2 and scaled by 10^(j % 4 - 1), so scales span 0.1 to 100.
inline FeatureMatrix RandomFeatures(std::mt19937_64& rng, size_t rows, size_t cols) {
  FeatureMatrix x;
  x.rows = rows;
  x.cols = cols;
  std::normal_distribution<double> normal(0, 1);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t j = 0; j < cols; ++j) {
      const double scale = std::pow(10.0, static_cast<double>(j % 4) - 1);
      x.values.push_back(static_cast<float>(scale * (static_cast<double>(j) - 2 + normal(rng))));
    }
  }
  for (size_t j = 0; j < cols; ++j) x.names.push_back("f" + std::to_string(j));
  x.categorical.assign(cols, 0);
  x.category_counts.assign(cols, 0);
  return x;
}

// Classification labels are drawn from a softmax of a random linear score of the standardised
// features (so the classes overlap and the optimum is finite); regression adds Gaussian noise.
inline GeneratedSet RandomSet(uint64_t seed, TaskType task, size_t classes, size_t rows,
                              size_t cols, bool weighted) {
  std::mt19937_64 rng(seed);
  GeneratedSet set;
  set.task = task;
  set.classes = task == TaskType::kRegression ? 1 : classes;
  set.x = RandomFeatures(rng, rows, cols);
  set.test_x = RandomFeatures(rng, 50, cols);
  const size_t outputs = task == TaskType::kRegression ? 1 : classes;
  std::normal_distribution<double> normal(0, 1);
  std::vector<double> beta(outputs * cols);
  for (double& b : beta) b = normal(rng);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<double> score(outputs, 0.0);
    for (size_t o = 0; o < outputs; ++o) {
      for (size_t j = 0; j < cols; ++j) {
        const double scale = std::pow(10.0, static_cast<double>(j % 4) - 1);
        score[o] += beta[o * cols + j] * (set.x.at(r, j) / scale - (static_cast<double>(j) - 2));
      }
    }
    if (task == TaskType::kRegression) {
      set.y.push_back(3 + 2 * score[0] + normal(rng));
      continue;
    }
    std::vector<double> p(outputs);
    for (size_t o = 0; o < outputs; ++o) p[o] = std::exp(score[o]);
    std::discrete_distribution<size_t> pick(p.begin(), p.end());
    // The first rows cover every class, so none is absent by chance.
    set.y.push_back(static_cast<double>(r < classes ? r : pick(rng)));
  }
  if (weighted) {
    std::uniform_real_distribution<double> u(0.2, 3.0);
    for (size_t r = 0; r < rows; ++r) set.weights.push_back(r % 11 == 5 ? 0.0 : u(rng));
  }
  return set;
}

inline std::vector<double> AsDoubles(const FeatureMatrix& x) {
  return {x.values.begin(), x.values.end()};
}

// One case for sklearn_linear.py.
inline nlohmann::json PeerCase(const GeneratedSet& set, const std::string& kind, double l2,
                               const std::string& strategy = "") {
  nlohmann::json j;
  j["kind"] = kind;
  j["rows"] = set.x.rows;
  j["cols"] = set.x.cols;
  j["x"] = AsDoubles(set.x);
  j["y"] = set.y;
  j["weights"] = set.weights.empty() ? nlohmann::json(nullptr) : nlohmann::json(set.weights);
  j["classes"] = set.classes;
  j["l2"] = l2;
  j["strategy"] = strategy;
  j["test_rows"] = set.test_x.rows;
  j["test_x"] = AsDoubles(set.test_x);
  return j;
}

// Runs the peer script on {"cases": cases}; the answer's "cases" array, or null with the test
// failed.
inline nlohmann::json AskSklearnLinear(const nlohmann::json& cases) {
  const nlohmann::json answer = AskPeer("sklearn_linear.py", nlohmann::json{{"cases", cases}});
  if (!answer.is_object() || !answer.contains("cases")) {
    ADD_FAILURE() << "sklearn_linear.py gave no answer";
    return nullptr;
  }
  return answer["cases"];
}

// The largest |kiln - reference| over two equally long vectors (infinity when the sizes differ).
inline double MaxDeviation(const std::vector<double>& kiln, const nlohmann::json& reference) {
  if (!reference.is_array() || reference.size() != kiln.size()) return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < kiln.size(); ++i) {
    worst = std::max(worst, std::abs(kiln[i] - reference[i].get<double>()));
  }
  return worst;
}

}  // namespace kiln::testing
