// The categorical encoders that need no target: native codes, one-hot and ordinal. Each turns
// every categorical workspace feature (a fitted category index, -1 missing, -2 unseen) into
// numbers; exactly one of them, or target encoding, runs in a pipeline.
//
// Missing values follow features.impute.categorical: most_frequent treats them as the most
// frequent training category; constant gives them a category of their own ("<name>=(missing)" in
// one-hot, the code after all categories in ordinal). Native encoding leaves them NaN, as it does
// unseen categories, because the models that take native categories route NaN themselves.
#include <algorithm>
#include <cmath>
#include <limits>

#include "features/step.h"

namespace kiln::features {

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

struct Encoded {
  size_t feature = 0;  // workspace index
  int32_t count = 0;   // fitted categories
};

std::vector<Encoded> FindCategorical(const Workspace& workspace) {
  std::vector<Encoded> out;
  for (size_t f = 0; f < workspace.features.size(); ++f) {
    const Feature& feature = workspace.features[f];
    if (feature.kind == FeatureKind::kCategory) out.push_back({f, feature.category_count});
  }
  return out;
}

Status CheckCategorical(std::string_view step, const Workspace& workspace,
                        const std::vector<Encoded>& fitted) {
  size_t seen = 0;
  for (const Feature& feature : workspace.features) {
    if (feature.kind == FeatureKind::kCategory) ++seen;
  }
  if (seen != fitted.size()) return MismatchError(step, "a different number of categoricals");
  for (const Encoded& e : fitted) {
    if (e.feature >= workspace.features.size() ||
        workspace.features[e.feature].kind != FeatureKind::kCategory ||
        workspace.features[e.feature].category_count != e.count) {
      return MismatchError(step, "a categorical feature differs from the fitted one");
    }
  }
  return Status::Ok();
}

nlohmann::json EncodedJson(const std::vector<Encoded>& encoded) {
  nlohmann::json array = nlohmann::json::array();
  for (const Encoded& e : encoded) array.push_back({e.feature, e.count});
  return array;
}

Result<std::vector<Encoded>> ReadEncoded(const nlohmann::json& step, std::string_view context) {
  KILN_ASSIGN_OR_RETURN(const nlohmann::json* encoded, ReadArray(step, "encoded", context));
  const nlohmann::json& json = *encoded;
  std::vector<Encoded> out;
  for (const nlohmann::json& pair : json) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_unsigned() ||
        !pair[1].is_number_unsigned() || pair[0].get<uint64_t>() > INT32_MAX ||
        pair[1].get<uint64_t>() > INT32_MAX) {
      return MismatchError(context, "'encoded' holds something other than [feature, count]");
    }
    const Encoded e{pair[0].get<size_t>(), pair[1].get<int32_t>()};
    if (!out.empty() && e.feature <= out.back().feature) {
      return MismatchError(context, "'encoded' features are not in increasing order");
    }
    out.push_back(e);
  }
  return out;
}

// Replaces the categorical features by the columns `encode` makes of each, keeping order.
template <typename EncodeFn>
Status Replace(Workspace& workspace, const std::vector<Encoded>& fitted, EncodeFn encode) {
  std::vector<Feature> out;
  out.reserve(workspace.features.size());
  size_t next = 0;
  for (size_t f = 0; f < workspace.features.size(); ++f) {
    if (next < fitted.size() && fitted[next].feature == f) {
      KILN_RETURN_IF_ERROR(encode(next, workspace.features[f], out));
      ++next;
    } else {
      out.push_back(std::move(workspace.features[f]));
    }
  }
  workspace.features = std::move(out);
  return Status::Ok();
}

class NativeStep final : public Step {
 public:
  std::string_view name() const override { return "native"; }

  Status Fit(const Workspace& workspace, const TrainingContext&) override {
    fitted_ = FindCategorical(workspace);
    return Status::Ok();
  }

  Status Apply(Workspace& workspace, const TrainingContext*) const override {
    KILN_RETURN_IF_ERROR(CheckCategorical(name(), workspace, fitted_));
    for (const Encoded& e : fitted_) {
      Feature& feature = workspace.features[e.feature];
      for (double& v : feature.values) {
        if (v < 0) v = kNan;
      }
      feature.kind = FeatureKind::kNative;
      feature.labels = nullptr;
    }
    return Status::Ok();
  }

  nlohmann::json ToJson() const override { return {{"encoded", EncodedJson(fitted_)}}; }

  Status FromJson(const nlohmann::json& json) override {
    KILN_ASSIGN_OR_RETURN(fitted_, ReadEncoded(json, name()));
    return Status::Ok();
  }

  std::unique_ptr<Step> Clone() const override { return std::make_unique<NativeStep>(*this); }

 private:
  std::vector<Encoded> fitted_;
};

struct OneHotColumns {
  int32_t width = 0;               // categories with a column of their own: the most frequent
  bool missing_column = false;     // a "(missing)" column follows them
  std::vector<std::string> names;  // width + missing_column + 1 ("(other)") names
};

// TODO: one-hot columns are materialised as dense doubles in the workspace before the output
// matrix is assembled. On Adult (88 features) that is most of Transform's 27 ms, mostly page
// faults on fresh memory; writing the ones straight into the output matrix would remove it.
class OneHotStep final : public Step {
 public:
  explicit OneHotStep(const FeatureSpec& spec)
      : max_categories_(std::max(spec.encode.max_categories, 1)),
        missing_to_most_frequent_(spec.impute.categorical == CategoricalImpute::kMostFrequent) {}

  std::string_view name() const override { return "one_hot"; }

  Status Fit(const Workspace& workspace, const TrainingContext&) override {
    fitted_ = FindCategorical(workspace);
    columns_.clear();
    for (const Encoded& e : fitted_) {
      const Feature& feature = workspace.features[e.feature];
      OneHotColumns columns;
      columns.width = std::min(e.count, max_categories_);
      columns.missing_column = feature.had_missing && !missing_to_most_frequent_;
      for (int32_t c = 0; c < columns.width; ++c) {
        columns.names.push_back(feature.name + "=" + (*feature.labels)[static_cast<size_t>(c)]);
      }
      if (columns.missing_column) columns.names.push_back(feature.name + "=(missing)");
      columns.names.push_back(feature.name + "=(other)");
      columns_.push_back(std::move(columns));
    }
    return Status::Ok();
  }

  Status Apply(Workspace& workspace, const TrainingContext*) const override {
    KILN_RETURN_IF_ERROR(CheckCategorical(name(), workspace, fitted_));
    return Replace(workspace, fitted_, [&](size_t i, Feature& feature, std::vector<Feature>& out) {
      const OneHotColumns& columns = columns_[i];
      const auto other = static_cast<int32_t>(columns.names.size() - 1);
      int32_t missing_slot = columns.missing_column ? columns.width : other;
      if (missing_to_most_frequent_ && columns.width > 0) missing_slot = 0;

      const size_t first = out.size();
      for (const std::string& column_name : columns.names) {
        Feature column;
        column.name = column_name;
        column.kind = FeatureKind::kBinary;
        column.values.assign(feature.values.size(), 0.0);
        out.push_back(std::move(column));
      }
      for (size_t row = 0; row < feature.values.size(); ++row) {
        const double v = feature.values[row];
        int32_t slot = other;
        if (v == kMissingCategory) {
          slot = missing_slot;
        } else if (v >= 0 && v < columns.width) {
          slot = static_cast<int32_t>(v);
        }
        out[first + static_cast<size_t>(slot)].values[row] = 1;
      }
      return Status::Ok();
    });
  }

  nlohmann::json ToJson() const override {
    nlohmann::json columns = nlohmann::json::array();
    for (const OneHotColumns& c : columns_) {
      columns.push_back(
          {{"width", c.width}, {"missing_column", c.missing_column}, {"names", c.names}});
    }
    return {{"encoded", EncodedJson(fitted_)},
            {"missing_to_most_frequent", missing_to_most_frequent_},
            {"columns", std::move(columns)}};
  }

  Status FromJson(const nlohmann::json& json) override {
    constexpr std::string_view kContext = "step one_hot";
    KILN_ASSIGN_OR_RETURN(fitted_, ReadEncoded(json, name()));
    KILN_ASSIGN_OR_RETURN(missing_to_most_frequent_,
                          ReadBool(json, "missing_to_most_frequent", kContext));
    KILN_ASSIGN_OR_RETURN(const nlohmann::json* columns, ReadArray(json, "columns", kContext));
    if (columns->size() != fitted_.size()) return MismatchError(name(), "columns per input");
    columns_.clear();
    for (size_t i = 0; i < fitted_.size(); ++i) {
      OneHotColumns c;
      KILN_ASSIGN_OR_RETURN(int64_t width,
                            ReadInt((*columns)[i], "width", kContext, 0, fitted_[i].count));
      c.width = static_cast<int32_t>(width);
      KILN_ASSIGN_OR_RETURN(c.missing_column, ReadBool((*columns)[i], "missing_column", kContext));
      KILN_ASSIGN_OR_RETURN(c.names, ReadStrings((*columns)[i], "names", kContext));
      if (c.names.size() != static_cast<size_t>(c.width) + (c.missing_column ? 2 : 1)) {
        return MismatchError(name(), "column names do not match the width");
      }
      columns_.push_back(std::move(c));
    }
    return Status::Ok();
  }

  std::unique_ptr<Step> Clone() const override { return std::make_unique<OneHotStep>(*this); }

 private:
  int32_t max_categories_;
  bool missing_to_most_frequent_;
  std::vector<Encoded> fitted_;
  std::vector<OneHotColumns> columns_;
};

class OrdinalStep final : public Step {
 public:
  explicit OrdinalStep(const FeatureSpec& spec)
      : missing_to_most_frequent_(spec.impute.categorical == CategoricalImpute::kMostFrequent) {}

  std::string_view name() const override { return "ordinal"; }

  Status Fit(const Workspace& workspace, const TrainingContext&) override {
    fitted_ = FindCategorical(workspace);
    return Status::Ok();
  }

  // Codes are frequency ranks already (0 = most frequent); unseen is -1.
  Status Apply(Workspace& workspace, const TrainingContext*) const override {
    KILN_RETURN_IF_ERROR(CheckCategorical(name(), workspace, fitted_));
    for (const Encoded& e : fitted_) {
      Feature& feature = workspace.features[e.feature];
      const double missing = missing_to_most_frequent_ ? 0 : static_cast<double>(e.count);
      for (double& v : feature.values) {
        if (v == kMissingCategory) {
          v = missing;
        } else if (v < 0) {
          v = -1;
        }
      }
      feature.kind = FeatureKind::kEncoded;
      feature.labels = nullptr;
    }
    return Status::Ok();
  }

  nlohmann::json ToJson() const override {
    return {{"encoded", EncodedJson(fitted_)},
            {"missing_to_most_frequent", missing_to_most_frequent_}};
  }

  Status FromJson(const nlohmann::json& json) override {
    KILN_ASSIGN_OR_RETURN(fitted_, ReadEncoded(json, name()));
    KILN_ASSIGN_OR_RETURN(missing_to_most_frequent_,
                          ReadBool(json, "missing_to_most_frequent", "step ordinal"));
    return Status::Ok();
  }

  std::unique_ptr<Step> Clone() const override { return std::make_unique<OrdinalStep>(*this); }

 private:
  bool missing_to_most_frequent_;
  std::vector<Encoded> fitted_;
};

bool WantsNative(const FeatureSpec& spec, const FeaturePipeline::Options& options) {
  return spec.encode.categorical == CategoricalEncoding::kNative && options.native_categorical;
}

}  // namespace

std::unique_ptr<Step> CreateNativeStep(const FeatureSpec& spec,
                                       const FeaturePipeline::Options& options,
                                       bool for_deserialize) {
  if (!for_deserialize && !WantsNative(spec, options)) return nullptr;
  return std::make_unique<NativeStep>();
}

// One-hot is also what native encoding falls back to for models without native categories.
std::unique_ptr<Step> CreateOneHotStep(const FeatureSpec& spec,
                                       const FeaturePipeline::Options& options,
                                       bool for_deserialize) {
  const bool wanted =
      spec.encode.categorical == CategoricalEncoding::kOneHot ||
      (spec.encode.categorical == CategoricalEncoding::kNative && !WantsNative(spec, options));
  if (!for_deserialize && !wanted) return nullptr;
  return std::make_unique<OneHotStep>(spec);
}

std::unique_ptr<Step> CreateOrdinalStep(const FeatureSpec& spec, const FeaturePipeline::Options&,
                                        bool for_deserialize) {
  if (!for_deserialize && spec.encode.categorical != CategoricalEncoding::kOrdinal) return nullptr;
  return std::make_unique<OrdinalStep>(spec);
}

}  // namespace kiln::features
