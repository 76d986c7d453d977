// Feature scores for selection; see feature_scores.h.
#include "features/feature_scores.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <xgboost/c_api.h>

namespace kiln::features {

namespace {

constexpr size_t kMaxDistinct = 32;
constexpr size_t kQuantileBins = 16;
constexpr size_t kImportanceRows = 20000;
constexpr int kImportanceTrees = 50;

// Bin index of each value: 0 for NaN, 1.. for values, by distinct value or by quantile edges.
std::vector<uint32_t> Bins(const std::vector<double>& values) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (double v : values) {
    if (!std::isnan(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> edges = sorted;
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  if (edges.size() > kMaxDistinct) {
    edges.clear();
    for (size_t b = 1; b < kQuantileBins; ++b) {
      edges.push_back(sorted[b * sorted.size() / kQuantileBins]);
    }
    edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
    // Each value falls in the bin of the last edge at or below it.
  }
  std::vector<uint32_t> bins(values.size(), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) continue;
    const auto above = std::upper_bound(edges.begin(), edges.end(), values[i]) - edges.begin();
    bins[i] = static_cast<uint32_t>(above + 1);
  }
  return bins;
}

Status XgbError(const char* call) {
  return MakeError(ErrorCode::kInternal, "XGBoost {} failed while ranking features: {}", call,
                   XGBGetLastError());
}

// Frees XGBoost handles on every path out.
struct XgbHandles {
  DMatrixHandle matrix = nullptr;
  BoosterHandle booster = nullptr;
  ~XgbHandles() {
    if (booster != nullptr) XGBoosterFree(booster);
    if (matrix != nullptr) XGDMatrixFree(matrix);
  }
};

}  // namespace

double MutualInformation(const std::vector<double>& feature, const TrainingContext& training) {
  std::vector<double> target = training.target;
  const std::vector<uint32_t> x = Bins(feature);
  std::vector<uint32_t> y;
  if (training.task == TaskType::kRegression) {
    y = Bins(target);
  } else {
    y.resize(target.size());
    for (size_t i = 0; i < target.size(); ++i) {
      y[i] = std::isnan(target[i]) ? 0 : static_cast<uint32_t>(target[i]) + 1;
    }
  }
  const uint32_t x_bins = *std::max_element(x.begin(), x.end()) + 1;
  const uint32_t y_bins = *std::max_element(y.begin(), y.end()) + 1;
  std::vector<double> joint(static_cast<size_t>(x_bins) * y_bins, 0.0);
  std::vector<double> px(x_bins, 0.0), py(y_bins, 0.0);
  double n = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (y[i] == 0) continue;  // rows without a target say nothing about it
    joint[static_cast<size_t>(x[i]) * y_bins + y[i]] += 1;
    px[x[i]] += 1;
    py[y[i]] += 1;
    n += 1;
  }
  double mi = 0;
  for (uint32_t a = 0; a < x_bins; ++a) {
    for (uint32_t b = 0; b < y_bins; ++b) {
      const double count = joint[static_cast<size_t>(a) * y_bins + b];
      if (count > 0) mi += count / n * std::log(count * n / (px[a] * py[b]));
    }
  }
  return mi;
}

Result<std::vector<double>> GainImportance(const Workspace& workspace,
                                           const std::vector<size_t>& features,
                                           const TrainingContext& training) {
  std::vector<size_t> rows;
  for (size_t i = 0; i < workspace.rows; ++i) {
    if (!std::isnan(training.target[i])) rows.push_back(i);
  }
  if (rows.size() > kImportanceRows) {
    std::vector<size_t> even;
    for (size_t k = 0; k < kImportanceRows; ++k)
      even.push_back(rows[k * rows.size() / kImportanceRows]);
    rows = std::move(even);
  }
  std::vector<double> scores(features.size(), 0.0);
  if (rows.empty() || features.empty()) return scores;

  const size_t cols = features.size();
  std::vector<float> data(rows.size() * cols);
  std::vector<float> labels(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < cols; ++c) {
      data[r * cols + c] = static_cast<float>(workspace.features[features[c]].values[rows[r]]);
    }
    labels[r] = static_cast<float>(training.target[rows[r]]);
  }

  XgbHandles h;
  if (XGDMatrixCreateFromMat(data.data(), rows.size(), cols, std::nanf(""), &h.matrix) != 0) {
    return XgbError("XGDMatrixCreateFromMat");
  }
  if (XGDMatrixSetFloatInfo(h.matrix, "label", labels.data(), labels.size()) != 0) {
    return XgbError("XGDMatrixSetFloatInfo");
  }
  if (XGBoosterCreate(&h.matrix, 1, &h.booster) != 0) return XgbError("XGBoosterCreate");
  std::vector<std::pair<std::string, std::string>> params = {
      {"max_depth", "4"}, {"eta", "0.3"},          {"nthread", "1"},
      {"seed", "0"},      {"tree_method", "hist"}, {"verbosity", "0"}};
  switch (training.task) {
    case TaskType::kBinary:
      params.emplace_back("objective", "binary:logistic");
      break;
    case TaskType::kMulticlass:
      params.emplace_back("objective", "multi:softprob");
      params.emplace_back("num_class", std::to_string(training.classes.size()));
      break;
    case TaskType::kRegression:
      params.emplace_back("objective", "reg:squarederror");
      break;
  }
  for (const auto& [key, value] : params) {
    if (XGBoosterSetParam(h.booster, key.c_str(), value.c_str()) != 0) {
      return XgbError("XGBoosterSetParam");
    }
  }
  for (int iteration = 0; iteration < kImportanceTrees; ++iteration) {
    if (XGBoosterUpdateOneIter(h.booster, iteration, h.matrix) != 0) {
      return XgbError("XGBoosterUpdateOneIter");
    }
  }

  bst_ulong count = 0;
  const char** names = nullptr;
  bst_ulong dims = 0;
  const bst_ulong* shape = nullptr;
  const float* values = nullptr;
  if (XGBoosterFeatureScore(h.booster, R"({"importance_type": "gain"})", &count, &names, &dims,
                            &shape, &values) != 0) {
    return XgbError("XGBoosterFeatureScore");
  }
  // Trees give one score per used feature, named "f<index>".
  for (bst_ulong i = 0; i < count; ++i) {
    const std::string name = names[i];
    if (name.size() < 2 || name[0] != 'f') continue;
    const size_t index = std::stoul(name.substr(1));
    if (index < scores.size()) scores[index] = values[i];
  }
  return scores;
}

}  // namespace kiln::features
