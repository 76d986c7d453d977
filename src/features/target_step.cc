// Target encoding: each categorical feature becomes the smoothed mean of the target per category,
//   (sum of targets in the category + smoothing * prior) / (rows in the category + smoothing),
// one column for binary and regression tasks and one per class (the class's frequency) for
// multiclass. Unseen categories get the prior. Missing values are a category of their own under
// the constant categorical imputation and count as the most frequent category otherwise.
//
// On the training rows themselves the encoding is out-of-fold: rows are shuffled into
// `folds` folds with the pipeline seed, and a row's value comes from the other folds only, so no
// row ever sees its own target. Later steps are fitted on these out-of-fold values.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "features/step.h"

namespace kiln::features {

namespace {

// SplitMix64: a small, fully specified generator, so fold assignment is the same on every
// platform and standard library.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Encoding {
  size_t feature = 0;
  int32_t count = 0;
  // values[c * outputs + k]: category c (c == count is "missing") for output k.
  std::vector<double> values;
  std::vector<double> prior;  // per output: for unseen categories
};

class TargetStep final : public Step {
 public:
  explicit TargetStep(const FeatureSpec& spec)
      : smoothing_(std::max(spec.encode.target_smoothing, 0.0)),
        folds_(static_cast<uint8_t>(std::clamp(spec.encode.target_folds, 2, 255))),
        missing_to_most_frequent_(spec.impute.categorical == CategoricalImpute::kMostFrequent) {}

  std::string_view name() const override { return "target"; }

  Status Fit(const Workspace& workspace, const TrainingContext& training) override {
    outputs_ = training.task == TaskType::kMulticlass ? training.classes.size() : 1;
    output_names_.clear();
    if (training.task == TaskType::kMulticlass) {
      for (const std::string& label : training.classes) output_names_.push_back("=" + label);
    } else {
      output_names_.push_back("");
    }
    encodings_.clear();
    std::vector<uint8_t> all(workspace.rows, 1);
    for (size_t f = 0; f < workspace.features.size(); ++f) {
      const Feature& feature = workspace.features[f];
      if (feature.kind != FeatureKind::kCategory) continue;
      Encoding encoding;
      encoding.feature = f;
      encoding.count = feature.category_count;
      Estimate(feature, training, all, encoding);
      encodings_.push_back(std::move(encoding));
    }
    return Status::Ok();
  }

  Status Apply(Workspace& workspace, const TrainingContext* training) const override {
    KILN_RETURN_IF_ERROR(Check(workspace));
    std::vector<uint8_t> fold;
    if (training != nullptr) {
      if (training->target.size() != workspace.rows) {
        return MismatchError(name(), "the target does not cover the rows");
      }
      fold = AssignFolds(workspace.rows, training->seed);
    }

    std::vector<Feature> out;
    out.reserve(workspace.features.size() + encodings_.size() * outputs_);
    size_t next = 0;
    for (size_t f = 0; f < workspace.features.size(); ++f) {
      Feature& feature = workspace.features[f];
      if (next == encodings_.size() || encodings_[next].feature != f) {
        out.push_back(std::move(feature));
        continue;
      }
      const Encoding& fitted = encodings_[next++];
      const size_t first = out.size();
      for (size_t k = 0; k < outputs_; ++k) {
        Feature column;
        column.name = feature.name + ".target" + output_names_[k];
        column.kind = FeatureKind::kEncoded;
        column.values.resize(workspace.rows);
        out.push_back(std::move(column));
      }
      if (training == nullptr) {
        Lookup(feature, fitted, &out[first]);
        continue;
      }
      for (uint8_t held_out = 0; held_out < folds_; ++held_out) {
        std::vector<uint8_t> use(workspace.rows);
        for (size_t row = 0; row < workspace.rows; ++row) use[row] = fold[row] != held_out;
        Encoding encoding = fitted;
        Estimate(feature, *training, use, encoding);
        Lookup(feature, encoding, &out[first], &fold, held_out);
      }
    }
    workspace.features = std::move(out);
    return Status::Ok();
  }

  nlohmann::json ToJson() const override {
    nlohmann::json encodings = nlohmann::json::array();
    for (const Encoding& e : encodings_) {
      encodings.push_back({{"feature", e.feature},
                           {"count", e.count},
                           {"values", DoublesJson(e.values)},
                           {"prior", DoublesJson(e.prior)}});
    }
    return {{"smoothing", DoubleJson(smoothing_)},
            {"folds", folds_},
            {"missing_to_most_frequent", missing_to_most_frequent_},
            {"output_names", output_names_},
            {"encodings", std::move(encodings)}};
  }

  Status FromJson(const nlohmann::json& json) override {
    constexpr std::string_view kContext = "step target";
    KILN_ASSIGN_OR_RETURN(smoothing_, ReadDouble(json, "smoothing", kContext));
    KILN_ASSIGN_OR_RETURN(int64_t folds, ReadInt(json, "folds", kContext, 2, 255));
    folds_ = static_cast<uint8_t>(folds);
    KILN_ASSIGN_OR_RETURN(missing_to_most_frequent_,
                          ReadBool(json, "missing_to_most_frequent", kContext));
    KILN_ASSIGN_OR_RETURN(output_names_, ReadStrings(json, "output_names", kContext));
    outputs_ = output_names_.size();
    if (outputs_ == 0) return MismatchError(name(), "no outputs");
    KILN_ASSIGN_OR_RETURN(const nlohmann::json* encodings, ReadArray(json, "encodings", kContext));
    encodings_.clear();
    for (const nlohmann::json& entry : *encodings) {
      Encoding e;
      KILN_ASSIGN_OR_RETURN(int64_t feature, ReadInt(entry, "feature", kContext, 0, INT32_MAX));
      KILN_ASSIGN_OR_RETURN(int64_t count, ReadInt(entry, "count", kContext, 0, INT32_MAX));
      e.feature = static_cast<size_t>(feature);
      e.count = static_cast<int32_t>(count);
      KILN_ASSIGN_OR_RETURN(e.values, ReadDoubles(entry, "values", kContext));
      KILN_ASSIGN_OR_RETURN(e.prior, ReadDoubles(entry, "prior", kContext));
      if (e.values.size() != (static_cast<size_t>(e.count) + 1) * outputs_ ||
          e.prior.size() != outputs_) {
        return MismatchError(name(), "encoding sizes do not match the categories and outputs");
      }
      if (!encodings_.empty() && e.feature <= encodings_.back().feature) {
        return MismatchError(name(), "encodings are not in increasing feature order");
      }
      encodings_.push_back(std::move(e));
    }
    return Status::Ok();
  }

  std::unique_ptr<Step> Clone() const override { return std::make_unique<TargetStep>(*this); }

 private:
  Status Check(const Workspace& workspace) const {
    size_t seen = 0;
    for (const Feature& feature : workspace.features) {
      if (feature.kind == FeatureKind::kCategory) ++seen;
    }
    if (seen != encodings_.size()) return MismatchError(name(), "a different number of inputs");
    for (const Encoding& e : encodings_) {
      if (e.feature >= workspace.features.size() ||
          workspace.features[e.feature].kind != FeatureKind::kCategory ||
          workspace.features[e.feature].category_count != e.count) {
        return MismatchError(name(), "a categorical feature differs from the fitted one");
      }
    }
    return Status::Ok();
  }

  // The category slot of a fitted index: categories, then "missing"; -1 for unseen.
  int64_t Slot(double v, int32_t count) const {
    if (v >= 0) return static_cast<int64_t>(v);
    if (v == kMissingCategory) return missing_to_most_frequent_ && count > 0 ? 0 : count;
    return -1;
  }

  // The output value of class k for one row's target: the target itself, or 1 when the row is
  // of class k (multiclass).
  double Output(const TrainingContext& training, double y, size_t k) const {
    if (training.task != TaskType::kMulticlass) return y;
    return static_cast<size_t>(y) == k ? 1.0 : 0.0;
  }

  // Fits `encoding` on the rows where use[row] != 0 and the target is present.
  void Estimate(const Feature& feature, const TrainingContext& training,
                const std::vector<uint8_t>& use, Encoding& encoding) const {
    const auto slots = static_cast<size_t>(encoding.count) + 1;
    std::vector<double> sums(slots * outputs_, 0.0);
    std::vector<double> counts(slots, 0.0);
    std::vector<double> total(outputs_, 0.0);
    double rows = 0;
    for (size_t row = 0; row < feature.values.size(); ++row) {
      const double y = training.target[row];
      if (!use[row] || std::isnan(y)) continue;
      const int64_t slot = Slot(feature.values[row], encoding.count);
      rows += 1;
      if (slot >= 0) counts[static_cast<size_t>(slot)] += 1;
      for (size_t k = 0; k < outputs_; ++k) {
        const double value = Output(training, y, k);
        total[k] += value;
        if (slot >= 0) sums[static_cast<size_t>(slot) * outputs_ + k] += value;
      }
    }
    encoding.prior.assign(outputs_, 0.0);
    encoding.values.assign(slots * outputs_, 0.0);
    for (size_t k = 0; k < outputs_; ++k) encoding.prior[k] = rows > 0 ? total[k] / rows : 0;
    for (size_t slot = 0; slot < slots; ++slot) {
      for (size_t k = 0; k < outputs_; ++k) {
        const double weight = counts[slot] + smoothing_;
        encoding.values[slot * outputs_ + k] =
            weight > 0 ? (sums[slot * outputs_ + k] + smoothing_ * encoding.prior[k]) / weight
                       : encoding.prior[k];
      }
    }
  }

  // Writes the encoding of each row (only rows of fold `only`, when `fold` is given).
  void Lookup(const Feature& feature, const Encoding& encoding, Feature* columns,
              const std::vector<uint8_t>* fold = nullptr, uint8_t only = 0) const {
    for (size_t row = 0; row < feature.values.size(); ++row) {
      if (fold != nullptr && (*fold)[row] != only) continue;
      const int64_t slot = Slot(feature.values[row], encoding.count);
      for (size_t k = 0; k < outputs_; ++k) {
        columns[k].values[row] = slot < 0
                                     ? encoding.prior[k]
                                     : encoding.values[static_cast<size_t>(slot) * outputs_ + k];
      }
    }
  }

  // Each row's fold: a seeded shuffle dealt round-robin, so folds differ in size by at most one.
  std::vector<uint8_t> AssignFolds(size_t rows, uint64_t seed) const {
    std::vector<size_t> order(rows);
    std::iota(order.begin(), order.end(), size_t{0});
    uint64_t state = seed;
    for (size_t i = rows; i > 1; --i) {
      const size_t j = static_cast<size_t>(NextRandom(state) % i);
      std::swap(order[i - 1], order[j]);
    }
    std::vector<uint8_t> fold(rows);
    for (size_t i = 0; i < rows; ++i) fold[order[i]] = static_cast<uint8_t>(i % folds_);
    return fold;
  }

  double smoothing_;
  uint8_t folds_;
  bool missing_to_most_frequent_;
  size_t outputs_ = 1;
  std::vector<std::string> output_names_;
  std::vector<Encoding> encodings_;
};

}  // namespace

std::unique_ptr<Step> CreateTargetStep(const FeatureSpec& spec, const FeaturePipeline::Options&,
                                       bool for_deserialize) {
  if (!for_deserialize && spec.encode.categorical != CategoricalEncoding::kTarget) return nullptr;
  return std::make_unique<TargetStep>(spec);
}

}  // namespace kiln::features
