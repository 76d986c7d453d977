// Feature selection, the last step: keeps a subset of the final features, fitted on the training
// rows in four passes, each over the survivors of the one before:
//   1. min_variance: drops features whose variance (ignoring NaN) is at most the limit; the
//      default 0 drops constant features. A negative limit keeps them.
//   2. max_correlation: of a pair with |Pearson r| above the limit, drops the later feature.
//   3. mutual_information_top: keeps the k features with the highest mutual information with
//      the target (see feature_scores.h for the estimate).
//   4. importance_top: keeps the k features with the most XGBoost gain importance.
// Kept features stay in their original order.
#include <algorithm>
#include <cmath>
#include <numeric>

#include <Eigen/Dense>

#include "features/feature_scores.h"
#include "features/step.h"

namespace kiln::features {

namespace {

double Variance(const std::vector<double>& values) {
  const double mean = MeanIgnoringNan(values);
  if (std::isnan(mean)) return std::nan("");
  double sum = 0;
  size_t count = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += (v - mean) * (v - mean);
    ++count;
  }
  return sum / static_cast<double>(count);
}

// The first features, in order, such that no kept pair has |r| above `limit`. NaN counts as the
// feature's mean, so it adds nothing to a correlation.
std::vector<size_t> DropCorrelated(const Workspace& workspace, const std::vector<size_t>& kept,
                                   double limit) {
  const auto n = static_cast<Eigen::Index>(workspace.rows);
  const auto p = static_cast<Eigen::Index>(kept.size());
  Eigen::MatrixXd z(n, p);
  for (Eigen::Index j = 0; j < p; ++j) {
    const std::vector<double>& values = workspace.features[kept[static_cast<size_t>(j)]].values;
    const double mean = MeanIgnoringNan(values);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double v = values[static_cast<size_t>(i)];
      z(i, j) = std::isnan(v) ? 0 : v - mean;
    }
    const double norm = z.col(j).norm();
    if (norm > 0) z.col(j) /= norm;
  }
  const Eigen::MatrixXd r = z.transpose() * z;

  std::vector<size_t> out;
  std::vector<Eigen::Index> chosen;
  for (Eigen::Index j = 0; j < p; ++j) {
    const bool redundant = std::any_of(chosen.begin(), chosen.end(),
                                       [&](Eigen::Index i) { return std::fabs(r(i, j)) > limit; });
    if (redundant) continue;
    chosen.push_back(j);
    out.push_back(kept[static_cast<size_t>(j)]);
  }
  return out;
}

// The `top` entries of `kept` with the highest scores (ties: the earlier), in their order.
std::vector<size_t> TopByScore(const std::vector<size_t>& kept, const std::vector<double>& scores,
                               size_t top) {
  if (top >= kept.size()) return kept;
  std::vector<size_t> order(kept.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  order.resize(top);
  std::sort(order.begin(), order.end());
  std::vector<size_t> out;
  for (size_t i : order) out.push_back(kept[i]);
  return out;
}

class SelectStep final : public Step {
 public:
  explicit SelectStep(const SelectSpec& spec) : spec_(spec) {}

  std::string_view name() const override { return "select"; }

  Status Fit(const Workspace& workspace, const TrainingContext& training) override {
    kept_.clear();
    for (size_t f = 0; f < workspace.features.size(); ++f) {
      const double variance = Variance(workspace.features[f].values);
      if (spec_.min_variance < 0 || variance > spec_.min_variance) kept_.push_back(f);
    }
    if (spec_.max_correlation < 1 && kept_.size() > 1) {
      kept_ = DropCorrelated(workspace, kept_, spec_.max_correlation);
    }
    if (spec_.mutual_information_top > 0) {
      std::vector<double> scores;
      for (size_t f : kept_) {
        scores.push_back(MutualInformation(workspace.features[f].values, training));
      }
      kept_ = TopByScore(kept_, scores, static_cast<size_t>(spec_.mutual_information_top));
    }
    if (spec_.importance_top > 0) {
      KILN_ASSIGN_OR_RETURN(std::vector<double> scores, GainImportance(workspace, kept_, training));
      kept_ = TopByScore(kept_, scores, static_cast<size_t>(spec_.importance_top));
    }
    if (kept_.empty()) {
      return MakeError(ErrorCode::kData,
                       "feature selection kept no features of {} (every one has variance at most "
                       "{}); lower features.select.min_variance",
                       workspace.features.size(), spec_.min_variance);
    }
    return Status::Ok();
  }

  Status Apply(Workspace& workspace, const TrainingContext*) const override {
    for (size_t f : kept_) {
      if (f >= workspace.features.size()) return MismatchError(name(), "a kept feature is absent");
    }
    std::vector<Feature> out;
    out.reserve(kept_.size());
    for (size_t f : kept_) out.push_back(std::move(workspace.features[f]));
    workspace.features = std::move(out);
    return Status::Ok();
  }

  nlohmann::json ToJson() const override { return {{"kept", kept_}}; }

  Status FromJson(const nlohmann::json& json) override {
    KILN_ASSIGN_OR_RETURN(std::vector<int64_t> kept,
                          ReadInts(json, "kept", "step select", 0, INT32_MAX));
    kept_.assign(kept.begin(), kept.end());
    if (kept_.empty()) return MismatchError(name(), "no kept features");
    for (size_t i = 1; i < kept_.size(); ++i) {
      if (kept_[i] <= kept_[i - 1]) return MismatchError(name(), "kept is not increasing");
    }
    return Status::Ok();
  }

  std::unique_ptr<Step> Clone() const override { return std::make_unique<SelectStep>(*this); }

 private:
  SelectSpec spec_;
  std::vector<size_t> kept_;  // workspace indices, increasing
};

}  // namespace

std::unique_ptr<Step> CreateSelectStep(const FeatureSpec& spec, const FeaturePipeline::Options&,
                                       bool) {
  return std::make_unique<SelectStep>(spec.select);
}

}  // namespace kiln::features
