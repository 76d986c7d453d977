// Scaling of numeric features (not indicators, one-hot columns, codes or encodings):
//   standard: (x - mean) / standard deviation (population, as scikit-learn's StandardScaler);
//   robust:   (x - median) / interquartile range (as scikit-learn's RobustScaler).
// A feature without spread keeps scale 1, so it is only centred. NaN stays NaN.
#include <cmath>

#include "features/step.h"

namespace kiln::features {

namespace {

struct Scaled {
  size_t feature = 0;
  double center = 0;
  double scale = 1;
};

double StandardDeviation(const std::vector<double>& values, double mean) {
  double sum = 0;
  size_t count = 0;
  for (double v : values) {
    if (std::isnan(v)) continue;
    sum += (v - mean) * (v - mean);
    ++count;
  }
  return count == 0 ? 0 : std::sqrt(sum / static_cast<double>(count));
}

class ScaleStep final : public Step {
 public:
  explicit ScaleStep(Scaling scaling) : scaling_(scaling) {}

  std::string_view name() const override { return "scale"; }

  Status Fit(const Workspace& workspace, const TrainingContext&) override {
    scaled_.clear();
    for (size_t f = 0; f < workspace.features.size(); ++f) {
      const std::vector<double>& values = workspace.features[f].values;
      if (workspace.features[f].kind != FeatureKind::kNumeric) continue;
      Scaled s;
      s.feature = f;
      if (scaling_ == Scaling::kRobust) {
        s.center = QuantileIgnoringNan(values, 0.5);
        s.scale = QuantileIgnoringNan(values, 0.75) - QuantileIgnoringNan(values, 0.25);
      } else {
        s.center = MeanIgnoringNan(values);
        s.scale = StandardDeviation(values, s.center);
      }
      if (std::isnan(s.center)) s.center = 0;
      if (!(s.scale > 0) || !std::isfinite(s.scale)) s.scale = 1;
      scaled_.push_back(s);
    }
    return Status::Ok();
  }

  Status Apply(Workspace& workspace, const TrainingContext*) const override {
    for (const Scaled& s : scaled_) {
      if (s.feature >= workspace.features.size() ||
          workspace.features[s.feature].kind != FeatureKind::kNumeric) {
        return MismatchError(name(), "a scaled feature is absent or not numeric");
      }
    }
    for (const Scaled& s : scaled_) {
      for (double& v : workspace.features[s.feature].values) v = (v - s.center) / s.scale;
    }
    return Status::Ok();
  }

  nlohmann::json ToJson() const override {
    nlohmann::json scaled = nlohmann::json::array();
    for (const Scaled& s : scaled_) {
      scaled.push_back({s.feature, DoubleJson(s.center), DoubleJson(s.scale)});
    }
    return {{"method", scaling_ == Scaling::kRobust ? "robust" : "standard"},
            {"scaled", std::move(scaled)}};
  }

  Status FromJson(const nlohmann::json& json) override {
    constexpr std::string_view kContext = "step scale";
    KILN_ASSIGN_OR_RETURN(std::string method, ReadString(json, "method", kContext));
    if (method != "robust" && method != "standard") {
      return MismatchError(name(), "unknown method '" + method + "'");
    }
    scaling_ = method == "robust" ? Scaling::kRobust : Scaling::kStandard;
    KILN_ASSIGN_OR_RETURN(const nlohmann::json* scaled, ReadArray(json, "scaled", kContext));
    scaled_.clear();
    for (const nlohmann::json& entry : *scaled) {
      if (!entry.is_array() || entry.size() != 3) {
        return MismatchError(name(), "an entry is not [feature, center, scale]");
      }
      const nlohmann::json fields = {
          {"feature", entry[0]}, {"center", entry[1]}, {"scale", entry[2]}};
      Scaled s;
      KILN_ASSIGN_OR_RETURN(int64_t feature, ReadInt(fields, "feature", kContext, 0, INT32_MAX));
      s.feature = static_cast<size_t>(feature);
      KILN_ASSIGN_OR_RETURN(s.center, ReadDouble(fields, "center", kContext));
      KILN_ASSIGN_OR_RETURN(s.scale, ReadDouble(fields, "scale", kContext));
      scaled_.push_back(s);
    }
    return Status::Ok();
  }

  std::unique_ptr<Step> Clone() const override { return std::make_unique<ScaleStep>(*this); }

 private:
  Scaling scaling_;
  std::vector<Scaled> scaled_;
};

}  // namespace

std::unique_ptr<Step> CreateScaleStep(const FeatureSpec& spec, const FeaturePipeline::Options&,
                                      bool for_deserialize) {
  if (!for_deserialize && spec.scaling == Scaling::kNone) return nullptr;
  return std::make_unique<ScaleStep>(spec.scaling);
}

}  // namespace kiln::features
