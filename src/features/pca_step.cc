// PCA: replaces the numeric features by their first principal components, "pc1".."pck", placed
// where the first numeric feature was. The features are standardised with their training mean
// and standard deviation (missing values, left by tree models, count as the mean), the
// covariance (n - 1 denominator, as scikit-learn) is decomposed with Eigen, and components are
// ordered by explained variance. Each component's sign is fixed so its largest-magnitude loading
// is positive, making refits on the same data reproducible. Asking for more components than
// there are numeric features gives one per feature.
//
// Transform projects with plain loops in a fixed order rather than through Eigen, so the result
// depends only on the stored numbers, never on how a product was vectorised.
#include <algorithm>
#include <cmath>

#include <Eigen/Dense>

#include "features/step.h"

namespace kiln::features {

namespace {

class PcaStep final : public Step {
 public:
  explicit PcaStep(int components) : requested_(static_cast<size_t>(std::max(components, 0))) {}

  std::string_view name() const override { return "pca"; }

  Status Fit(const Workspace& workspace, const TrainingContext&) override {
    inputs_.clear();
    for (size_t f = 0; f < workspace.features.size(); ++f) {
      if (workspace.features[f].kind == FeatureKind::kNumeric) inputs_.push_back(f);
    }
    const size_t p = inputs_.size();
    const size_t n = workspace.rows;
    const size_t k = std::min(requested_, p);
    mean_.assign(p, 0.0);
    scale_.assign(p, 1.0);
    loadings_.clear();
    explained_variance_.clear();
    if (k == 0 || n < 2) {
      inputs_.clear();
      mean_.clear();
      scale_.clear();
      return Status::Ok();
    }

    Eigen::MatrixXd z(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(p));
    for (size_t j = 0; j < p; ++j) {
      const std::vector<double>& values = workspace.features[inputs_[j]].values;
      const double mean = MeanIgnoringNan(values);
      mean_[j] = std::isnan(mean) ? 0 : mean;
      double squares = 0;
      size_t count = 0;
      for (double v : values) {
        if (std::isnan(v)) continue;
        squares += (v - mean_[j]) * (v - mean_[j]);
        ++count;
      }
      const double sd = count == 0 ? 0 : std::sqrt(squares / static_cast<double>(count));
      scale_[j] = sd > 0 ? sd : 1;
      for (size_t i = 0; i < n; ++i) {
        const double v = values[i];
        z(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
            std::isnan(v) ? 0 : (v - mean_[j]) / scale_[j];
      }
    }

    // z is centred (up to rounding), so z'z / (n - 1) is the covariance.
    const Eigen::MatrixXd covariance = (z.transpose() * z) / static_cast<double>(n - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(covariance);
    if (solver.info() != Eigen::Success) {
      return MakeError(ErrorCode::kData,
                       "PCA failed: the covariance of the {} numeric features "
                       "could not be decomposed; turn PCA off or drop degenerate columns",
                       p);
    }
    loadings_.resize(k * p);
    for (size_t c = 0; c < k; ++c) {
      const auto column = static_cast<Eigen::Index>(p - 1 - c);  // eigenvalues ascend
      explained_variance_.push_back(solver.eigenvalues()(column));
      size_t largest = 0;
      for (size_t j = 1; j < p; ++j) {
        if (std::fabs(solver.eigenvectors()(static_cast<Eigen::Index>(j), column)) >
            std::fabs(solver.eigenvectors()(static_cast<Eigen::Index>(largest), column))) {
          largest = j;
        }
      }
      const double sign =
          solver.eigenvectors()(static_cast<Eigen::Index>(largest), column) < 0 ? -1 : 1;
      for (size_t j = 0; j < p; ++j) {
        loadings_[c * p + j] = sign * solver.eigenvectors()(static_cast<Eigen::Index>(j), column);
      }
    }
    return Status::Ok();
  }

  Status Apply(Workspace& workspace, const TrainingContext*) const override {
    if (inputs_.empty()) return Status::Ok();
    const size_t p = inputs_.size();
    for (size_t j = 0; j < p; ++j) {
      if (inputs_[j] >= workspace.features.size() ||
          workspace.features[inputs_[j]].kind != FeatureKind::kNumeric) {
        return MismatchError(name(), "an input feature is absent or not numeric");
      }
    }

    const size_t k = explained_variance_.size();
    const size_t n = workspace.rows;
    std::vector<Feature> components(k);
    for (size_t c = 0; c < k; ++c) {
      components[c].name = "pc" + std::to_string(c + 1);
      components[c].values.assign(n, 0.0);
    }
    std::vector<double> z(n);
    for (size_t j = 0; j < p; ++j) {
      const std::vector<double>& values = workspace.features[inputs_[j]].values;
      for (size_t i = 0; i < n; ++i) {
        z[i] = std::isnan(values[i]) ? 0 : (values[i] - mean_[j]) / scale_[j];
      }
      for (size_t c = 0; c < k; ++c) {
        const double loading = loadings_[c * p + j];
        double* out = components[c].values.data();
        for (size_t i = 0; i < n; ++i) out[i] += loading * z[i];
      }
    }

    std::vector<Feature> out;
    out.reserve(workspace.features.size() - p + k);
    for (size_t f = 0; f < workspace.features.size(); ++f) {
      if (f == inputs_.front()) {
        for (Feature& component : components) out.push_back(std::move(component));
      }
      if (!std::binary_search(inputs_.begin(), inputs_.end(), f)) {
        out.push_back(std::move(workspace.features[f]));
      }
    }
    workspace.features = std::move(out);
    return Status::Ok();
  }

  nlohmann::json ToJson() const override {
    nlohmann::json inputs = nlohmann::json::array();
    for (size_t f : inputs_) inputs.push_back(f);
    return {{"inputs", std::move(inputs)},
            {"mean", DoublesJson(mean_)},
            {"scale", DoublesJson(scale_)},
            {"loadings", DoublesJson(loadings_)},
            {"explained_variance", DoublesJson(explained_variance_)}};
  }

  Status FromJson(const nlohmann::json& json) override {
    constexpr std::string_view kContext = "step pca";
    KILN_ASSIGN_OR_RETURN(std::vector<int64_t> inputs,
                          ReadInts(json, "inputs", kContext, 0, INT32_MAX));
    inputs_.assign(inputs.begin(), inputs.end());
    KILN_ASSIGN_OR_RETURN(mean_, ReadDoubles(json, "mean", kContext));
    KILN_ASSIGN_OR_RETURN(scale_, ReadDoubles(json, "scale", kContext));
    KILN_ASSIGN_OR_RETURN(loadings_, ReadDoubles(json, "loadings", kContext));
    KILN_ASSIGN_OR_RETURN(explained_variance_, ReadDoubles(json, "explained_variance", kContext));
    const size_t p = inputs_.size();
    if (!std::is_sorted(inputs_.begin(), inputs_.end()) ||
        std::adjacent_find(inputs_.begin(), inputs_.end()) != inputs_.end()) {
      return MismatchError(name(), "inputs are not strictly increasing");
    }
    if (mean_.size() != p || scale_.size() != p ||
        loadings_.size() != explained_variance_.size() * p || explained_variance_.size() > p ||
        (p > 0 && explained_variance_.empty())) {
      return MismatchError(name(), "sizes of inputs, mean, scale and loadings disagree");
    }
    return Status::Ok();
  }

  std::unique_ptr<Step> Clone() const override { return std::make_unique<PcaStep>(*this); }

 private:
  size_t requested_;
  std::vector<size_t> inputs_;  // workspace indices of the numeric features, increasing
  std::vector<double> mean_;
  std::vector<double> scale_;
  std::vector<double> loadings_;  // component-major: loadings_[c * inputs + j]
  std::vector<double> explained_variance_;
};

}  // namespace

std::unique_ptr<Step> CreatePcaStep(const FeatureSpec& spec, const FeaturePipeline::Options&,
                                    bool for_deserialize) {
  if (!for_deserialize && spec.pca.components <= 0) return nullptr;
  return std::make_unique<PcaStep>(spec.pca.components);
}

}  // namespace kiln::features
