// Numeric imputation: fills missing numeric values with the training mean, median or a constant,
// and booleans with the training majority, and adds a 0/1 "<name>.missing" indicator after each
// numeric feature that had missing values in training. Left out entirely when the model keeps
// missing values (trees route NaN themselves; an indicator would only repeat what they see).
// Categorical missing values are the encoders' business.
#include <cmath>

#include "features/step.h"

namespace kiln::features {

namespace {

struct Fill {
  size_t feature = 0;  // workspace index at the time the step runs
  double value = 0;
  bool indicator = false;
};

class ImputeStep final : public Step {
 public:
  explicit ImputeStep(const ImputeSpec& spec) : spec_(spec) {}

  std::string_view name() const override { return "impute"; }

  Status Fit(const Workspace& workspace, const TrainingContext&) override {
    fills_.clear();
    for (size_t f = 0; f < workspace.features.size(); ++f) {
      const Feature& feature = workspace.features[f];
      if (feature.kind != FeatureKind::kNumeric && feature.kind != FeatureKind::kBinary) continue;
      Fill fill;
      fill.feature = f;
      bool had_missing = false;
      for (double v : feature.values) had_missing |= std::isnan(v);
      if (feature.kind == FeatureKind::kBinary) {
        fill.value = MeanIgnoringNan(feature.values) > 0.5 ? 1 : 0;
      } else {
        fill.value = NumericFill(feature.values);
        fill.indicator = had_missing && spec_.missing_indicators;
      }
      fills_.push_back(fill);
    }
    return Status::Ok();
  }

  Status Apply(Workspace& workspace, const TrainingContext*) const override {
    std::vector<Feature>& features = workspace.features;
    std::vector<Feature> out;
    out.reserve(features.size() + fills_.size());
    size_t next = 0;
    for (size_t f = 0; f < features.size(); ++f) {
      Feature& feature = features[f];
      if (next == fills_.size() || fills_[next].feature != f) {
        out.push_back(std::move(feature));
        continue;
      }
      const Fill& fill = fills_[next++];
      if (feature.kind != FeatureKind::kNumeric && feature.kind != FeatureKind::kBinary) {
        return MismatchError(name(), "a filled feature is not numeric");
      }
      Feature indicator;
      if (fill.indicator) {
        indicator.name = feature.name + ".missing";
        indicator.kind = FeatureKind::kBinary;
        indicator.values.resize(feature.values.size());
      }
      for (size_t i = 0; i < feature.values.size(); ++i) {
        const bool missing = std::isnan(feature.values[i]);
        if (missing) feature.values[i] = fill.value;
        if (fill.indicator) indicator.values[i] = missing ? 1 : 0;
      }
      out.push_back(std::move(feature));
      if (fill.indicator) out.push_back(std::move(indicator));
    }
    if (next != fills_.size()) return MismatchError(name(), "fewer features than fitted");
    features = std::move(out);
    return Status::Ok();
  }

  nlohmann::json ToJson() const override {
    nlohmann::json fills = nlohmann::json::array();
    for (const Fill& fill : fills_) {
      fills.push_back({{"feature", fill.feature},
                       {"value", DoubleJson(fill.value)},
                       {"indicator", fill.indicator}});
    }
    return {{"fills", std::move(fills)}};
  }

  Status FromJson(const nlohmann::json& json) override {
    constexpr std::string_view kContext = "step impute";
    KILN_ASSIGN_OR_RETURN(const nlohmann::json* fills, ReadArray(json, "fills", kContext));
    fills_.clear();
    for (const nlohmann::json& entry : *fills) {
      Fill fill;
      KILN_ASSIGN_OR_RETURN(int64_t feature, ReadInt(entry, "feature", kContext, 0, INT32_MAX));
      fill.feature = static_cast<size_t>(feature);
      KILN_ASSIGN_OR_RETURN(fill.value, ReadDouble(entry, "value", kContext));
      KILN_ASSIGN_OR_RETURN(fill.indicator, ReadBool(entry, "indicator", kContext));
      if (!fills_.empty() && fill.feature <= fills_.back().feature) {
        return MismatchError(name(), "fill features are not in increasing order");
      }
      fills_.push_back(fill);
    }
    return Status::Ok();
  }

  std::unique_ptr<Step> Clone() const override { return std::make_unique<ImputeStep>(*this); }

 private:
  double NumericFill(const std::vector<double>& values) const {
    double value = spec_.numeric_fill;
    if (spec_.numeric == NumericImpute::kMean) value = MeanIgnoringNan(values);
    if (spec_.numeric == NumericImpute::kMedian) value = QuantileIgnoringNan(values, 0.5);
    return std::isnan(value) ? 0 : value;  // a column missing in every training row
  }

  ImputeSpec spec_;
  std::vector<Fill> fills_;
};

}  // namespace

std::unique_ptr<Step> CreateImputeStep(const FeatureSpec& spec,
                                       const FeaturePipeline::Options& options,
                                       bool for_deserialize) {
  if (options.keep_missing && !for_deserialize) return nullptr;
  return std::make_unique<ImputeStep>(spec.impute);
}

}  // namespace kiln::features
